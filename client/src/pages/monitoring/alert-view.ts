/** One alert as the clinician sees it: what, why, since when, its state, and what to do. */
import { html, nothing } from 'lit';
import type { Alert, AlertStatus, Severity } from '../../api/monitoring';
import { describeError } from '../../components/errors';
import { t, type MessageKey } from '../../i18n';
import { formatTime } from '../../i18n/format';
import { getAccount } from '../../session';
import { formatAgo, severityText } from './vitals';

const STATUS_KEYS: Record<AlertStatus, MessageKey> = {
  open: 'alert.status.open',
  acknowledged: 'alert.status.acknowledged',
  resolved: 'alert.status.resolved',
};

export function alertStatusText(alert: Alert): string {
  if (alert.status === 'acknowledged' && alert.acknowledged_at) {
    // The server names who acknowledged by account id: "you", or no name.
    const byMe = alert.acknowledged_by && alert.acknowledged_by === getAccount()?.id;
    return t(byMe ? 'alert.acknowledgedByYou' : 'alert.acknowledgedAt', {
      time: formatTime(alert.acknowledged_at),
    });
  }
  return t(STATUS_KEYS[alert.status] ?? 'alert.status.open');
}

/** The sentence a screen reader hears when an alert arrives. */
export function alertAnnouncement(alert: Alert): string {
  return t('alert.announce', {
    severity: severityText(alert.severity),
    name: alert.patient_name,
    title: alert.title,
    why: alert.why,
  });
}

/** The sentence for an alert whose severity rose: "escalated to high", and why. */
export function escalationAnnouncement(alert: Alert): string {
  const inSentence = (severity: Severity) =>
    t(`severity.inSentence.${severity}` as MessageKey);
  return t('alert.announceRaised', {
    severity: inSentence(alert.severity),
    previous: inSentence(alert.previous_severity ?? 'low'),
    name: alert.patient_name,
    title: alert.title,
    why: alert.why,
  });
}

/**
 * What to announce for an alert event from the live stream, if anything: a new alert, politely
 * or (high severity) at once; an alert whose severity rose ("escalated to high", with why) or
 * that was escalated to the reader, at once. An alert firing again is not announced (its count
 * and time update on screen): that would only be noise.
 */
export function announcementFor(
  alert: Alert,
  seenBefore: boolean,
): { message: string; urgent: boolean } | null {
  const rose =
    (alert.change === 'raised' || alert.change === 'reopened') && !!alert.previous_severity;
  if (rose && alert.status === 'open') {
    return { message: escalationAnnouncement(alert), urgent: true };
  }
  const opened = alert.change === 'opened' || alert.change === 'reopened' || !seenBefore;
  if (alert.status === 'open' && opened) {
    return { message: alertAnnouncement(alert), urgent: alert.severity === 'high' };
  }
  if (alert.change === 'escalated' && alert.escalated_to === getAccount()?.id) {
    return {
      message: t('alert.announceEscalated', { name: alert.patient_name, title: alert.title }),
      urgent: true,
    };
  }
  return null;
}

/**
 * After acknowledging or resolving, keep keyboard focus near where it was: on the alert's
 * remaining button, or else on `fallback` (the alert itself is gone).
 */
export function refocusAfterAction(root: ParentNode, alertId: string, fallback: string): void {
  const item = root.querySelector(`[data-alert-id="${CSS.escape(alertId)}"]`);
  const target =
    item?.querySelector<HTMLElement>('button') ?? root.querySelector<HTMLElement>(fallback);
  target?.focus();
}

/** A page that announces live alerts and acknowledges or resolves them (its lit state). */
export interface AlertHost extends ParentNode {
  busy: string;
  notice: string;
  error: string;
  politeMessage: string;
  urgentMessage: string;
  readonly updateComplete: Promise<boolean>;
}

/** Announce an alert event, if there is anything to say (see `announcementFor`). */
export async function announceAlert(
  host: AlertHost,
  announcement: { message: string; urgent: boolean } | null,
): Promise<void> {
  if (!announcement) return;
  // Cleared first, so that the same words twice are heard twice.
  host.politeMessage = '';
  host.urgentMessage = '';
  await host.updateComplete;
  if (announcement.urgent) host.urgentMessage = announcement.message;
  else host.politeMessage = announcement.message;
}

