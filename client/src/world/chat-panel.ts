import { html, nothing } from 'lit';
import { LightElement } from '../components/light-element';
import '../components/translated-text';
import { t } from '../i18n';
import type { ChatScope } from './connection';
import { EMOTES, emoteLabel } from './labels';

/** One line of the chat log: a message, an emote, or a note from the room. */
export interface ChatEntry {
  key: number;
  kind: 'chat' | 'emote' | 'room';
  /** Who wrote it (empty for notes from the room). */
  name: string;
  text: string;
  scope: ChatScope;
  /** For private messages: the other person's name (to whom, or from whom). */
  other: string;
  self: boolean;
  /** Seconds since the epoch. */
  at: number;
}

export interface Recipient {
  id: string;
  name: string;
}

export interface SendChatDetail {
  text: string;
  scope: ChatScope;
  to?: string;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The space's chat: a log (announced politely to screen readers as lines arrive) and a form to
 * write to everyone, to people near you, or privately to one person; emote buttons beneath.
 * Fires `send-chat` ({text, scope, to}) and `emote` ({name}).
 */
export class ChatPanel extends LightElement {
  static override properties = {
    entries: { attribute: false },
    recipients: { attribute: false },
    notice: { type: String },
    disabled: { type: Boolean },
    scope: { state: true },
    to: { state: true },
  };

  declare entries: ChatEntry[];
  declare recipients: Recipient[];
  declare notice: string;
  declare disabled: boolean;
  declare scope: ChatScope;
  declare to: string;

  constructor() {
    super();
    this.entries = [];
    this.recipients = [];
    this.notice = '';
    this.disabled = false;
    this.scope = 'space';
    this.to = '';
  }

  /** Write privately to someone (from the people list). */
  async writeTo(id: string): Promise<void> {
    this.scope = 'private';
    this.to = id;
    await this.updateComplete;
    this.querySelector<HTMLInputElement>('#chat-text')?.focus();
  }

  /** Whether the log was scrolled to its end before this render (then it follows new lines). */
  private following = true;

  protected override willUpdate(changed: Map<string, unknown>): void {
    const log = this.querySelector('.chat-log');
    if (changed.has('entries') && log) {
      this.following = log.scrollTop + log.clientHeight >= log.scrollHeight - 24;
    }
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('entries') && this.following) {
      const log = this.querySelector('.chat-log');
      if (log) log.scrollTop = log.scrollHeight;
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.querySelector<HTMLInputElement>('#chat-text');
    const text = input?.value.trim() ?? '';
    if (!text || this.disabled) return;
    if (this.scope === 'private' && !this.to) {
      this.querySelector<HTMLSelectElement>('#chat-to')?.focus();
      return;
    }
    const detail: SendChatDetail =
      this.scope === 'private' ? { text, scope: 'private', to: this.to } : { text, scope: this.scope };
    this.dispatchEvent(new CustomEvent('send-chat', { detail, bubbles: true }));
    if (input) input.value = '';
  }

  private line(entry: ChatEntry) {
    const time = html`<time class="chat-time" datetime=${new Date(entry.at * 1000).toISOString()}>${TIME.format(entry.at * 1000)}</time>`;
    if (entry.kind !== 'chat') {
      return html`<li class="chat-line chat-line--note">${time} ${entry.text}</li>`;
    }
    let scope = '';
    if (entry.scope === 'nearby') scope = t('world.chat.scopeNearby');
    else if (entry.scope === 'private') {
      scope = entry.self
        ? t('world.chat.privateTo', { name: entry.other || t('world.chat.someone') })
        : t('world.chat.privateFrom');
    }
    return html`<li class="chat-line ${entry.scope === 'private' ? 'chat-line--private' : ''}">
      ${time}
      <span class="chat-name">${entry.self ? t('world.chat.you') : entry.name}</span>${scope
        ? html` <span class="chat-scope">(${scope})</span>`
        : nothing}:
      <cv-translated-text class="chat-text" .text=${entry.text} ?mine=${entry.self}></cv-translated-text>
    </li>`;
  }

  override render() {
    const recipients = this.recipients;
    const known = recipients.some((r) => r.id === this.to);
    return html`
      <section class="world-panel" aria-labelledby="chat-title">
        <h2 id="chat-title">${t('world.chat.title')}</h2>
        <div class="chat-log" role="log" aria-labelledby="chat-title" tabindex="0">
          <ul role="list">
            ${this.entries.length === 0
              ? html`<li class="chat-line chat-line--note">${t('world.chat.empty')}</li>`
              : this.entries.map((entry) => this.line(entry))}
          </ul>
        </div>
        <div class="form-error" role="alert">${this.notice || nothing}</div>
        <form class="chat-form" @submit=${this.onSubmit} novalidate>
          <div class="chat-form__row">
            <div class="field">
              <label for="chat-scope">${t('world.chat.to')}</label>
              <select
                id="chat-scope"
                .value=${this.scope}
                @change=${(e: Event) => (this.scope = (e.target as HTMLSelectElement).value as ChatScope)}
              >
                <option value="space" ?selected=${this.scope === 'space'}>${t('world.chat.scope.space')}</option>
                <option value="nearby" ?selected=${this.scope === 'nearby'}>${t('world.chat.scope.nearby')}</option>
                <option value="private" ?selected=${this.scope === 'private'}>${t('world.chat.scope.private')}</option>
              </select>
            </div>
            ${this.scope === 'private'
              ? html`<div class="field">
                  <label for="chat-to">${t('world.chat.person')}</label>
                  <select id="chat-to" @change=${(e: Event) => (this.to = (e.target as HTMLSelectElement).value)}>
                    <option value="" ?selected=${!known}>${t('world.chat.choosePerson')}</option>
                    ${recipients.map(
                      (r) => html`<option value=${r.id} ?selected=${r.id === this.to}>${r.name}</option>`,
                    )}
                  </select>
                </div>`
              : nothing}
          </div>
          <div class="chat-form__row chat-form__row--send">
            <div class="field">
              <label for="chat-text">${t('world.chat.message')}</label>
              <input id="chat-text" type="text" maxlength="1000" autocomplete="off" ?disabled=${this.disabled} />
            </div>
            <button class="button button--primary" type="submit" ?disabled=${this.disabled}>
              ${t('world.chat.send')}
            </button>
          </div>
        </form>
        <div class="world-emotes" role="group" aria-label=${t('world.emote.group')}>
          ${EMOTES.map(
            (name) => html`<button
              class="button button--quiet"
              type="button"
              ?disabled=${this.disabled}
              @click=${() => this.dispatchEvent(new CustomEvent('emote', { detail: { name }, bubbles: true }))}
            >
              ${emoteLabel(name)}
            </button>`,
          )}
        </div>
      </section>
    `;
  }
}

customElements.define('cv-chat-panel', ChatPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-chat-panel': ChatPanel;
  }
}
