import { html, nothing } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import {
  react,
  replyTo,
  setThreadSlowMode,
  thread,
  watchThread,
  type Identity,
  type Post,
  type ReactionKind,
  type ThreadPage,
} from '../../api/community';
import { METHOD_WARNING_TAG, type Concern } from '../../api/moderation';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { DraftNudge } from './draft-nudge';
import './flag-post';
import { identityChoice } from './community-page';
import './quality-mark';

const REACTIONS: ReactionKind[] = ['me_too', 'thank_you', 'helpful'];

/**
 * A thread: its posts (server-sanitised HTML), reactions, quotes, and a reply composer with the
 * pseudonym choice. New posts arrive live (server-sent events) and are announced politely.
 */
export class ThreadView extends LightElement {
  static override properties = {
    threadId: {},
    page: { state: true },
    posts: { state: true },
    quoting: { state: true },
    concern: { state: true },
    nudged: { state: true },
    error: { state: true },
    busy: { state: true },
    announcement: { state: true },
    slowNotice: { state: true },
  };

  declare threadId: string;
  declare page: ThreadPage | null;
  declare posts: Post[];
  declare quoting: Post | null;
  declare concern: Concern | null;
  /** The pre-post nudge's message of concern while the draft has crisis language. */
  declare nudged: Concern | null;
  private readonly draft = new DraftNudge((concern) => (this.nudged = concern));
  declare error: string;
  declare busy: boolean;
  declare announcement: string;
  declare slowNotice: string;
  private stop: (() => void) | null = null;