/**
 * Acknowledge or resolve `alert` with one click: one action at a time, `apply` puts the
 * updated alert in the page, a notice says what was done and focus stays near (`fallback`).
 */
export async function actOnAlert(
  host: AlertHost,
  alert: Alert,
  action: (id: string) => Promise<Alert>,
  done: MessageKey,
  apply: (updated: Alert) => void,
  fallback: string,
): Promise<void> {
  if (host.busy) return;
  host.busy = alert.id;
  host.notice = '';
  host.error = '';
  try {
    const updated = await action(alert.id);
    apply(updated);
    host.notice = t(done, { name: alert.patient_name, title: alert.title });
    host.busy = '';
    await host.updateComplete;
    refocusAfterAction(host, alert.id, fallback);
  } catch (error) {
    host.error = describeError(error);
  } finally {
    host.busy = '';
  }
}

/** The two hidden live regions that `announceAlert` speaks through, then notice and error. */
export function renderAlertMessages(host: AlertHost) {
  return html`
    <div class="visually-hidden" aria-live="polite" aria-atomic="true">${host.politeMessage}</div>
    <div class="visually-hidden" aria-live="assertive" aria-atomic="true">
      ${host.urgentMessage}
    </div>
    <div class="notice" role="status">${host.notice || nothing}</div>
    <div class="form-error" role="alert">${host.error || nothing}</div>
  `;
}

export interface AlertActions {
  /** The id of the alert whose action is in progress. */
  busy: string;
  acknowledge: (alert: Alert) => void;
  resolve: (alert: Alert) => void;
  /** Show the patient's name (lists of several patients' alerts). */
  withPatient?: boolean;
}

/** Open and acknowledged alerts, most severe and newest first. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  const rank = { high: 3, medium: 2, low: 1 } as const;
  return [...alerts]
    .filter((alert) => alert.status !== 'resolved')
    .sort(
      (a, b) =>
        Number(a.status !== 'open') - Number(b.status !== 'open') ||
        (rank[b.severity] ?? 0) - (rank[a.severity] ?? 0) ||
        Date.parse(b.opened_at) - Date.parse(a.opened_at),
    );
}

export function renderAlert(alert: Alert, actions: AlertActions) {
  const busy = actions.busy === alert.id;
  const titleId = `alert-${alert.id}`;
  return html`
    <li class="alert alert--${alert.severity} alert--${alert.status}" data-alert-id=${alert.id}>
      <p class="alert__head" id=${titleId}>
        <span class="severity severity--${alert.severity}">${severityText(alert.severity)}</span>
        <strong
          >${
            actions.withPatient
              ? html`<a href="/monitoring?patient=${encodeURIComponent(alert.patient_id)}"
                    >${alert.patient_name}</a
                  >${t('alert.titleSeparator')}${alert.title}`
              : alert.title
          }</strong
        >
      </p>
      <p class="alert__why">${alert.why}</p>
      <p class="alert__meta">
        <span class="alert__state">${alertStatusText(alert)}</span>
        · ${t('alert.opened', { ago: formatAgo(alert.opened_at) })}
        ${
          alert.count > 1
            ? html` · <span class="alert__count"
                  >${t('alert.repeated', {
                    count: alert.count,
                    time: formatTime(alert.updated_at),
                  })}</span
                >`
            : nothing
        }
        ${
          alert.escalated_to
            ? html` ·
              ${t(alert.escalated_to === getAccount()?.id ? 'alert.escalatedToYou' : 'alert.escalated')}`
            : nothing
        }
      </p>
      <div class="actions">
        ${
          alert.status === 'open'
            ? html`<button
                class="button button--primary button--small"
                type="button"
                aria-disabled=${busy ? 'true' : 'false'}
                aria-describedby=${titleId}
                @click=${() => actions.acknowledge(alert)}
              >
                ${t('alert.acknowledge')}
              </button>`
            : nothing
        }
        ${
          alert.status !== 'resolved'
            ? html`<button
                class="button button--quiet"
                type="button"
                aria-disabled=${busy ? 'true' : 'false'}
                aria-describedby=${titleId}
                @click=${() => actions.resolve(alert)}
              >
                ${t('alert.resolve')}
              </button>`
            : nothing
        }
      </div>
    </li>
  `;
}
