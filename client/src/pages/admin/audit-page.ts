import { html, nothing } from 'lit';
import {
  searchAudit,
  verifyAuditChain,
  type AuditChain,
  type AuditEntry,
  type AuditOutcome,
  type AuditSearch,
} from '../../api/admin';
import { LightElement } from '../../components/light-element';
import { Feedback } from '../../controllers/feedback';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import './admin.css';

const PAGE_SIZE = 50;
const OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failure'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z0-9][a-z0-9.-]{0,63}$/;

interface AuditFilters {
  actor: string;
  patient: string;
  action: string;
  outcome: AuditOutcome | '';
  since: string;
  until: string;
}

/** A `datetime-local` value (the viewer's local time) as an ISO instant, or null. */
function instant(local: string): string | null {
  if (!local) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * The admin's "Audit": whether the tamper-evident chain verifies now, and the trail itself,
 * newest first, filtered by who, whose record, what, outcome and time, a page at a time.
 */
export class AuditPage extends LightElement {
  static override properties = {
    entries: { state: true },
    next: { state: true },
    loaded: { state: true },
  };

  declare entries: AuditEntry[];
  declare next: number | null;
  declare loaded: boolean;

  private readonly feedback = new Feedback(this);
  private filters: AuditFilters = { actor: '', patient: '', action: '', outcome: '', since: '', until: '' };
  private search: AuditSearch = {};
  private chain = new LoadingController<AuditChain>(this, () => verifyAuditChain(), { keep: true });

  constructor() {
    super();
    this.entries = [];
    this.next = null;
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load(false);
  }

  private async load(more: boolean): Promise<void> {
    const query: AuditSearch = { ...this.search, limit: PAGE_SIZE };
    if (more && this.next) query.before_seq = this.next;
    const first = this.entries.length;
    const done = await this.feedback.run('load', async () => {
      const page = await searchAudit(query);
      this.entries = more ? [...this.entries, ...page.entries] : page.entries;
      this.next = page.next_before_seq;
      this.loaded = true;
    });
    if (done && more) await this.focusById(`audit-row-${first}`);
  }

  /** The filters as a search, or the message of the first one that is not valid. */
  private parse(): AuditSearch | string {
    const f = this.filters;
    const search: AuditSearch = {};
    if (f.actor.trim()) {
      if (!UUID.test(f.actor.trim())) return t('admin.audit.badId', { field: t('admin.audit.actor') });
      search.actor_id = f.actor.trim();
    }
    if (f.patient.trim()) {
      if (!UUID.test(f.patient.trim())) return t('admin.audit.badId', { field: t('admin.audit.patient') });
      search.patient_id = f.patient.trim();
    }
    if (f.action.trim()) {
      if (!ACTION.test(f.action.trim())) return t('admin.audit.badAction');
      search.action = f.action.trim();
    }
    if (f.outcome) search.outcome = f.outcome;
    const since = instant(f.since);
    const until = instant(f.until);
    if (since && until && since > until) return t('admin.audit.badRange');
    if (since) search.since = since;
    if (until) search.until = until;
    return search;
  }

  private async onFilter(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const parsed = this.parse();
    if (typeof parsed === 'string') {
      await this.feedback.failWith(parsed);
      return;
    }
    this.search = parsed;
    await this.load(false);
    await this.feedback.say(t('admin.audit.shown', { count: this.entries.length }));
  }

  private set(field: keyof AuditFilters) {
    return (event: Event) => {
      this.filters = { ...this.filters, [field]: (event.target as HTMLInputElement).value };
    };
  }

  private renderChain(chain: AuditChain) {
    return html`
      <p class="admin-chain ${chain.ok ? 'admin-chain--ok' : 'admin-chain--bad'}">
        <span class="badge ${chain.ok ? 'badge--on' : 'badge--alert'}">
          ${chain.ok ? t('admin.audit.chainOk') : t('admin.audit.chainBad')}
        </span>
        ${chain.ok
          ? t('admin.audit.chainOkDetail', { count: chain.rows })
          : t('admin.audit.chainBadDetail', { seq: chain.first_bad_seq ?? 0, reason: chain.reason ?? '' })}
        ${t('admin.audit.checkedAt', { date: formatDate(chain.checked_at), time: formatTime(chain.checked_at) })}
      </p>
    `;
  }

  private renderFilters() {
    const text = (id: string, field: keyof AuditFilters, label: MessageKey, hint?: MessageKey) => html`
      <div class="field">
        <label for=${id}>${t(label)}</label>
        ${hint ? html`<p class="field-hint" id="${id}-hint">${t(hint)}</p>` : nothing}
        <input id=${id} .value=${this.filters[field]} spellcheck="false" autocomplete="off"
          aria-describedby=${hint ? `${id}-hint` : nothing} @input=${this.set(field)} />
      </div>
    `;
    return html`
      <form class="admin-filters" role="search" aria-label=${t('admin.audit.filters')} @submit=${this.onFilter}>
        ${text('audit-actor', 'actor', 'admin.audit.actor', 'admin.audit.idHint')}
        ${text('audit-patient', 'patient', 'admin.audit.patient', 'admin.audit.idHint')}
        ${text('audit-action', 'action', 'admin.audit.action', 'admin.audit.actionHint')}
        <div class="field">
          <label for="audit-outcome">${t('admin.audit.outcome')}</label>
          <select id="audit-outcome" @change=${this.set('outcome')}>
            <option value="">${t('admin.any')}</option>
            ${OUTCOMES.map((o) => html`<option value=${o}>${t(`admin.audit.outcome.${o}` as MessageKey)}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="audit-since">${t('admin.audit.since')}</label>
          <input id="audit-since" type="datetime-local" @input=${this.set('since')} />
        </div>
        <div class="field">
          <label for="audit-until">${t('admin.audit.until')}</label>
          <input id="audit-until" type="datetime-local" @input=${this.set('until')} />
        </div>
        <button class="button button--primary" type="submit">${t('admin.audit.apply')}</button>
      </form>
    `;
  }

  private renderRow(entry: AuditEntry, index: number) {
    return html`
      <tr id="audit-row-${index}" tabindex="-1">
        <td>${formatDate(entry.at)} ${formatTime(entry.at)}</td>
        <td>
          ${entry.actor_name ?? (entry.actor_id ? entry.actor_id : t('admin.audit.system'))}
          ${entry.actor_role ? html`<span class="admin-meta">${t(`role.${entry.actor_role}` as MessageKey)}</span>` : nothing}
        </td>
        <td><code>${entry.action}</code></td>
        <td>${t(`admin.audit.outcome.${entry.outcome}` as MessageKey)}</td>
        <td class="admin-id">${entry.patient_id ?? ''}</td>
        <td class="admin-id">${entry.resource_type ?? ''} ${entry.resource_id ?? ''}</td>
      </tr>
    `;
  }

  private renderEntries() {
    if (!this.loaded) return nothing;
    if (this.entries.length === 0) return html`<p class="empty">${t('admin.audit.none')}</p>`;
    return html`
      <div class="table-scroll">
        <table class="admin-table">
          <caption class="visually-hidden">${t('admin.audit.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">${t('admin.audit.when')}</th>
              <th scope="col">${t('admin.audit.who')}</th>
              <th scope="col">${t('admin.audit.action')}</th>
              <th scope="col">${t('admin.audit.outcome')}</th>
              <th scope="col">${t('admin.audit.patient')}</th>
              <th scope="col">${t('admin.audit.resource')}</th>
            </tr>
          </thead>
          <tbody>${this.entries.map((e, i) => this.renderRow(e, i))}</tbody>
        </table>
      </div>
      ${this.next
        ? html`<p><button class="button button--secondary" type="button" @click=${() => this.load(true)}>
            ${t('admin.audit.older')}
          </button></p>`
        : nothing}
    `;
  }

  override render() {
    return html`
      <div class="panel">
        <h1>${t('area.audit.title')}</h1>
        <section aria-labelledby="audit-chain-title">
          <h2 id="audit-chain-title">${t('admin.audit.chainTitle')}</h2>
          ${this.chain.render((chain) => this.renderChain(chain))}
          <button class="button button--secondary" type="button" @click=${() => this.chain.load()}>
            ${t('admin.audit.verifyAgain')}
          </button>
        </section>
        <section aria-labelledby="audit-trail-title">
          <h2 id="audit-trail-title">${t('admin.audit.trailTitle')}</h2>
          ${this.renderFilters()} ${this.feedback.render()} ${this.renderEntries()}
        </section>
      </div>
    `;
  }
}

customElements.define('cv-admin-audit', AuditPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-admin-audit': AuditPage;
  }
}
