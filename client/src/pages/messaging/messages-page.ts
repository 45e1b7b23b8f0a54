import { html, nothing } from 'lit';
import type { Account } from '../../api/auth';
import { startThread, thread as loadThread, threads, type Thread } from '../../api/messaging';
import { delegations } from '../../api/privacy';
import { LightElement } from '../../components/light-element';
import { NOTICES_CHANGED } from '../../components/notification-bell';
import { t } from '../../i18n';
import { ACCEPT, messagingError, when } from './thread-view';
import './thread-view';

/** Keep `?thread=<id>` in the address without a new page (a notice links straight to it). */
export function showThreadInUrl(id: string | null): void {
  const url = new URL(location.href);
  if (id) url.searchParams.set('thread', id);
  else url.searchParams.delete('thread');
  history.replaceState(history.state, '', url.pathname + url.search);
}

/**
 * "Messages" for a patient (or a caregiver with a messages delegation): their conversations with
 * the care team, a new message with an optional attachment, and the chosen conversation.
 */
export class MessagesPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    list: { state: true },
    chosen: { state: true },
    composing: { state: true },
    people: { state: true },
    busy: { state: true },
    error: { state: true },
    loaded: { state: true },
  };

  declare account: Account | null;
  declare list: Thread[];
  declare chosen: Thread | null;
  declare composing: boolean;
  declare people: { id: string; name: string }[];
  declare busy: boolean;
  declare error: string;
  declare loaded: boolean;

  constructor() {
    super();
    this.account = null;
    this.list = [];
    this.chosen = null;
    this.composing = false;
    this.people = [];
    this.busy = false;
    this.error = '';
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(new URLSearchParams(location.search).get('thread'));
  }

  private async load(open: string | null = null): Promise<void> {
    try {
      this.list = await threads();
      if (this.account?.role === 'caregiver' && this.people.length === 0) {
        const held = await delegations();
        const seen = new Map<string, string>();
        for (const d of held) if (d.active) seen.set(d.patient_id, d.patient_name);
        this.people = [...seen].map(([id, name]) => ({ id, name }));
      }
      if (open) await this.choose(open);
    } catch (error) {
      this.error = messagingError(error);
    } finally {
      this.loaded = true;
    }
  }

  private async choose(id: string): Promise<void> {
    try {
      this.chosen = await loadThread(id);
      this.composing = false;
      showThreadInUrl(id);
      window.dispatchEvent(new CustomEvent(NOTICES_CHANGED));
      void this.focusById('thread-title');
    } catch (error) {
      this.error = messagingError(error);
    }
  }

  private async compose(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const formEl = event.currentTarget as HTMLFormElement;
    const data = new FormData(formEl);
    const subject = String(data.get('subject') ?? '').trim();
    const body = String(data.get('body') ?? '').trim();
    const patient = String(data.get('patient') ?? '') || undefined;
    const file = formEl.querySelector<HTMLInputElement>('input[type=file]')?.files?.[0] ?? null;
    if (!subject || !body) {
      this.error = t(subject ? 'messages.bodyRequired' : 'messages.subjectRequired');
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const made = await startThread(subject, body, file, patient);
      formEl.reset();
      this.composing = false;
      this.list = await threads();
      this.chosen = made;
      showThreadInUrl(made.id);
      void this.focusById('thread-title');
    } catch (error) {
      this.error = messagingError(error);
    } finally {
      this.busy = false;
    }
  }

  private renderCompose() {
    const caregiver = this.account?.role === 'caregiver';
    return html`
      <form class="panel" novalidate @submit=${this.compose} aria-labelledby="compose-title">
        <h2 id="compose-title" tabindex="-1">${t('messages.new')}</h2>
        ${caregiver
          ? html`<div class="field">
              <label for="compose-patient">${t('messages.person')}</label>
              <select id="compose-patient" name="patient" required>
                ${this.people.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
              </select>
            </div>`
          : nothing}
        <div class="field">
          <label for="compose-subject">${t('messages.subject')}</label>
          <input id="compose-subject" name="subject" type="text" maxlength="200" required />
        </div>
        <div class="field">
          <label for="compose-body">${t('messages.body')}</label>
          <textarea id="compose-body" name="body" rows="4" maxlength="5000" required></textarea>
        </div>
        <div class="field">
          <label for="compose-file">${t('messages.attach')} <span class="field-optional">${t('form.optionalMarker')}</span></label>
          <input id="compose-file" name="file" type="file" accept=${ACCEPT} aria-describedby="compose-file-hint" />
          <p class="field-hint" id="compose-file-hint">${t('messages.attachHint')}</p>
        </div>
        <div class="actions">
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${this.busy ? t('form.working') : t('messages.send')}
          </button>
          <button class="button" type="button" @click=${() => (this.composing = false)}>${t('form.cancel')}</button>
        </div>
      </form>
    `;
  }

  private renderList() {
    if (!this.loaded) return html`<p class="loading" role="status">${t('app.loading')}</p>`;
    if (this.list.length === 0) return html`<p>${t('messages.none')}</p>`;
    return html`<ul class="thread-list" role="list">
      ${this.list.map(
        (th) => html`<li>
          <button
            class="thread-list__item ${th.unread ? 'is-unread' : ''}"
            type="button"
            aria-current=${this.chosen?.id === th.id ? 'true' : 'false'}
            @click=${() => this.choose(th.id)}
          >
            <span class="thread-list__subject">${th.subject}</span>
            <span class="thread-list__meta">
              ${this.account?.role === 'caregiver' ? html`${th.patient_name} · ` : nothing}${when(th.last_message_at)}
              ${th.unread ? html` · <strong>${t('messages.unread')}</strong>` : nothing}
            </span>
          </button>
        </li>`,
      )}
    </ul>`;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('messages.title')}</h1>
        <p class="lead">${t('messages.intro')}</p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
      </div>
      <div class="messaging-layout">
        <section class="panel" aria-labelledby="threads-title">
          <h2 id="threads-title">${t('messages.threads')}</h2>
          <button
            class="button button--primary"
            type="button"
            @click=${() => {
              this.composing = true;
              this.chosen = null;
              showThreadInUrl(null);
              void this.focusById('compose-title');
            }}
          >
            ${t('messages.new')}
          </button>
          ${this.renderList()}
        </section>
        <div class="messaging-layout__main">
          ${this.composing ? this.renderCompose() : nothing}
          ${this.chosen
            ? html`<cv-thread-view
                .thread=${this.chosen}
                side="patient"
                @cv-thread-changed=${async (e: CustomEvent<Thread>) => {
                  this.chosen = e.detail;
                  this.list = await threads();
                }}
              ></cv-thread-view>`
            : nothing}
        </div>
      </div>
    `;
  }
}

customElements.define('cv-messages-page', MessagesPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-messages-page': MessagesPage;
  }
}
