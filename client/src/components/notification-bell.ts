import { html, nothing } from 'lit';
import { subscribeNotices, unreadCount, type LiveNotice } from '../api/messaging';
import { t } from '../i18n';
import { getAccount } from '../session';
import { LightElement } from './light-element';
import '../pages/messaging/messaging.css';

/** The roles the server streams notices to live; the others' bells count on each page. */
const LIVE_ROLES = new Set(['patient', 'caregiver', 'clinician']);

/** Pages that change what is unread say so on window, and every bell counts again. */
export const NOTICES_CHANGED = 'cv-notices-changed';

/**
 * The header's bell: a link to /notifications with the unread count, kept current by the live
 * notice stream; each new notice is announced politely (its title carries no health data).
 */
export class NotificationBell extends LightElement {
  static override properties = {
    unread: { state: true },
    announcement: { state: true },
  };

  declare unread: number;
  declare announcement: string;

  private stop: (() => void) | null = null;
  private readonly recount = () => void this.load();

  constructor() {
    super();
    this.unread = 0;
    this.announcement = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    if (LIVE_ROLES.has(getAccount()?.role ?? '')) {
      this.stop = subscribeNotices({ connected: this.recount, notice: (n) => this.onNotice(n) });
    }
    window.addEventListener(NOTICES_CHANGED, this.recount);
  }

  override disconnectedCallback(): void {
    this.stop?.();
    this.stop = null;
    window.removeEventListener(NOTICES_CHANGED, this.recount);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      this.unread = await unreadCount();
    } catch {
      // The bell is a hint; the notifications page shows errors.
    }
  }

  private onNotice(notice: LiveNotice): void {
    this.unread += 1;
    this.announcement = t('bell.announce', { title: notice.title });
    window.dispatchEvent(new CustomEvent(NOTICES_CHANGED));
  }

  override render() {
    const label = t('bell.label', { count: this.unread });
    return html`
      <a class="notification-bell" href="/notifications" aria-label=${label} title=${label}>
        <svg class="notification-bell__icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        ${this.unread > 0
          ? html`<span class="notification-bell__count" aria-hidden="true">${this.unread > 99 ? '99+' : this.unread}</span>`
          : nothing}
      </a>
      <span class="visually-hidden" aria-live="polite">${this.announcement}</span>
    `;
  }
}

customElements.define('cv-notification-bell', NotificationBell);

declare global {
  interface HTMLElementTagNameMap {
    'cv-notification-bell': NotificationBell;
  }
}
