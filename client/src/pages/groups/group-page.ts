import { html, nothing } from 'lit';
import {
  calendarUrl,
  group,
  joinGroup,
  joinSession,
  leaveGroup,
  setSharing,
  type Group,
  type SessionMode,
} from '../../api/groups';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { navigate } from '../../router';
import { getAccount } from '../../session';
import './group-organiser';
import { nextSession, schedule } from './groups-list';

const MODES: SessionMode[] = ['full', 'voice', 'text'];

/** A group: its next session in the member's time zone, ground rules, joining, the session. */
export class GroupPage extends LightElement {
  static override properties = {
    slug: { attribute: false },
    group: { state: true },
    accepted: { state: true },
    mode: { state: true },
    pseudonym: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare slug: string;
  declare group: Group | null;
  declare accepted: boolean;
  declare mode: SessionMode;
  declare pseudonym: boolean;
  declare error: string;
  declare status: string;

  constructor() {
    super();
    this.slug = '';
    this.group = null;
    this.accepted = false;
    this.mode = 'full';
    this.pseudonym = false;
    this.error = '';
    this.status = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.group = await group(this.slug);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async act(work: () => Promise<void>): Promise<void> {
    this.error = '';
    try {
      await work();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private join = () =>
    this.act(async () => {
      if (!this.group) return;
      this.group = await joinGroup(this.slug, this.group.ground_rules_version);
    });

  private leave = () =>
    this.act(async () => {
      await leaveGroup(this.slug);
      await this.load();
    });

  private enter = (e: Event) => {
    e.preventDefault();
    void this.act(async () => {
      const joined = await joinSession(this.slug, this.mode, this.pseudonym);
      navigate(`/spaces/${joined.space_id}`);
    });
  };

  private share = (e: Event) => {
    const share = (e.target as HTMLInputElement).checked;
    void this.act(async () => {
      await setSharing(this.slug, share);
      this.status = t('groups.shareSaved');
    });
  };

  private joinForm(g: Group) {
    if (g.admission === 'referral' && g.my_status !== 'referred') {
      return html`<p>${t('groups.referralOnly')}</p>`;
    }
    return html`
      <label>
        <input
          type="checkbox"
          .checked=${this.accepted}
          @change=${(e: Event) => (this.accepted = (e.target as HTMLInputElement).checked)}
        />
        ${t('groups.rules.accept')}
      </label>
      <p><button class="button" ?disabled=${!this.accepted} @click=${this.join}>${t('groups.join')}</button></p>
    `;
  }

  private sessionForm(g: Group) {
    return html`
      <form class="stack" @submit=${this.enter} aria-labelledby="session-heading">
        <h2 id="session-heading">${t('groups.session.title')}</h2>
        <fieldset>
          <legend>${t('groups.session.mode')}</legend>
          ${MODES.map(
            (mode) => html`<label>
              <input
                type="radio"
                name="mode"
                .checked=${this.mode === mode}
                @change=${() => (this.mode = mode)}
              />
              ${t(`groups.session.mode.${mode}` as MessageKey)}
            </label>`,
          )}
        </fieldset>
        <label>
          <input
            type="checkbox"
            .checked=${this.pseudonym}
            @change=${(e: Event) => (this.pseudonym = (e.target as HTMLInputElement).checked)}
          />
          ${t('groups.session.pseudonym')}
        </label>
        <p><button class="button" type="submit">${t('groups.session.enter')}</button></p>
        ${g.template === 'gallery'
          ? html`<p><a href=${`/gallery/groups/${g.slug}`}>${t('gallery.group.link')}</a></p>`
          : nothing}
        ${g.facilitator
          ? nothing
          : html`<p><a href=${calendarUrl(g.slug)} download>${t('groups.calendar')}</a></p>
              <label>
                <input type="checkbox" .checked=${g.share_with_care_team} @change=${this.share} />
                ${t('groups.share')}
              </label>`}
      </form>
    `;
  }

  override render() {
    const g = this.group;
    if (!g) {
      return this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing;
    }
    const member = g.facilitator || (g.my_status === 'active' && g.rules_accepted);
    const canJoin = !g.my_status || g.my_status === 'left' || g.my_status === 'referred';
    return html`
      <section class="panel" aria-labelledby="group-heading">
        <h1 id="group-heading">${g.name}</h1>
        <p class="lead">${g.description}</p>
        <p>${schedule(g)} · <strong>${nextSession(g)}</strong></p>
        <p class="hint">
          ${t('groups.places', { members: g.members, capacity: g.capacity, waiting: g.waitlisted })}
        </p>
        ${g.facilitator ? html`<p>${t('groups.facilitating')}</p>` : nothing}
        ${g.my_status && !g.facilitator
          ? html`<p>${t(`groups.status.${g.my_status}` as MessageKey)}</p>`
          : nothing}
        <h2>${t('groups.rules.title')}</h2>
        <pre class="rules">${g.ground_rules}</pre>
        ${canJoin ? this.joinForm(g) : nothing} ${member ? this.sessionForm(g) : nothing}
        ${g.my_status === 'active' && !g.facilitator
          ? html`<p><button class="button button--secondary" @click=${this.leave}>${t('groups.leave')}</button></p>`
          : nothing}
        ${g.facilitator || getAccount()?.role === 'clinician'
          ? html`<cv-group-organiser .group=${g}></cv-group-organiser>`
          : nothing}
        <p role="status">${this.status}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-group-page', GroupPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-group-page': GroupPage;
  }
}
