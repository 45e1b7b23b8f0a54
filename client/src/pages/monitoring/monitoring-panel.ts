import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import {
  acknowledgeAlert,
  alerts,
  panel,
  resolveAlert,
  subscribeAlerts,
  type Alert,
  type PanelPatient,
} from '../../api/monitoring';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import '../../components/sparkline';
import { t, type MessageKey } from '../../i18n';
import {
  actOnAlert,
  announceAlert,
  announcementFor,
  renderAlert,
  renderAlertMessages,
  sortAlerts,
} from './alert-view';
import './monitoring.css';
import { news2Time, renderNews2Risk } from './news2-view';
import {
  SPARKLINE_CODES,
  defaultUnit,
  formatAgo,
  formatValue,
  vitalName,
} from './vitals';

/** After an alert event, the panel's scores and order are refreshed this long after the last. */
const REFRESH_AFTER_ALERT_MS = 1500;
/** Readings arrive without events: refresh the panel this often. */
const REFRESH_EVERY_MS = 60_000;

/**
 * The clinician's monitoring panel: their patients, most at risk first, each with the latest
 * NEWS2 (number and band in words), latest vital signs with 24-hour sparklines, and open
 * alerts with why they fired and one-click acknowledge. New alerts arrive live (Server-Sent
 * Events) and are announced: politely, or at once for high severity.
 */
export class MonitoringPanel extends LightElement {
  static override properties = {
    busy: { state: true },
    live: { state: true },
    notice: { state: true },
    error: { state: true },
    politeMessage: { state: true },
    urgentMessage: { state: true },
  };

  declare busy: string;
  declare live: boolean;
  declare notice: string;
  declare error: string;
  declare politeMessage: string;
  declare urgentMessage: string;

  /** Refreshes while the old list stays on screen, and a refresh asked for meanwhile shares one. */
  private patients = new LoadingController(this, () => this.fetch(), { keep: true, shared: true });
  private stopStream: (() => void) | null = null;
  private refreshTimer: number | null = null;
  private pollTimer: number | null = null;
  /** Alerts already seen (so that only new ones are announced). */
  private known = new Set<string>();

  constructor() {
    super();
    this.busy = '';
    this.live = false;
    this.notice = '';
    this.error = '';
    this.politeMessage = '';
    this.urgentMessage = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopStream = subscribeAlerts({
      connected: () => {
        this.live = true;
        // Whatever happened while disconnected is in a fresh load.
        if (this.patients.value !== null) this.scheduleRefresh(0);
      },
      alert: (alert) => this.onAlert(alert),
    });
    this.pollTimer = window.setInterval(() => void this.patients.load(), REFRESH_EVERY_MS);
  }

  override disconnectedCallback(): void {
    this.stopStream?.();
    this.stopStream = null;
    if (this.refreshTimer !== null) window.clearTimeout(this.refreshTimer);
    if (this.pollTimer !== null) window.clearInterval(this.pollTimer);
    this.refreshTimer = this.pollTimer = null;
    super.disconnectedCallback();
  }

  private async fetch(): Promise<PanelPatient[]> {
    const [patients, acknowledged] = await Promise.all([
      panel(),
      alerts('acknowledged').catch(() => [] as Alert[]),
    ]);
    // Acknowledged alerts stay on the panel until someone resolves them.
    for (const patient of patients) {
      const mine = acknowledged.filter((a) => a.patient_id === patient.patient_id);
      const ids = new Set(patient.open_alerts.map((a) => a.id));
      patient.open_alerts = [...patient.open_alerts, ...mine.filter((a) => !ids.has(a.id))];
      for (const alert of patient.open_alerts) this.known.add(alert.id);
    }
    return patients;
  }

