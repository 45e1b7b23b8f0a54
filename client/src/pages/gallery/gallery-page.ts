import { html, nothing } from 'lit';
import { REPORT_REASONS, galleryWorks, gallerySpace, reportWork, type ReportReason, type Work } from '../../api/gallery';
import { t, type MessageKey } from '../../i18n';
import { navigate } from '../../router';
import { workBody } from './work-card';
import { WorkList } from './work-list';
import './gallery.css';

/**
 * A community's gallery in 2D: a grid of approved works (images with their alt text, poems as
 * sanitised text), a keyboard path through them (each card's report control), a way into the 3D
 * gallery space and to share a work.
 */
export class GalleryPage extends WorkList {
  static override properties = { ...WorkList.properties, slug: { attribute: false } };

  declare slug: string;

  constructor() {
    super();
    this.slug = '';
  }

  protected fetch(): Promise<Work[]> {
    return galleryWorks(this.slug);
  }

  private enter(): Promise<void> {
    this.status = t('gallery.opening3d');
    return this.attempt(async () => navigate(`/spaces/${await gallerySpace(this.slug)}`));
  }

  private report(event: Event, work: Work): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    return this.attempt(async () => {
      await reportWork(work.id, data.get('reason') as ReportReason, String(data.get('note') ?? ''));
      this.status = t('gallery.reported');
      (form.closest('details') as HTMLDetailsElement | null)?.removeAttribute('open');
    });
  }

  private reportForm(work: Work) {
    if (work.mine) return nothing;
    const id = `report-${work.id}`;
    return html`<details>
      <summary>${t('gallery.report')}</summary>
      <form @submit=${(e: Event) => this.report(e, work)}>
        <label for=${`${id}-reason`}>${t('gallery.reportReason')}</label>
        <select id=${`${id}-reason`} name="reason">
          ${REPORT_REASONS.map((r) => html`<option value=${r}>${t(`gallery.reason.${r}` as MessageKey)}</option>`)}
        </select>
        <label for=${`${id}-note`}>${t('gallery.reportNote')}</label>
        <textarea id=${`${id}-note`} name="note" rows="2" maxlength="500"></textarea>
        <div class="gallery-actions"><button type="submit">${t('gallery.reportSend')}</button></div>
      </form>
    </details>`;
  }

  override render() {
    return html`
      <section class="gallery" aria-labelledby="gallery-heading">
        <h1 id="gallery-heading">${t('gallery.pageTitle')}</h1>
        <p>${t('gallery.intro')}</p>
        <div class="gallery-actions">
          <a class="button" href=${`/gallery/${this.slug}/submit`}>${t('gallery.submitLink')}</a>
          <a href="/gallery/mine">${t('gallery.mineLink')}</a>
          <button type="button" @click=${() => this.enter()}>${t('gallery.view3d')}</button>
        </div>
        ${this.notices(t('gallery.empty'))}
        <ul role="list" class="gallery-grid">
          ${this.works.map(
            (work) => html`<li class="gallery-work">
              <article aria-labelledby=${`work-${work.id}`}>${workBody(work)} ${this.reportForm(work)}</article>
            </li>`,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-gallery', GalleryPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-gallery': GalleryPage;
  }
}
