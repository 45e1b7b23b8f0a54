import { html, nothing } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import {
  community,
  joinCommunity,
  startThread,
  threads,
  type Community,
  type Identity,
  type Thread,
} from '../../api/community';
import type { Concern } from '../../api/moderation';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { DraftNudge } from './draft-nudge';
import './library-list';
import { isCommunityStaff } from './staff-queue';
import './community-roles';
import { getAccount } from '../../session';

/**
 * One community: its description and guidelines (accepted on joining), its topics with unread
 * counts, and a composer for a new topic under a pseudonym or one's name. `html` from the
 * server is already sanitised (nh3); nothing typed by members is inserted as HTML here.
 */
export class CommunityPage extends LightElement {
  static override properties = {
    slug: {},
    info: { state: true },
    topics: { state: true },
    accepted: { state: true },
    lived: { state: true },
    error: { state: true },
    concern: { state: true },
    nudged: { state: true },
    busy: { state: true },
  };

  declare slug: string;
  declare info: Community | null;
  declare topics: Thread[];
  declare accepted: boolean;
  declare lived: boolean;
  declare error: string;
  declare concern: Concern | null;
  /** The pre-post nudge's message of concern while the draft has crisis language. */
  declare nudged: Concern | null;
  private readonly draft = new DraftNudge((concern) => (this.nudged = concern));
  declare busy: boolean;

  constructor() {
    super();
    this.slug = '';
    this.info = null;
    this.topics = [];
    this.accepted = false;
    this.lived = false;
    this.error = '';
    this.concern = null;
    this.nudged = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    this.draft.cancel();
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      this.info = await community(this.slug);
      const member = this.info.membership?.status === 'active';
      if (member || this.info.visibility === 'public' || this.info.staff) {
        this.topics = await threads(this.slug);
      }
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async join(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.info) return;
    this.busy = true;
    this.error = '';
    try {
      this.info = await joinCommunity(this.slug, this.info.guidelines_version, this.lived);
      await this.load();
      await this.focusById('community-status');
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private async start(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.error = '';
    try {
      const answer = await startThread(
        this.slug,
        String(data.get('title') ?? ''),
        String(data.get('body') ?? ''),
        (data.get('identity') as Identity) ?? 'pseudonym',
      );
      this.draft.reset();
      this.concern = answer.concern as Concern | null;
      if (!this.concern && answer.thread) navigate(`/community/threads/${answer.thread.id}`);
      form.reset();
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private joinForm(info: Community) {
    const status = info.membership?.status;
    if (status === 'active') return html`<p id="community-status" tabindex="-1">${t('community.youAreMember')}</p>`;
    if (status === 'requested') return html`<p id="community-status" tabindex="-1">${t('community.requested')}</p>`;
    return html`<form class="join" @submit=${this.join}>
      <label class="check">
        <input
          type="checkbox"
          required
          .checked=${this.accepted}
          @change=${(e: Event) => (this.accepted = (e.target as HTMLInputElement).checked)}
        />
        ${t('community.acceptGuidelines')}
      </label>
      <label class="check">
        <input
          type="checkbox"
          .checked=${this.lived}
          @change=${(e: Event) => (this.lived = (e.target as HTMLInputElement).checked)}
        />
        ${t('community.livedExperience')}
      </label>
      <button type="submit" ?disabled=${this.busy || !this.accepted}>
        ${info.visibility === 'request' ? t('community.askToJoin') : t('community.join')}
      </button>
    </form>`;
  }

  private composer() {
    return html`<form class="composer" @submit=${this.start} aria-labelledby="new-topic">
      <h2 id="new-topic">${t('community.newTopic')}</h2>
      <label for="topic-title">${t('community.topicTitle')}</label>
      <input id="topic-title" name="title" required maxlength="200" />
      <label for="topic-body">${t('community.body')}</label>
      <textarea id="topic-body" name="body" required rows="5" maxlength="20000"
        @input=${this.draft.typed}
        @blur=${this.draft.left}
      ></textarea>
      <cv-concern-message nudge .concern=${this.nudged}></cv-concern-message>
      ${identityChoice('topic')}
      <button type="submit" ?disabled=${this.busy}>${t('community.post')}</button>
    </form>
    <cv-concern-message .concern=${this.concern}></cv-concern-message>`;
  }

  override render() {
    const info = this.info;
    if (!info) {
      return this.error ? html`<p role="alert" class="error">${this.error}</p>` : html`<p>${t('app.loading')}</p>`;
    }
    const member = info.membership?.status === 'active';
    return html`
      <section class="community" aria-labelledby="community-heading">
        <h1 id="community-heading">${info.name}</h1>
        <p>${info.description}</p>
        <details ?open=${!member}>
          <summary>${t('community.guidelines')}</summary>
          <div class="guidelines">${unsafeHTML(info.guidelines_html)}</div>
        </details>
        ${this.joinForm(info)}
        ${isCommunityStaff(info)
          ? html`<p><a href="/community/moderation">${t('community.staff.link')}</a></p>
              <p><a href="/gallery/moderation">${t('gallery.moderation.title')}</a></p>`
          : nothing}
        <p><a href=${`/gallery/${info.slug}`}>${t('gallery.link')}</a></p>
        ${info.staff
          ? html`<p><a href=${`/events/new?community=${encodeURIComponent(info.slug)}`}>${t('events.createForCommunity')}</a></p>`
          : nothing}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <h2>${t('community.topics')}</h2>
        ${this.topics.length ? nothing : html`<p>${t('community.noTopics')}</p>`}
        <ul role="list" class="topics">
          ${this.topics.map(
            (topic) => html`<li>
              <a href=${`/community/threads/${topic.id}`}>${topic.title}</a>
              <span class="hint">
                ${t('community.replies', { count: Math.max(0, topic.post_count - 1) })}
                ${topic.unread ? html` · <strong>${t('community.unread', { count: topic.unread })}</strong>` : nothing}
              </span>
            </li>`,
          )}
        </ul>
        ${member ? this.composer() : nothing}
        ${member || info.visibility === 'public' || info.staff ? html`<cv-library-list .slug=${info.slug}></cv-library-list>` : nothing}
        ${setsRoles(info) ? html`<cv-community-roles .slug=${info.slug}></cv-community-roles>` : nothing}
      </section>
    `;
  }
}

/** Who may set members' roles: the community's moderators and site admins (the server's rule). */
function setsRoles(info: Community): boolean {
  const m = info.membership;
  return (m?.status === 'active' && m.role === 'moderator') || getAccount()?.role === 'admin';
}

/** The choice of name a post goes out under: the community pseudonym (default) or one's name. */
export function identityChoice(prefix: string) {
  return html`<fieldset class="identity">
    <legend>${t('community.postAs')}</legend>
    <label class="check"
      ><input type="radio" name="identity" value="pseudonym" id=${`${prefix}-pseudonym`} checked />
      ${t('community.asPseudonym')}</label
    >
    <label class="check"
      ><input type="radio" name="identity" value="name" id=${`${prefix}-name`} />
      ${t('community.asName')}</label
    >
  </fieldset>`;
}

customElements.define('cv-community', CommunityPage);
