import { html, nothing } from 'lit';
import { events, register, type EventInfo } from '../../api/events';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { getAccount } from '../../session';

/** When an event runs, in the reader's own time zone. */
export function when(e: EventInfo): string {
  return t('events.when', {
    date: formatDate(e.starts_at),
    start: formatTime(e.starts_at),
    end: formatTime(e.ends_at),
  });
}

export function places(e: EventInfo): string {
  return t('events.places', {
    registered: e.registered,
    capacity: e.capacity,
    waiting: e.waitlisted,
  });
}

export function kind(e: EventInfo): string {
  return t(`events.kind.${e.kind}` as MessageKey);
}

/** Who may see "Create an event" (the server decides for each community). */
export function organiser(): boolean {
  const role = getAccount()?.role;
  return role === 'moderator' || role === 'admin';
}

/** Upcoming events one may see, with registering in one press. */
export class EventsList extends LightElement {
  static override properties = {
    all: { state: true },
    error: { state: true },
    loaded: { state: true },
  };

  declare all: EventInfo[];
  declare error: string;
  declare loaded: boolean;

  constructor() {
    super();
    this.all = [];
    this.error = '';
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.all = await events();
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private async register(slug: string): Promise<void> {
    this.error = '';
    try {
      const updated = await register(slug);
      this.all = this.all.map((e) => (e.slug === slug ? updated : e));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    return html`
      <section class="community-list" aria-labelledby="events-heading">
        <h1 id="events-heading">${t('events.title')}</h1>
        ${organiser() ? html`<p><a href="/events/new">${t('events.create')}</a></p>` : nothing}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${this.loaded && !this.all.length ? html`<p>${t('events.none')}</p>` : nothing}
        <ul role="list" class="cards">
          ${this.all.map(
            (e) => html`<li class="card">
              <h2><a href=${`/events/${e.slug}`}>${e.title}</a></h2>
              <p class="hint">${kind(e)} · ${when(e)}</p>
              <p>${e.description}</p>
              <p class="hint">${places(e)}</p>
              ${e.my_status && e.my_status !== 'cancelled'
                ? html`<p>
                    ${e.host
                      ? t('events.hosting')
                      : t(`events.status.${e.my_status}` as MessageKey)}
                  </p>`
                : html`<p>
                    <button
                      class="button"
                      aria-label=${t('events.registerFor', { title: e.title })}
                      @click=${() => this.register(e.slug)}
                    >
                      ${t('events.register')}
                    </button>
                  </p>`}
            </li>`,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-events-list', EventsList);

declare global {
  interface HTMLElementTagNameMap {
    'cv-events-list': EventsList;
  }
}
