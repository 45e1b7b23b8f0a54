import { html, nothing } from 'lit';
import { myWorks, removeWork, type Work } from '../../api/gallery';
import { t, type MessageKey } from '../../i18n';
import { workBody } from './work-card';
import { WorkList } from './work-list';
import './gallery.css';

/** The member's own works: where each stands (waiting, shown, not shown) and "Remove". */
export class MyWorks extends WorkList {
  protected fetch(): Promise<Work[]> {
    return myWorks();
  }

  private removeOne(work: Work): Promise<void> {
    return this.attempt(async () => {
      await removeWork(work.id);
      this.works = this.works.filter((w) => w.id !== work.id);
      this.status = t('gallery.mine.removed');
      this.querySelector<HTMLElement>('#mine-heading')?.focus();
    });
  }

  override render() {
    return html`
      <section aria-labelledby="mine-heading">
        <h1 id="mine-heading" tabindex="-1">${t('gallery.mine.title')}</h1>
        ${this.notices(t('gallery.mine.none'))}
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
