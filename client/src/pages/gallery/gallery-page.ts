import { html, nothing } from 'lit';
import { REPORT_REASONS, galleryWorks, gallerySpace, reportWork, type ReportReason, type Work } from '../../api/gallery';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { navigate } from '../../router';
import { workBody } from './work-card';
import './gallery.css';

/**
 * A community's gallery in 2D: a grid of approved works (images with their alt text, poems as
 * sanitised text), a keyboard path through them (each card's report control), a way into the 3D
 * gallery space and to share a work.
 */
export class GalleryPage extends LightElement {
  static override properties = {
    slug: { attribute: false },
    works: { state: true },
    loaded: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare slug: string;
  declare works: Work[];
  declare loaded: boolean;
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.slug = '';
    this.works = [];
    this.loaded = false;
    this.error = '';
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.works = await galleryWorks(this.slug);
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private async enter(): Promise<void> {
    this.status = t('gallery.opening3d');
    try {
      navigate(`/spaces/${await gallerySpace(this.slug)}`);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async report(event: Event, work: Work): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    try {
      await reportWork(work.id, data.get('reason') as ReportReason, String(data.get('note') ?? ''));
      this.status = t('gallery.reported');
      (form.closest('details') as HTMLDetailsElement | null)?.removeAttribute('open');
    } catch (error) {
      this.error = describeError(error);
    }
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
        <p role="status" aria-live="polite">${this.status}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${this.loaded && !this.works.length ? html`<p>${t('gallery.empty')}</p>` : nothing}
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
