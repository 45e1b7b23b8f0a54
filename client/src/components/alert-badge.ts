import { html, nothing } from 'lit';
import { alerts, subscribeAlerts, type Alert } from '../api/monitoring';
import { t } from '../i18n';
import './alert-badge.css';
import { LightElement } from './light-element';

/**
 * The signed-in clinician's count of open (not yet acknowledged) alerts, kept current by the
 * live alert stream. Mount it wherever a clinician should see it: the site navigation, the
 * world's HUD (`<cv-alert-badge link></cv-alert-badge>` makes it a link to the monitoring
 * panel). It shows nothing while there are no open alerts. Fires `cv-alert` (detail: the Alert)
 * for every alert event, so a host can react (e.g. flash the HUD).
 */
export class AlertBadge extends LightElement {
  static override properties = {
    link: { type: Boolean },
    open: { state: true },
  };

  /** Render as a link to the monitoring panel. */
  declare link: boolean;
  /** Open alerts by id, with their severity. */
  declare open: ReadonlyMap<string, Alert['severity']>;

  private stop: (() => void) | null = null;

  constructor() {
    super();
    this.link = false;
    this.open = new Map();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stop = subscribeAlerts({
      connected: () => void this.load(),
      alert: (alert) => this.onAlert(alert),
    });
  }

  override disconnectedCallback(): void {
    this.stop?.();
    this.stop = null;
    super.disconnectedCallback();
  }

  /** The count from the server: at start and after the stream reconnects. */
  private async load(): Promise<void> {
    try {
      const open = await alerts('open');
      this.open = new Map(open.map((alert) => [alert.id, alert.severity]));
    } catch {
      // The badge is a hint; the panel shows errors.
    }
  }

  private onAlert(alert: Alert): void {
    const next = new Map(this.open);
    if (alert.status === 'open') next.set(alert.id, alert.severity);
    else next.delete(alert.id);
    this.open = next;
    this.dispatchEvent(new CustomEvent('cv-alert', { detail: alert, bubbles: true }));
  }

  override render() {
    const count = this.open.size;
    if (count === 0) return nothing;
    const high = [...this.open.values()].includes('high');
    const text = t('alertBadge.label', { count });
    const badge = html`<span class="alert-badge ${high ? 'alert-badge--high' : ''}">
      <span aria-hidden="true">${count.toLocaleString()}</span
      ><span class="visually-hidden">${text}</span>
    </span>`;
    return this.link ? html`<a class="alert-badge__link" href="/monitoring">${badge}</a>` : badge;
  }
}

customElements.define('cv-alert-badge', AlertBadge);

declare global {
  interface HTMLElementTagNameMap {
    'cv-alert-badge': AlertBadge;
  }
}
