import { html, nothing } from 'lit';
import { accessLog, type AccessLogEntry } from '../../api/privacy';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';

/** How many entries show at first, and how many more each "show older" adds. */
const PAGE_SIZE = 20;

/** What each kind of access did, as a sentence about the patient's record. */
const SENTENCES: Record<string, MessageKey> = {
  'record.read': 'access.recordRead',
  'record.write': 'access.recordWrite',
  'vitals.read': 'access.vitalsRead',
  'vitals.write': 'access.vitalsWrite',
  'appointments.read': 'access.appointmentsRead',
  'appointments.write': 'access.appointmentsWrite',
  'consults.read': 'access.consultsRead',
  'consults.write': 'access.consultsWrite',
  'messages.read': 'access.messagesRead',
  'messages.write': 'access.messagesWrite',
  'record.export': 'access.recordExport',
  'consent.grant': 'access.consentGrant',
  'consent.revoke': 'access.consentRevoke',
  'delegation.grant': 'access.delegationGrant',
  'delegation.revoke': 'access.delegationRevoke',
  'care-relationship.create': 'access.careTeamAdd',
  'care-relationship.end': 'access.careTeamEnd',
  'break-glass.start': 'access.breakGlass',
  'audit.read': 'access.auditRead',
  'audit.search': 'access.auditRead',
  'account.create': 'access.accountCreate',
  'account.read': 'access.accountRead',
  'account.password-reset': 'access.accountPasswordReset',
  'account.password-reset-link': 'access.accountPasswordResetLink',
  'account.deactivate': 'access.accountDeactivate',
  'account.reactivate': 'access.accountReactivate',
  'account.rename': 'access.accountRename',
};

/** The same access repeated within a short time, as one sentence with its count and span. */
const REPEATED: Record<string, MessageKey> = {
  'record.read': 'access.recordReadRepeated',
  'vitals.read': 'access.vitalsReadRepeated',
  'appointments.read': 'access.appointmentsReadRepeated',
  'consults.read': 'access.consultsReadRepeated',
  'messages.read': 'access.messagesReadRepeated',
};

/** Why an access was allowed, in the patient's words, by purpose of use. */
const PURPOSE_REASONS: Record<string, MessageKey> = {
  treatment: 'access.reason.treatment',
  research: 'access.reason.research',
  community: 'access.reason.community',
  'org-sharing': 'access.reason.orgSharing',
};

const KNOWN_ROLES = new Set(['patient', 'caregiver', 'clinician', 'moderator', 'researcher', 'admin']);

export function isEmergency(entry: AccessLogEntry): boolean {
  return entry.basis === 'break-glass' || entry.action === 'break-glass.start';
}

function isRefused(entry: AccessLogEntry): boolean {
  return entry.outcome === 'denied';
}

function reasonOf(entry: AccessLogEntry): string | null {
  if (isRefused(entry)) return null;
  if (entry.action === 'break-glass.start') {
    return entry.reason ? t('access.statedReason', { reason: entry.reason }) : null;
  }
  if (entry.basis === 'break-glass') return t('access.reason.emergency');
  if (entry.basis === 'delegation') return t('access.reason.delegation');
  const purpose = entry.purpose ? PURPOSE_REASONS[entry.purpose] : undefined;
  return purpose ? t(purpose) : null;
}

/** One access as a plain sentence: who did what to the record, when, and why. A run of the
 * same access (the server groups them: `count`, from `first` to `last`) is one sentence too:
 * "Dr Rivera viewed your vitals 9 times on 30 Nov between 06:40 and 06:55". */
export function describeAccess(entry: AccessLogEntry): string {
  const params = {
    // An access by a SMART app names the app and the person it acted for.
    name: entry.app_name ? t('access.viaApp', { app: entry.app_name, name: entry.actor_name }) : entry.actor_name,
    date: formatDate(entry.at),
    time: formatTime(entry.at),
  };
  const count = entry.count ?? 1;
  const span = { ...params, count, date: formatDate(entry.first), from: formatTime(entry.first), to: formatTime(entry.last) };
  let key: MessageKey;
  if (count > 1) {
    const repeated = isRefused(entry) ? 'access.deniedRepeated' : REPEATED[entry.action];
    const sentence = repeated
      ? t(repeated, span)
      : t('access.repeated', { sentence: t(SENTENCES[entry.action] ?? 'access.other', params), count, from: span.from });
    const reason = reasonOf(entry);
    return reason ? t('access.withReason', { sentence, reason }) : sentence;
  }
  if (isRefused(entry)) {
    key = entry.action.endsWith('.write') ? 'access.deniedWrite' : 'access.denied';
  } else if (entry.action === 'delegation.revoke' && entry.actor_role === 'caregiver') {
    key = 'access.delegationStepBack';
  } else {
    key = SENTENCES[entry.action] ?? 'access.other';
  }
  const sentence = t(key, params);
  const reason = reasonOf(entry);
  return reason ? t('access.withReason', { sentence, reason }) : sentence;
}

/** "Who has seen my record": the patient's access log, in plain sentences, newest first. */
export class AccessHistory extends LightElement {
  static override properties = {
    shown: { state: true },
  };

  declare shown: number;

  private entries = new LoadingController(this, () => accessLog());

  constructor() {
    super();
    this.shown = PAGE_SIZE;
  }

  private async showMore(): Promise<void> {
    const first = this.shown;
    this.shown += PAGE_SIZE;
    // Keyboard and screen-reader users continue from the first entry just revealed.
    await this.focusById(`access-entry-${first}`);
  }

  private renderEntry(entry: AccessLogEntry, index: number) {
    const emergency = isEmergency(entry);
    const refused = isRefused(entry);
    const role = entry.actor_role && KNOWN_ROLES.has(entry.actor_role) ? entry.actor_role : null;
    return html`
      <li
        class="access-entry ${emergency ? 'access-entry--emergency' : ''} ${refused ? 'access-entry--refused' : ''}"
        id="access-entry-${index}"
        tabindex="-1"
      >
        ${emergency || refused
          ? html`<p class="access-entry__badges">
              ${emergency ? html`<span class="badge badge--alert">${t('access.emergencyBadge')}</span>` : nothing}
              ${refused ? html`<span class="badge badge--off">${t('access.refusedBadge')}</span>` : nothing}
            </p>`
          : nothing}
        <p class="access-entry__sentence">${describeAccess(entry)}</p>
        ${role
          ? html`<p class="access-entry__meta">${t(`role.${role}` as MessageKey)}</p>`
          : nothing}
      </li>
    `;
  }

  private renderEntries(entries: AccessLogEntry[]) {
    if (entries.length === 0) return html`<p class="empty">${t('access.empty')}</p>`;
    const visible = entries.slice(0, this.shown);
    return html`
      <ol class="access-log" role="list">
        ${visible.map((entry, index) => this.renderEntry(entry, index))}
      </ol>
      ${entries.length > this.shown
        ? html`<p>
            <button class="button button--secondary" type="button" @click=${this.showMore}>
              ${t('access.showMore')}
            </button>
          </p>`
        : nothing}
    `;
  }

  override render() {
    return html`
      <section class="panel" id="access" aria-labelledby="access-title">
        <h2 id="access-title">${t('access.title')}</h2>
        <p>${t('access.intro')}</p>
        ${this.entries.render((entries) => this.renderEntries(entries))}
      </section>
    `;
  }
}

customElements.define('cv-access-history', AccessHistory);

declare global {
  interface HTMLElementTagNameMap {
    'cv-access-history': AccessHistory;
  }
}