  constructor() {
    super();
    this.threadId = '';
    this.page = null;
    this.posts = [];
    this.quoting = null;
    this.concern = null;
    this.nudged = null;
    this.error = '';
    this.busy = false;
    this.announcement = '';
    this.slowNotice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    this.stop?.();
    this.stop = null;
    this.draft.cancel();
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      this.page = await thread(this.threadId);
      this.posts = this.page.posts;
      this.stop = watchThread(
        this.threadId,
        (post) => this.arrived(post),
        () => void this.resync(),
      );
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** After the live stream reopened (e.g. a refreshed session): the posts it may have missed. */
  private async resync(): Promise<void> {
    try {
      const last = this.posts.reduce((seq, p) => Math.max(seq, p.seq), 0);
      const page = await thread(this.threadId, last);
      for (const post of page.posts) this.arrived(post);
    } catch {
      // The stream is up again; a failed catch-up leaves the posts shown as they are.
    }
  }

  private arrived(post: Post): void {
    const at = this.posts.findIndex((p) => p.id === post.id);
    if (at >= 0) {
      this.posts = this.posts.map((p) => (p.id === post.id ? post : p));
      return;
    }
    this.posts = [...this.posts, post].sort((a, b) => a.seq - b.seq);
    if (!post.author.mine) this.announcement = t('community.newPost', { author: author(post) });
  }

  private async reply(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.error = '';
    try {
      const answer = await replyTo(
        this.threadId,
        String(data.get('body') ?? ''),
        (data.get('identity') as Identity) ?? 'pseudonym',
        this.quoting?.id,
      );
      this.draft.reset();
      this.concern = answer.concern as Concern | null;
      this.arrived(answer.post);
      this.quoting = null;
      form.reset();
    } catch (error) {
      this.error = describeError(error);
    }
    this.busy = false;
  }

  private async toggle(post: Post, kind: ReactionKind): Promise<void> {
    try {
      this.arrived(await react(post.id, kind, !post.my_reactions.includes(kind)));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private postView(post: Post) {
    const removed = post.state === 'removed';
    return html`<li>
      <article class="post" id=${`post-${post.seq}`} aria-labelledby=${`post-${post.seq}-by`}>
        <header>
          <strong id=${`post-${post.seq}-by`}>${author(post)}</strong>
          ${post.author.badge ? html`<span class="badge">${t(`community.badge.${post.author.badge}` as MessageKey)}</span>` : nothing}
          ${post.accepted ? html`<span class="badge">${t('community.accepted')}</span>` : nothing}
          ${post.state === 'held' ? html`<span class="badge">${t('community.held')}</span>` : nothing}
        </header>
        ${post.state === 'published' ? html`<cv-quality-mark .threadId=${this.threadId} .postId=${post.id}></cv-quality-mark>` : nothing}
        ${post.quote
          ? html`<blockquote>${post.quote.excerpt || t('community.removed')}</blockquote>`
          : nothing}
        ${removed ? html`<div class="post-body"><p>${t('community.removed')}</p></div>` : body(post)}
        ${removed || post.state !== 'published'
          ? nothing
          : html`<div class="reactions" role="group" aria-label=${t('community.reactions')}>
              ${REACTIONS.map(
                (kind) => html`<button
                  type="button"
                  aria-pressed=${post.my_reactions.includes(kind) ? 'true' : 'false'}
                  @click=${() => this.toggle(post, kind)}
                >
                  ${t(`community.reaction.${kind}`)} (${post.reactions[kind]})
                </button>`,
              )}
              <button type="button" @click=${() => this.quote(post)}>${t('community.quote')}</button>
            </div>`}
        ${removed || post.state !== 'published' || post.author.mine
          ? nothing
          : html`<cv-flag-post .postId=${post.id}></cv-flag-post>`}
      </article>
    </li>`;
  }

  private async slowMode(event: Event): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const seconds = Number(data.get('seconds') ?? 0);
    this.error = '';
    this.slowNotice = '';
    try {
      await setThreadSlowMode(this.threadId, seconds, String(data.get('reason') ?? '').trim());
      this.slowNotice = seconds ? t('community.slowOn', { every: slowLabel(seconds) }) : t('community.slowOff');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private slowForm(page: ThreadPage) {
    const current = page.thread.slow_seconds ?? 0;
    return html`<form class="slow-mode" @submit=${this.slowMode} aria-labelledby="slow-heading">
      <h2 id="slow-heading">${t('community.slowMode')}</h2>
      <label for="slow-seconds">${t('community.slowEvery')}</label>
      <select id="slow-seconds" name="seconds">
        ${SLOW_STEPS.map(
          (s) => html`<option value=${s} ?selected=${s === current}>${s ? slowLabel(s) : t('community.slowNone')}</option>`,
        )}
      </select>
      <label for="slow-reason">${t('community.slowReason')}</label>
      <input id="slow-reason" name="reason" required maxlength="500" />
      <button type="submit">${t('community.slowSet')}</button>
      <p role="status">${this.slowNotice}</p>
    </form>`;
  }

  private quote(post: Post): void {
    this.quoting = post;
    void this.focusById('reply-body');
  }

  override render() {
    const page = this.page;
    if (!page) {
      return this.error ? html`<p role="alert" class="error">${this.error}</p>` : html`<p>${t('app.loading')}</p>`;
    }
    const member = page.community.membership?.status === 'active';
    return html`
      <section class="thread" aria-labelledby="thread-heading">
        <p><a href=${`/community/${page.community.slug}`}>${page.community.name}</a></p>
        <h1 id="thread-heading">${page.thread.title}</h1>
        ${page.community.staff ? this.slowForm(page) : nothing}
        <ol role="list" class="posts" aria-label=${t('community.postsLabel')}>
          ${this.posts.map((post) => this.postView(post))}
        </ol>
        <p class="visually-hidden" role="status" aria-live="polite">${this.announcement}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${member
          ? html`<form class="composer" @submit=${this.reply} aria-labelledby="reply-heading">
                <h2 id="reply-heading">${t('community.reply')}</h2>
                ${this.quoting
                  ? html`<p>
                      ${t('community.quoting', { author: author(this.quoting) })}
                      <button type="button" @click=${() => (this.quoting = null)}>${t('community.noQuote')}</button>
                    </p>`
                  : nothing}
                <label for="reply-body">${t('community.body')}</label>
                <textarea id="reply-body" name="body" required rows="4" maxlength="20000"
        @input=${this.draft.typed}
        @blur=${this.draft.left}
      ></textarea>
      <cv-concern-message nudge .concern=${this.nudged}></cv-concern-message>
                ${identityChoice('reply')}
                <button type="submit" ?disabled=${this.busy}>${t('community.post')}</button>
              </form>
              <cv-concern-message .concern=${this.concern}></cv-concern-message>`
          : html`<p>${t('community.joinToReply')}</p>`}
      </section>
    `;
  }
}

/**
 * The sanitised body; a post that names a method of self-harm (#chatsafe) stays behind a
 * content warning the reader opens deliberately.
 */
function body(post: Post) {
  const shown = html`<div class="post-body">${unsafeHTML(post.html)}</div>`;
  if (!post.tags.includes(METHOD_WARNING_TAG)) return shown;
  return html`<details class="content-warning">
    <summary>${t('community.methodWarning')}</summary>
    ${shown}
  </details>`;
}

const SLOW_STEPS = [0, 60, 300, 900, 3600];

function slowLabel(seconds: number): string {
  return seconds >= 3600
    ? t('community.slowHours', { count: seconds / 3600 })
    : t('community.slowMinutes', { count: seconds / 60 });
}

function author(post: Post): string {
  if (post.author.mine) return t('community.you');
  return post.author.name ?? post.author.handle ?? t('community.removedAuthor');
}

customElements.define('cv-community-thread', ThreadView);
