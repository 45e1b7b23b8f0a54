import { html, nothing } from 'lit';
import {
  acknowledgeAlert,
  alerts,
  resolveAlert,
  subscribeAlerts,
  type Alert,
} from '../../api/monitoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { announcementFor, refocusAfterAction, renderAlert, sortAlerts } from './alert-view';
import './monitoring.css';

/**
 * The clinician's "Alerts": every open or acknowledged alert of their patients in one list,
 * most urgent first, kept current by the live stream, each with why it fired and one-click
 * acknowledge and resolve.
 */
export class AlertsPage extends LightElement {
  static override properties = {
    alerts: { state: true },
    loadError: { state: true },
    busy: { state: true },
    notice: { state: true },
    error: { state: true },
    politeMessage: { state: true },
    urgentMessage: { state: true },
  };

  declare alerts: Alert[] | null;
  declare loadError: string;
  declare busy: string;
  declare notice: string;
  declare error: string;
  declare politeMessage: string;
  declare urgentMessage: string;

  private stopStream: (() => void) | null = null;

  constructor() {
    super();
    this.alerts = null;
    this.loadError = '';
    this.busy = '';
    this.notice = '';
    this.error = '';
    this.politeMessage = '';
    this.urgentMessage = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopStream = subscribeAlerts({
      connected: () => void this.load(),
      alert: (alert) => this.onAlert(alert),
    });
    void this.load();
  }

  override disconnectedCallback(): void {
    this.stopStream?.();
    this.stopStream = null;
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      // Without a status the server answers open and acknowledged alerts.
      this.alerts = await alerts();
      this.loadError = '';
    } catch (error) {
      if (this.alerts === null) this.loadError = describeError(error);
    }
  }

  private onAlert(alert: Alert): void {
    const current = this.alerts ?? [];
    const announcement = announcementFor(
      alert,
      current.some((a) => a.id === alert.id),
    );
    this.alerts = [...current.filter((a) => a.id !== alert.id), alert];
    if (announcement) void this.announce(announcement.message, announcement.urgent);
  }

  private async announce(message: string, urgent: boolean): Promise<void> {
    this.politeMessage = '';
    this.urgentMessage = '';
    await this.updateComplete;
    if (urgent) this.urgentMessage = message;
    else this.politeMessage = message;
  }

  private async act(
    alert: Alert,
    action: (id: string) => Promise<Alert>,
    done: MessageKey,
  ): Promise<void> {
    if (this.busy) return;
    this.busy = alert.id;
    this.notice = '';
    this.error = '';
    try {
      const updated = await action(alert.id);
      this.alerts = [...(this.alerts ?? []).filter((a) => a.id !== updated.id), updated];
      this.notice = t(done, { name: alert.patient_name, title: alert.title });
      this.busy = '';
      await this.updateComplete;
      refocusAfterAction(this, alert.id, 'h1');
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = '';
    }
  }

  private renderBody() {
    if (this.loadError) {
      return html`
        <div class="form-error" role="alert">${this.loadError}</div>
        <button class="button button--secondary" type="button" @click=${this.load}>
          ${t('form.retry')}
        </button>
      `;
    }
    if (this.alerts === null) {
      return html`<p class="loading" role="status">${t('app.loading')}</p>`;
    }
    const shown = sortAlerts(this.alerts);
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
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">${this.politeMessage}</div>
      <div class="visually-hidden" aria-live="assertive" aria-atomic="true">
        ${this.urgentMessage}
      </div>
      <div class="notice" role="status">${this.notice || nothing}</div>
      <div class="form-error" role="alert">${this.error || nothing}</div>
      ${this.renderBody()}
    `;
  }
}

customElements.define('cv-alerts-page', AlertsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-alerts-page': AlertsPage;
  }
}
