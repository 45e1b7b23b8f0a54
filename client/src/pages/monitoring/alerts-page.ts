import { html } from 'lit';
import {
  acknowledgeAlert,
  alerts,
  resolveAlert,
  subscribeAlerts,
  type Alert,
} from '../../api/monitoring';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
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

/**
 * The clinician's "Alerts": every open or acknowledged alert of their patients in one list,
 * most urgent first, kept current by the live stream, each with why it fired and one-click
 * acknowledge and resolve.
 */
export class AlertsPage extends LightElement {
  static override properties = {
    busy: { state: true },
    notice: { state: true },
    error: { state: true },
    politeMessage: { state: true },
    urgentMessage: { state: true },
  };

  declare busy: string;
  declare notice: string;
  declare error: string;
  declare politeMessage: string;
  declare urgentMessage: string;

  /** Without a status the server answers open and acknowledged alerts. */
  private alerts = new LoadingController(this, () => alerts(), { keep: true });
  private stopStream: (() => void) | null = null;

  constructor() {
    super();
    this.busy = '';
    this.notice = '';
    this.error = '';
    this.politeMessage = '';
    this.urgentMessage = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopStream = subscribeAlerts({
      connected: () => void this.alerts.load(),
      alert: (alert) => this.onAlert(alert),
    });
  }

  override disconnectedCallback(): void {
    this.stopStream?.();
    this.stopStream = null;
    super.disconnectedCallback();
  }

  private onAlert(alert: Alert): void {
    const current = this.alerts.value ?? [];
    const announcement = announcementFor(
      alert,
      current.some((a) => a.id === alert.id),
    );
    this.alerts.value = [...current.filter((a) => a.id !== alert.id), alert];
    void announceAlert(this, announcement);
  }

  private act(alert: Alert, action: (id: string) => Promise<Alert>, done: MessageKey) {
    const apply = (updated: Alert) => {
      this.alerts.value = [...(this.alerts.value ?? []).filter((a) => a.id !== updated.id), updated];
    };
    return actOnAlert(this, alert, action, done, apply, 'h1');
  }

  private renderList(list: Alert[]) {
    const shown = sortAlerts(list);
    if (shown.length === 0) return html`<p class="empty">${t('alertsPage.empty')}</p>`;
    return html`
      <ul class="alert-list" role="list" aria-label=${t('alertsPage.listLabel')}>
        ${shown.map((alert) =>
          renderAlert(alert, {
            busy: this.busy,
            withPatient: true,
            acknowledge: (a) => this.act(a, acknowledgeAlert, 'alert.acknowledgedNotice'),
            resolve: (a) => this.act(a, resolveAlert, 'alert.resolvedNotice'),
          }),
        )}
      </ul>
    `;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1 tabindex="-1">${t('area.alerts.title')}</h1>
        <p class="lead">${t('alertsPage.intro')}</p>
        <p><a href="/monitoring">${t('alertsPage.toPanel')}</a></p>
      </div>
      ${renderAlertMessages(this)}
      ${this.alerts.render((list) => this.renderList(list))}
    `;
  }
}

customElements.define('cv-alerts-page', AlertsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-alerts-page': AlertsPage;
  }
}
