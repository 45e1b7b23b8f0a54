import { html, nothing } from 'lit';
import { acknowledgeWork, decideWork, moderationQueue, type Work } from '../../api/gallery';
import { t } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { workBody } from './work-card';
import { WorkList } from './work-list';
import './gallery.css';

/**
 * The works waiting for a moderator in the galleries the caller looks after (crisis holds first,
 * with their deadline): approve, decline with a reason the author sees, acknowledge a crisis hold.
 */
export class GalleryModeration extends WorkList {
  protected fetch(): Promise<Work[]> {
    return moderationQueue();
  }

  private act(work: Work, action: 'approve' | 'decline' | 'acknowledge'): Promise<void> {
    const reason = this.querySelector<HTMLTextAreaElement>(`#reason-${work.id}`)?.value ?? '';
    return this.attempt(async () => {
      if (action === 'acknowledge') await acknowledgeWork(work.id);
      else await decideWork(work.id, action, reason);
      this.status = t('gallery.moderation.done');
      await this.load();
      this.querySelector<HTMLElement>('#gallery-moderation-heading')?.focus();
    });
  }

  private crisis(work: Work) {
    if (!work.crisis) return nothing;
    if (work.crisis.acknowledged) return html`<p>${t('gallery.moderation.acknowledged')}</p>`;
    const by = work.crisis.acknowledge_by;
    const time = by ? `${formatDate(by)} ${formatTime(by)}` : '';
    return html`<p class="gallery-crisis">${t('gallery.moderation.crisis', { time })}</p>`;
  }

  override render() {
    return html`
      <section aria-labelledby="gallery-moderation-heading">
        <h1 id="gallery-moderation-heading" tabindex="-1">${t('gallery.moderation.title')}</h1>
        ${this.notices(t('gallery.moderation.none'))}
        <ul role="list" class="gallery-grid">
          ${this.works.map(
            (work) => html`<li class="gallery-work">
              <article aria-labelledby=${`work-${work.id}`}>
                ${workBody(work)}
                <p class="hint">${t('gallery.moderation.in', { community: work.group ?? work.community })}</p>
                ${this.crisis(work)}
                ${work.reasons.length
                  ? html`<p class="hint">${t('gallery.moderation.reasons', { reasons: work.reasons.join(', ') })}</p>`
                  : nothing}
                ${work.open_reports ? html`<p>${t('gallery.moderation.reports', { count: work.open_reports })}</p>` : nothing}
                <label for=${`reason-${work.id}`}>${t('gallery.moderation.reason')}</label>
                <textarea id=${`reason-${work.id}`} rows="2" maxlength="500"></textarea>
                <div class="gallery-actions">
                  <button type="button" @click=${() => this.act(work, 'approve')}>${t('gallery.moderation.approve')}</button>
                  <button type="button" @click=${() => this.act(work, 'decline')}>${t('gallery.moderation.decline')}</button>
                  ${work.crisis && !work.crisis.acknowledged
                    ? html`<button type="button" @click=${() => this.act(work, 'acknowledge')}>
                        ${t('gallery.moderation.acknowledge')}
                      </button>`
                    : nothing}
                </div>
              </article>
            </li>`,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-gallery-moderation', GalleryModeration);

declare global {
  interface HTMLElementTagNameMap {
    'cv-gallery-moderation': GalleryModeration;
  }
}
