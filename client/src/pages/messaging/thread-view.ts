import { html, nothing } from 'lit';
import { download } from '../../api/http';
import { markThreadRead, reply, type Thread, type ThreadMessage } from '../../api/messaging';
import { ApiError } from '../../api/http';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import '../../components/translated-text';
import { t } from '../../i18n';

/** What the file picker offers; the server checks the bytes themselves. */
export const ACCEPT = 'application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg';

/** The error in words, with messaging's own refusals named plainly. */
export function messagingError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'attachment_too_large') return t('messages.error.tooLarge');
    if (error.code === 'unsupported_attachment') return t('messages.error.type');
    if (error.code === 'no_care_team') return t('messages.error.noCareTeam');
  }
  return describeError(error);
}

export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * One conversation: its messages (the caller's side on the right), attachments to download, read
 * receipts under the caller's own messages, and a reply form with an optional attachment. Marks
 * the thread read when shown. Fires `cv-thread-changed` (detail: the thread) after a reply.
 */
export class ThreadView extends LightElement {
  static override properties = {
    thread: { attribute: false },
    side: { type: String },
    draft: { state: true },
    busy: { state: true },
    error: { state: true },
    sentNotice: { state: true },
  };

  declare thread: Thread | null;
  /** The caller's side: `patient` or `care_team`. */
  declare side: string;
  declare draft: string;
  declare busy: boolean;
  declare error: string;
  declare sentNotice: string;

  private markedFor = '';

  constructor() {
    super();
    this.thread = null;
    this.side = 'patient';
    this.draft = '';
    this.busy = false;
    this.error = '';
    this.sentNotice = '';
  }

  override updated(): void {
    const thread = this.thread;
    if (thread && this.markedFor !== `${thread.id}:${thread.last_message_at}`) {
      this.markedFor = `${thread.id}:${thread.last_message_at}`;
      void markThreadRead(thread.id).catch(() => undefined);
    }
  }

  private async send(event: Event): Promise<void> {
    event.preventDefault();
    const thread = this.thread;
    if (!thread || this.busy) return;
    const formEl = event.currentTarget as HTMLFormElement;
    const input = formEl.querySelector<HTMLInputElement>('input[type=file]');
    const file = input?.files?.[0] ?? null;
    if (!this.draft.trim()) {
      this.error = t('messages.bodyRequired');
      return;
    }
    this.busy = true;
    this.error = '';
    this.sentNotice = '';
    try {
      const updated = await reply(thread.id, this.draft, file);
      this.draft = '';
      if (input) input.value = '';
      this.sentNotice = t('messages.sent');
      this.dispatchEvent(new CustomEvent('cv-thread-changed', { detail: updated, bubbles: true }));
    } catch (error) {
      this.error = messagingError(error);
    } finally {
      this.busy = false;
    }
  }

  private async open(url: string, name: string): Promise<void> {
    try {
      const file = await download(url, name);
      const href = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = href;
      link.download = file.filename;
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(href), 10_000);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private renderMessage(message: ThreadMessage) {
    const mine = message.side === this.side;
    const author =
      message.author_name || t(message.side === 'care_team' ? 'messages.careTeam' : 'messages.patientSide');
    return html`
      <li class="message ${mine ? 'message--mine' : ''}">
        <p class="message__meta">
          <span class="message__author">${author}</span>
          <time datetime=${message.created_at}>${when(message.created_at)}</time>
        </p>
        <p class="message__body"><cv-translated-text .text=${message.body} ?mine=${mine}></cv-translated-text></p>
        ${message.attachments.length
          ? html`<ul class="message__files" role="list">
              ${message.attachments.map(
                (a) => html`<li>
                  <button class="button button--quiet" type="button" @click=${() => this.open(a.url, a.filename)}>
                    ${t('messages.download', { name: a.filename, size: Math.max(1, Math.round(a.size / 1024)) })}
                  </button>
                </li>`,
              )}
            </ul>`
          : nothing}
        ${mine
          ? html`<p class="message__receipt">
              ${message.read_by_other_side_at
                ? t('messages.readAt', { when: when(message.read_by_other_side_at) })
                : t('messages.notRead')}
            </p>`
          : nothing}
      </li>
    `;
  }

  override render() {
    const thread = this.thread;
    if (!thread) return nothing;
    return html`
      <section class="panel thread" aria-labelledby="thread-title">
        <h2 id="thread-title" tabindex="-1">${thread.subject}</h2>
        ${this.side === 'care_team' ? html`<p class="hint">${t('messages.about', { name: thread.patient_name })}</p>` : nothing}
        <ol class="messages" role="list" aria-label=${t('messages.conversation')}>
          ${thread.messages.map((m) => this.renderMessage(m))}
        </ol>
        <form class="reply" novalidate @submit=${this.send}>
          <div class="field">
            <label for="reply-body">${t('messages.reply')}</label>
            <textarea
              id="reply-body"
              rows="3"
              maxlength="5000"
              .value=${this.draft}
              @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}
            ></textarea>
          </div>
          <div class="field">
            <label for="reply-file">${t('messages.attach')} <span class="field-optional">${t('form.optionalMarker')}</span></label>
            <input id="reply-file" type="file" accept=${ACCEPT} aria-describedby="reply-file-hint" />
            <p class="field-hint" id="reply-file-hint">${t('messages.attachHint')}</p>
          </div>
          <div class="form-error" role="alert">${this.error || nothing}</div>
          <p class="notice" role="status">${this.sentNotice || nothing}</p>
          <div class="actions">
            <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
              ${this.busy ? t('form.working') : t('messages.send')}
            </button>
          </div>
        </form>
      </section>
    `;
  }
}

customElements.define('cv-thread-view', ThreadView);

declare global {
  interface HTMLElementTagNameMap {
    'cv-thread-view': ThreadView;
  }
}