  private scheduleRefresh(delay = REFRESH_AFTER_ALERT_MS): void {
    if (this.refreshTimer !== null) window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = null;
      void this.patients.load();
    }, delay);
  }

  private replaceAlert(alert: Alert): boolean {
    const patients = this.patients.value;
    if (!patients) return false;
    const patient = patients.find((p) => p.patient_id === alert.patient_id);
    if (!patient) return false;
    const others = patient.open_alerts.filter((a) => a.id !== alert.id);
    const updated = {
      ...patient,
      open_alerts: alert.status === 'resolved' ? others : [...others, alert],
    };
    this.patients.value = patients.map((p) => (p === patient ? updated : p));
    return true;
  }

  private onAlert(alert: Alert): void {
    const announcement = announcementFor(alert, this.known.has(alert.id));
    this.known.add(alert.id);
    if (!this.replaceAlert(alert)) this.scheduleRefresh(0);
    else this.scheduleRefresh();
    void announceAlert(this, announcement);
  }

  private act(alert: Alert, action: (id: string) => Promise<Alert>, done: MessageKey) {
    const row = `[data-patient-id="${CSS.escape(alert.patient_id)}"] h2 a`;
    return actOnAlert(this, alert, action, done, (updated) => this.replaceAlert(updated), row);
  }

  private renderNews2(patient: PanelPatient) {
    const score = patient.news2;
    return html`
      <div class="news2">
        ${renderNews2Risk(score)} ${news2Time(score.at)}
      </div>
    `;
  }

  private renderVitals(patient: PanelPatient) {
    const codes = SPARKLINE_CODES.filter(
      (code) => patient.latest[code] || patient.sparklines?.[code]?.length,
    );
    if (codes.length === 0) return html`<p class="empty">${t('panel.noReadings')}</p>`;
    return html`
      <ul class="vital-strip" role="list">
        ${codes.map((code) => {
          const reading = patient.latest[code];
          const name = vitalName(code);
          const points = patient.sparklines?.[code] ?? [];
          const unit = reading?.unit ?? defaultUnit(code);
          const values = points.map(([, value]) => value);
          const trend =
            values.length > 1
              ? t('panel.sparkline', {
                  name,
                  lowest: formatValue(code, Math.min(...values), unit),
                  highest: formatValue(code, Math.max(...values), unit),
                })
              : '';
          return html`
            <li class="vital-strip__item">
              <span class="vital-strip__name">${name}</span>
              <span class="vital-strip__value"
                >${reading ? formatValue(code, reading.value, reading.unit) : '—'}</span
              >
              ${reading ? html`<span class="vital-strip__ago">${formatAgo(reading.at)}</span>` : nothing}
              <cv-sparkline .points=${points} label=${trend}></cv-sparkline>
            </li>
          `;
        })}
      </ul>
    `;
  }

  private renderPatient(patient: PanelPatient, index: number) {
    const id = `patient-${patient.patient_id}`;
    const open = sortAlerts(patient.open_alerts);
    return html`
      <li
        class="patient-row risk-edge--${patient.news2.risk ?? 'unknown'}"
        data-patient-id=${patient.patient_id}
      >
        <article aria-labelledby=${id}>
          <div class="patient-row__head">
            <h2 class="patient-row__name" id=${id}>
              <span class="visually-hidden">${t('panel.position', { position: index + 1 })}</span>
              <a href="/monitoring?patient=${encodeURIComponent(patient.patient_id)}"
                >${patient.name}</a
              >
            </h2>
            ${this.renderNews2(patient)}
          </div>
          ${this.renderVitals(patient)}
          ${
            open.length > 0
              ? html`<ul
                  class="alert-list"
                  role="list"
                  aria-label=${t('panel.alertsFor', { name: patient.name })}
                >
                  ${open.map((alert) =>
                    renderAlert(alert, {
                      busy: this.busy,
                      acknowledge: (a) => this.act(a, acknowledgeAlert, 'alert.acknowledgedNotice'),
                      resolve: (a) => this.act(a, resolveAlert, 'alert.resolvedNotice'),
                    }),
                  )}
                </ul>`
              : nothing
          }
        </article>
      </li>
    `;
  }

  private renderList(patients: PanelPatient[]) {
    if (patients.length === 0) return html`<p class="empty">${t('panel.empty')}</p>`;
    return html`
      <ol class="patient-list" role="list" aria-label=${t('panel.listLabel')}>
        ${repeat(
          patients,
          (patient) => patient.patient_id,
          (patient, index) => this.renderPatient(patient, index),
        )}
      </ol>
    `;
  }

  override render() {
    const patients = this.patients.value;
    const openCount = (patients ?? []).reduce(
      (sum, p) => sum + p.open_alerts.filter((a) => a.status === 'open').length,
      0,
    );
    return html`
      <div class="page-intro monitoring-intro">
        <h1>${t('panel.title')}</h1>
        <p class="lead">${t('panel.intro')}</p>
        <p class="live-state">
          <span class="live-state__dot ${this.live ? 'is-live' : ''}" aria-hidden="true"></span>
          ${this.live ? t('panel.live') : t('panel.connecting')}
          ${patients ? html` · ${t('panel.openCount', { count: openCount })}` : nothing}
        </p>
      </div>
      ${renderAlertMessages(this)}
      ${this.patients.render((patients) => this.renderList(patients))}
    `;
  }
}

customElements.define('cv-monitoring-panel', MonitoringPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-monitoring-panel': MonitoringPanel;
  }
}
