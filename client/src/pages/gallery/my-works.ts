import { html, nothing } from 'lit';
import { myWorks, removeWork, type Work } from '../../api/gallery';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { workBody } from './work-card';
import './gallery.css';

/** The member's own works: where each stands (waiting, shown, not shown) and "Remove". */
export class MyWorks extends LightElement {
  static override properties = {
    works: { state: true },
    loaded: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare works: Work[];
  declare loaded: boolean;
  declare error: string;
  declare status: string;

  constructor() {
    super();
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
      this.works = await myWorks();
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private async removeOne(work: Work): Promise<void> {
    try {
      await removeWork(work.id);
      this.works = this.works.filter((w) => w.id !== work.id);
      this.status = t('gallery.mine.removed');
      this.querySelector<HTMLElement>('#mine-heading')?.focus();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    return html`
      <section aria-labelledby="mine-heading">
        <h1 id="mine-heading" tabindex="-1">${t('gallery.mine.title')}</h1>
        <p role="status" aria-live="polite">${this.status}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${this.loaded && !this.works.length ? html`<p>${t('gallery.mine.none')}</p>` : nothing}
        <ul role="list" class="gallery-grid">
          ${this.works.map(
            (work) => html`<li class="gallery-work">
              <article aria-labelledby=${`work-${work.id}`}>
                ${workBody(work)}
                <p><strong>${t(`gallery.status.${work.status}` as MessageKey)}</strong></p>
                ${work.placed ? html`<p class="hint">${t('gallery.mine.placed')}</p>` : nothing}
                ${work.decision && work.status === 'declined'
                  ? html`<p>${t('gallery.mine.reason', { reason: work.decision })}</p>`
                  : nothing}
                <div class="gallery-actions">
                  <button type="button" @click=${() => this.removeOne(work)}>
                    ${t('gallery.mine.remove', { title: work.title })}
                  </button>
                </div>
              </article>
            </li>`,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-gallery-mine', MyWorks);

declare global {
  interface HTMLElementTagNameMap {
    'cv-gallery-mine': MyWorks;
  }
}
