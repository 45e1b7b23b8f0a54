/**
 * The installable app (docs/client.md "Light path"): registers the service worker
 * (public/sw.js, which keeps the shell for a dropped link and never API responses) and shows a
 * notice while the browser is offline.
 */
import { html } from 'lit';
import { LightElement } from './components/light-element';
import { t } from './i18n';

/** Register `/sw.js` where the browser allows it (secure contexts: https, localhost). */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // No offline shell in this browser; the app works the same online.
    });
  });
}

/** A notice while the browser has no connection (nothing is rendered online). */
export class OfflineNotice extends LightElement {
  static override properties = { offline: { state: true } };

  declare offline: boolean;

  private readonly onConnectivity = () => (this.offline = !navigator.onLine);

  constructor() {
    super();
    this.offline = !navigator.onLine;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.onConnectivity);
    window.addEventListener('offline', this.onConnectivity);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('online', this.onConnectivity);
    window.removeEventListener('offline', this.onConnectivity);
    super.disconnectedCallback();
  }

  override render() {
    // Nothing online (no empty live region beside the page's own); an alert when it drops,
    // which screen readers announce as it appears.
    return this.offline ? html`<p role="alert" class="offline-notice">${t('pwa.offline')}</p>` : '';
  }
}

customElements.define('cv-offline-notice', OfflineNotice);
