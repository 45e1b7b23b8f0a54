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

/** A live notice while the browser has no connection (nothing is shown online). */
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
    return html`<div role="status" class="offline-notice">
      ${this.offline ? html`<p>${t('pwa.offline')}</p>` : ''}
    </div>`;
  }
}

customElements.define('cv-offline-notice', OfflineNotice);
