import { html, nothing } from 'lit';
import { markAllRead, markRead, notifications, PAGE_SIZE, type Notice } from '../../api/messaging';
import { LightElement } from '../../components/light-element';
import { NOTICES_CHANGED } from '../../components/notification-bell';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { messagingError, when } from './thread-view';

/** Where a notice leads inside the client (older appointment links go to "Appointments"). */
function target(link: string | null): string | null {
  if (!link) return null;
  return link.startsWith('/care/appointments/') ? '/appointments' : link;
}

/**
 * "Notifications": the person's notices, newest first, a page at a time; each can be marked read
 * or opened (which marks it read), and all at once.
 */
export class NotificationsPage extends LightElement {
  static override properties = {
    items: { state: true },
    more: { state: true },
    loaded: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare items: Notice[];
  declare more: boolean;
  declare loaded: boolean;
  declare error: string;
  declare status: string;

  private readonly refresh = () => void this.load();

  constructor() {
    super();
    this.items = [];
    this.more = false;
    this.loaded = false;
    this.error = '';
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    window.addEventListener(NOTICES_CHANGED, this.refresh);
  }

  override disconnectedCallback(): void {
    window.removeEventListener(NOTICES_CHANGED, this.refresh);
    super.disconnectedCallback();
  }

  /** The first pages again, as many as are shown (after a change, or a new notice). */
  private async load(): Promise<void> {
    try {
      const wanted = Math.max(PAGE_SIZE, this.items.length);
      const page = await notifications(0, wanted);
      this.items = page;
      this.more = page.length === wanted;
    } catch (error) {
      this.error = messagingError(error);
    } finally {
      this.loaded = true;
    }
  }

  private async loadMore(): Promise<void> {
    try {
      const page = await notifications(this.items.length);
      this.items = [...this.items, ...page];
      this.more = page.length === PAGE_SIZE;
    } catch (error) {
      this.error = messagingError(error);
    }
  }

  private changed(status: string): void {
    this.status = status;
    window.dispatchEvent(new CustomEvent(NOTICES_CHANGED));
  }

  private async read(notice: Notice): Promise<void> {
    try {
      await markRead(notice.id);
      this.changed(t('notifications.markedOne'));
    } catch (error) {
      this.error = messagingError(error);
    }
  }

  private async open(event: Event, notice: Notice, href: string): Promise<void> {
    event.preventDefault();
    if (!notice.read) await markRead(notice.id).catch(() => undefined);
    window.dispatchEvent(new CustomEvent(NOTICES_CHANGED));
    navigate(href);
  }

  private async readAll(): Promise<void> {
    try {
      await markAllRead();
      this.changed(t('notifications.markedAll'));
    } catch (error) {
      this.error = messagingError(error);
    }
  }

  private renderNotice(notice: Notice) {
    const href = target(notice.link);
    return html`
      <li class="notice-item ${notice.read ? '' : 'is-unread'}">
        <p class="notice-item__title">
          ${notice.read ? nothing : html`<span class="badge badge--alert">${t('notifications.new')}</span>`}
          <strong>${notice.title}</strong>
        </p>
        ${notice.body ? html`<p class="notice-item__body">${notice.body}</p>` : nothing}
        <p class="notice-item__meta"><time datetime=${notice.created_at}>${when(notice.created_at)}</time></p>
        <div class="actions">
          ${href
            ? html`<a class="button button--secondary" href=${href} @click=${(e: Event) => this.open(e, notice, href)}>
                ${t('notifications.open')}<span class="visually-hidden">: ${notice.title}</span>
              </a>`
            : nothing}
          ${notice.read
            ? nothing
            : html`<button class="button button--quiet" type="button" @click=${() => this.read(notice)}>
                ${t('notifications.markRead')}<span class="visually-hidden">: ${notice.title}</span>
              </button>`}
        </div>
      </li>
    `;
  }

  override render() {
    const unread = this.items.some((n) => !n.read);
    return html`
      <div class="page-intro">
        <h1>${t('notifications.title')}</h1>
        <p class="lead">${t('notifications.intro')}</p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        <p class="notice" role="status">${this.status || nothing}</p>
      </div>
      <section class="panel" aria-labelledby="notices-title">
        <h2 id="notices-title" class="visually-hidden">${t('notifications.title')}</h2>
        ${unread
          ? html`<button class="button button--secondary" type="button" @click=${this.readAll}>
              ${t('notifications.markAll')}
            </button>`
          : nothing}
        ${!this.loaded
          ? html`<p class="loading" role="status">${t('app.loading')}</p>`
          : this.items.length === 0
            ? html`<p>${t('notifications.none')}</p>`
            : html`<ul class="notice-list" role="list">${this.items.map((n) => this.renderNotice(n))}</ul>`}
        ${this.more
          ? html`<button class="button" type="button" @click=${this.loadMore}>${t('notifications.more')}</button>`
          : nothing}
      </section>
    `;
  }
}

customElements.define('cv-notifications-page', NotificationsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-notifications-page': NotificationsPage;
  }
}
