import { html, nothing } from 'lit';
import type { Account } from '../../api/auth';
import {
  assign,
  setHandled,
  thread as loadThread,
  threads,
  type Thread,
  type Triage,
} from '../../api/messaging';
import { LightElement } from '../../components/light-element';
import { NOTICES_CHANGED } from '../../components/notification-bell';
import { t } from '../../i18n';
import { showThreadInUrl } from './messages-page';
import { messagingError, when } from './thread-view';
import './thread-view';

const TRIAGE: readonly Triage[] = ['unassigned', 'mine', 'all'];

/**
 * The clinician's message inbox: their patients' threads, unassigned / assigned to me / all,
 * open ones only unless asked; `?patient=<id>` narrows it to one patient. A thread is taken on
 * (assigned to me, or given back), answered and marked handled.
 */
export class InboxPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    triage: { state: true },
    showHandled: { state: true },
    list: { state: true },
    chosen: { state: true },
    error: { state: true },
    status: { state: true },
    loaded: { state: true },
  };

  declare account: Account | null;
  declare triage: Triage;
  declare showHandled: boolean;
  declare list: Thread[];
  declare chosen: Thread | null;
  declare error: string;
  declare status: string;
  declare loaded: boolean;

  private patient: string | null = null;

  constructor() {
    super();
    this.account = null;
    this.triage = 'all';
    this.showHandled = false;
    this.list = [];
    this.chosen = null;
    this.error = '';
    this.status = '';
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const query = new URLSearchParams(location.search);
    this.patient = query.get('patient');
    void this.load(query.get('thread'));
  }

  private async load(open: string | null = null): Promise<void> {
    try {
      this.list = await threads({
        triage: this.triage,
        handled: this.showHandled,
        ...(this.patient ? { patient: this.patient } : {}),
      });
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
      showThreadInUrl(id);
      window.dispatchEvent(new CustomEvent(NOTICES_CHANGED));
      void this.focusById('thread-title');
    } catch (error) {
      this.error = messagingError(error);
    }
  }

  private async change(work: (id: string) => Promise<Thread>, done: string): Promise<void> {
    const chosen = this.chosen;
    if (!chosen) return;
    this.error = '';
    try {
      await work(chosen.id);
      this.chosen = await loadThread(chosen.id);
      this.status = done;
      await this.load();
    } catch (error) {
      this.error = messagingError(error);
    }
  }

  private renderTriage() {
    return html`
      <div class="triage" role="group" aria-label=${t('inbox.filter')}>
        ${TRIAGE.map(
          (choice) => html`<button
            class="button ${this.triage === choice ? 'button--primary' : 'button--secondary'}"
            type="button"
            aria-pressed=${this.triage === choice ? 'true' : 'false'}
            @click=${() => {
              this.triage = choice;
              void this.load();
            }}
          >
            ${t(`inbox.triage.${choice}`)}
          </button>`,
        )}
      </div>
      <div class="choice">
        <input
          id="show-handled"
          type="checkbox"
          .checked=${this.showHandled}
          @change=${(e: Event) => {
            this.showHandled = (e.target as HTMLInputElement).checked;
            void this.load();
          }}
        />
        <label for="show-handled">${t('inbox.showHandled')}</label>
      </div>
    `;
  }

  private renderList() {
    if (!this.loaded) return html`<p class="loading" role="status">${t('app.loading')}</p>`;
    if (this.list.length === 0) return html`<p>${t('inbox.none')}</p>`;
    return html`<ul class="thread-list" role="list">
      ${this.list.map(
        (th) => html`<li>
          <button
            class="thread-list__item ${th.unread ? 'is-unread' : ''}"
            type="button"
            aria-current=${this.chosen?.id === th.id ? 'true' : 'false'}
            @click=${() => this.choose(th.id)}
          >
            <span class="thread-list__subject">${th.patient_name}: ${th.subject}</span>
            <span class="thread-list__meta">
              ${when(th.last_message_at)} ·
              ${th.assigned_name ? t('inbox.assignedTo', { name: th.assigned_name }) : t('inbox.unassigned')}
              ${th.handled ? html` · ${t('inbox.handled')}` : nothing}
              ${th.unread ? html` · <strong>${t('messages.unread')}</strong>` : nothing}
            </span>
          </button>
        </li>`,
      )}
    </ul>`;
  }

  private renderActions(chosen: Thread) {
    const me = this.account?.id ?? '';
    const mine = chosen.assigned_to === me;
    return html`
      <div class="actions thread-actions">
        <button
          class="button button--secondary"
          type="button"
          @click=${() =>
            this.change((id) => assign(id, mine ? null : me), t(mine ? 'inbox.givenBack' : 'inbox.taken'))}
        >
          ${t(mine ? 'inbox.unassign' : 'inbox.assignToMe')}
        </button>
        <button
          class="button button--secondary"
          type="button"
          @click=${() =>
            this.change(
              (id) => setHandled(id, !chosen.handled),
              t(chosen.handled ? 'inbox.reopened' : 'inbox.markedHandled'),
            )}
        >
          ${t(chosen.handled ? 'inbox.reopen' : 'inbox.markHandled')}
        </button>
      </div>
    `;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('inbox.title')}</h1>
        <p class="lead">${t(this.patient ? 'inbox.introPatient' : 'inbox.intro')}</p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        <p class="notice" role="status">${this.status || nothing}</p>
      </div>
      <div class="messaging-layout">
        <section class="panel" aria-labelledby="inbox-threads-title">
          <h2 id="inbox-threads-title">${t('messages.threads')}</h2>
          ${this.renderTriage()} ${this.renderList()}
        </section>
        <div class="messaging-layout__main">
          ${this.chosen
            ? html`${this.renderActions(this.chosen)}
                <cv-thread-view
                  .thread=${this.chosen}
                  side="care_team"
                  @cv-thread-changed=${async (e: CustomEvent<Thread>) => {
                    this.chosen = e.detail;
                    await this.load();
                  }}
                ></cv-thread-view>`
            : nothing}
        </div>
      </div>
    `;
  }
}

customElements.define('cv-inbox-page', InboxPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-inbox-page': InboxPage;
  }
}
