import { html, nothing } from 'lit';
import { LightElement } from '../components/light-element';
import { t, type MessageKey } from '../i18n';
import { renderConfirm, type PendingConfirm } from './confirm-inline';
import type { ModAction } from './connection';
import { metres, roleName } from './labels';
import { NEARBY_METRES, type Person } from './world-state';

/** A crowd (an auditorium) lists its nearest people only: the list stays quick on a phone. */
const MAX_LISTED = 40;

/**
 * The people in this part of the space, nearest first: name, role, how far, and whether they
 * speak, are muted or reconnecting. Everyone can go near someone, write to them privately, or
 * block them (for themselves only); facilitators can also mute and remove, and lock or end the
 * session. Fires `go-near` ({id}), `write-to` ({id}), `block` ({id, name, on}) and `moderate`
 * ({action, target?, name?}).
 */
export class PeoplePanel extends LightElement {
  static override properties = {
    people: { attribute: false },
    me: { attribute: false },
    blocked: { attribute: false },
    facilitator: { type: Boolean },
    locked: { type: Boolean },
    spectator: { type: Boolean },
    version: { type: Number },
    pending: { state: true },
  };

  declare people: Person[];
  declare me: Person | null;
  declare blocked: Map<string, string>;
  declare facilitator: boolean;
  declare locked: boolean;
  declare spectator: boolean;
  /** Bumped by the page when positions or states changed (people are mutable records). */
  declare version: number;
  /** Removing someone or ending the session, asked in the panel before it is done. */
  declare pending: PendingConfirm | null;

  constructor() {
    super();
    this.people = [];
    this.me = null;
    this.blocked = new Map();
    this.facilitator = false;
    this.locked = false;
    this.spectator = false;
    this.version = 0;
    this.pending = null;
  }

  private fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true }));
  }

  private moderate(action: ModAction, person?: Person): void {
    const run = () => this.fire('moderate', { action, target: person?.id, name: person?.name });
    if (action === 'remove' && person) {
      this.ask({
        question: t('world.people.removeConfirm', { name: person.name }),
        yes: t('world.people.removeShort'),
        run,
      });
    } else if (action === 'end') {
      this.ask({ question: t('world.people.endConfirm'), yes: t('world.room.end'), run });
    } else {
      run();
    }
  }

  private ask(pending: PendingConfirm): void {
    this.pending = pending;
    void this.focusById('people-confirm-yes');
  }

  /** The question answered: back to the list, focus on its heading. */
  private answered = (): void => {
    this.pending = null;
    void this.focusById('people-title');
  };

  private status(person: Person): string {
    const parts: string[] = [];
    const me = this.me;
    if (me) {
      const distance = Math.hypot(person.x - me.x, person.z - me.z);
      parts.push(
        distance <= NEARBY_METRES
          ? t('world.people.nearby', { count: metres(distance) })
          : t('world.people.away', { count: metres(distance) }),
      );
    }
    if (person.inCall) parts.push(t('world.person.inCall'));
    if (person.speaking) parts.push(t('world.person.speaking'));
    if (person.muted) parts.push(t('world.person.muted'));
    if (person.away) parts.push(t('world.person.away'));
    return parts.join(' · ');
  }

  /** "Block" on the button, "Block Sam" to assistive technology (the name includes the label). */
  private named(key: MessageKey, name: string) {
    return html`${t(key)}<span class="visually-hidden"> ${name}</span>`;
  }

  private item(person: Person) {
    const name = person.name;
    return html`
      <li class="person ${person.speaking ? 'person--speaking' : ''}" data-person-id=${person.id}>
        <div class="person__who">
          <span class="person__name">${name}</span>
          <span class="badge person__role">${roleName(person.role)}</span>
          ${person.speaking
            ? html`<span class="person__speaking" aria-hidden="true"></span>`
            : nothing}
        </div>
        <p class="person__status">${this.status(person)}</p>
        <div class="person__actions">
          ${this.spectator
            ? nothing
            : html`<button class="button button--quiet" type="button" @click=${() => this.fire('go-near', { id: person.id })}>
                ${this.named('world.people.goNearShort', name)}
              </button>`}
          <button class="button button--quiet" type="button" @click=${() => this.fire('write-to', { id: person.id })}>
            ${this.named('world.people.writeShort', name)}
          </button>
          <button
            class="button button--quiet"
            type="button"
            @click=${() => this.fire('block', { id: person.id, name, on: true })}
          >
            ${this.named('world.people.blockShort', name)}
          </button>
          ${this.facilitator
            ? html`
                <button
                  class="button button--quiet"
                  type="button"
                  @click=${() => this.moderate(person.muted ? 'unmute' : 'mute', person)}
                >
                  ${this.named(person.muted ? 'world.people.unmuteShort' : 'world.people.muteShort', name)}
                </button>
                <button class="button button--quiet button--warn" type="button" @click=${() => this.moderate('remove', person)}>
                  ${this.named('world.people.removeShort', name)}
                </button>
              `
            : nothing}
        </div>
      </li>
    `;
  }

  override render() {
    const people = this.people;
    return html`
      <section class="world-panel" aria-labelledby="people-title">
        <h2 id="people-title" tabindex="-1">${t('world.people.title', { count: people.length })}</h2>
        <p class="field-hint">${t('world.people.hint')}</p>
        ${renderConfirm(this.pending, 'people-confirm', this.answered)}
        ${people.length === 0
          ? html`<p class="empty">${t('world.people.empty')}</p>`
          : html`<ul class="people-list" role="list">${people.slice(0, MAX_LISTED).map((p) => this.item(p))}</ul>`}
        ${people.length > MAX_LISTED
          ? html`<p class="field-hint">${t('world.people.more', { count: people.length - MAX_LISTED })}</p>`
          : nothing}
        ${this.blocked.size > 0
          ? html`
              <h3>${t('world.people.blockedTitle')}</h3>
              <ul class="people-list" role="list">
                ${[...this.blocked].map(
                  ([id, name]) => html`<li class="person">
                    <span class="person__name">${name}</span>
                    <button
                      class="button button--quiet"
                      type="button"
                      @click=${() => this.fire('block', { id, name, on: false })}
                    >
                      ${t('world.people.unblock', { name })}
                    </button>
                  </li>`,
                )}
              </ul>
            `
          : nothing}
        ${this.facilitator
          ? html`
              <h3>${t('world.room.title')}</h3>
              <div class="actions">
                <button
                  class="button button--secondary"
                  type="button"
                  @click=${() => this.moderate(this.locked ? 'unlock' : 'lock')}
                >
                  ${this.locked ? t('world.room.unlock') : t('world.room.lock')}
                </button>
                <button class="button button--danger" type="button" @click=${() => this.moderate('end')}>
                  ${t('world.room.end')}
                </button>
              </div>
            `
          : nothing}
      </section>
    `;
  }
}

customElements.define('cv-people-panel', PeoplePanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-people-panel': PeoplePanel;
  }
}
