import { html, nothing } from 'lit';
import { flagPost, type FlagReason } from '../../api/moderation';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';

const REASONS: FlagReason[] = ['inappropriate', 'spam', 'off_topic', 'crisis', 'patient_details', 'other'];

/**
 * "Report this post": a disclosure under another member's post with a reason and an optional
 * note for the moderators (`POST /api/community/posts/{id}/flags`). The reporter stays anonymous
 * to the author; the answer is announced as a status and the form closes.
 */
export class FlagPost extends LightElement {
  static override properties = {
    postId: {},
    sent: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare postId: string;
  declare sent: boolean;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.postId = '';
    this.sent = false;
    this.error = '';
    this.busy = false;
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const note = String(data.get('note') ?? '').trim();
    this.busy = true;
    this.error = '';
    try {
      await flagPost(this.postId, String(data.get('reason')) as FlagReason, note || undefined);
      this.sent = true;
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  override render() {
    const id = this.postId;
    if (this.sent) return html`<p role="status">${t('community.flag.sent')}</p>`;
    return html`<details class="flag-post">
      <summary>${t('community.flag.open')}</summary>
      <form @submit=${this.send} aria-label=${t('community.flag.form')}>
        <label for=${`flag-reason-${id}`}>${t('community.flag.reason')}</label>
        <select id=${`flag-reason-${id}`} name="reason">
          ${REASONS.map((r) => html`<option value=${r}>${t(`community.flag.reason.${r}` as MessageKey)}</option>`)}
        </select>
        <label for=${`flag-note-${id}`}>${t('community.flag.note')}</label>
        <textarea id=${`flag-note-${id}`} name="note" rows="2" maxlength="1000"></textarea>
        <button type="submit" ?disabled=${this.busy}>${t('community.flag.send')}</button>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </form>
    </details>`;
  }
}

customElements.define('cv-flag-post', FlagPost);

declare global {
  interface HTMLElementTagNameMap {
    'cv-flag-post': FlagPost;
  }
}
