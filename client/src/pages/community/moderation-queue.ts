import { html, nothing } from 'lit';
import {
  METHOD_WARNING_TAG,
  acknowledgeCase,
  approvePost,
  editPost,
  hidePost,
  moderationQueue,
  penalise,
  releasePost,
  type QueueItem,
} from '../../api/moderation';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import './moderation.css';

type Act = 'approve' | 'release' | 'hide' | 'edit' | 'warn' | 'silence' | 'acknowledge';

const DONE: Record<Act, MessageKey> = {
  approve: 'moderation.done.approve',
  release: 'moderation.done.release',
  hide: 'moderation.done.hide',
  edit: 'moderation.done.edit',
  warn: 'moderation.done.warn',
  silence: 'moderation.done.silence',
  acknowledge: 'moderation.done.acknowledge',
};

/**
 * The moderation queue (AREAS.moderation): held and flagged posts of the communities the
 * moderator looks after, crisis holds first, each with its thread's context, why it is here, and
 * the actions — approve (or release a crisis false positive in one click), hide, edit with a
 * visible note, warn, silence for a period — each with a reason. Who is behind a pseudonym is
 * never shown. Posts naming a method of self-harm stay behind a warning (#chatsafe).
 */
export class ModerationQueue extends LightElement {
  static override properties = {
    busy: { state: true },
    notice: { state: true },
    error: { state: true },
    editing: { state: true },
  };

  declare busy: string;
  declare notice: string;
  declare error: string;
  declare editing: string;

  private items = new LoadingController(this, () => moderationQueue(), { keep: true });
  private reasons = new Map<string, string>();

  constructor() {
    super();
    this.busy = '';
    this.notice = '';
    this.error = '';
    this.editing = '';
  }

  private reasonOf(item: QueueItem): string {
    return (this.reasons.get(item.post_id) ?? '').trim();
  }

  private async act(item: QueueItem, act: Act): Promise<void> {
    const reason = this.reasonOf(item);
    const id = item.post_id;
    this.notice = '';
    this.error = '';
    const needsReason = act !== 'release' && act !== 'acknowledge';
    if (needsReason && !reason) {
      this.error = t('moderation.reasonNeeded');
      await this.focusById(`reason-${id}`);
      return;
    }
    this.busy = id;
    try {
      if (act === 'approve') await approvePost(id, reason);
      else if (act === 'release') await releasePost(id, reason || undefined);
      else if (act === 'hide') await hidePost(id, reason);
      else if (act === 'warn') await penalise(id, 'warn', reason);
      else if (act === 'silence') {
        const days = Number(this.querySelector<HTMLSelectElement>(`#days-${id}`)?.value ?? '1');
        await penalise(id, 'silence', reason, days);
      } else if (act === 'acknowledge' && item.crisis) await acknowledgeCase(item.crisis.case_id);
      else if (act === 'edit') {
        const body = this.querySelector<HTMLTextAreaElement>(`#edit-body-${id}`)?.value ?? '';
        const note = this.querySelector<HTMLInputElement>(`#edit-note-${id}`)?.value ?? '';
        await editPost(id, body, note, reason);
        this.editing = '';
      }
      this.reasons.delete(id);
      this.notice = t(DONE[act]);
      await this.items.load();
      await this.focusById('moderation-heading');
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = '';
    }
  }

  private renderBody(item: QueueItem) {
    const body = html`<p class="post-body">${item.body}</p>`;
    if (!item.tags.includes(METHOD_WARNING_TAG)) return body;
    return html`<details class="content-warning">
      <summary>${t('moderation.methodWarning')}</summary>
      ${body}
    </details>`;
  }

  private renderActions(item: QueueItem) {
    const id = item.post_id;
    const busy = this.busy === id;
    const crisis = item.crisis;
    return html`
      <label for=${`reason-${id}`}>${t('moderation.reason')}</label>
      <textarea
        id=${`reason-${id}`}
        rows="2"
        maxlength="500"
        .value=${this.reasons.get(id) ?? ''}
        @input=${(e: Event) => this.reasons.set(id, (e.target as HTMLTextAreaElement).value)}
      ></textarea>
      ${this.editing === id
        ? html`<div class="edit-form">
            <label for=${`edit-body-${id}`}>${t('moderation.editBody')}</label>
            <textarea id=${`edit-body-${id}`} rows="4" maxlength="20000" .value=${item.body}></textarea>
            <label for=${`edit-note-${id}`}>${t('moderation.editNote')}</label>
            <input id=${`edit-note-${id}`} maxlength="300" />
            <button type="button" ?disabled=${busy} @click=${() => this.act(item, 'edit')}>
              ${t('moderation.saveEdit')}
            </button>
          </div>`
        : nothing}
      <div class="actions" role="group" aria-label=${t('moderation.actionsLabel')}>
        ${crisis
          ? html`<button type="button" ?disabled=${busy} @click=${() => this.act(item, 'release')}>
              ${t('moderation.release')}
            </button>`
          : html`<button type="button" ?disabled=${busy} @click=${() => this.act(item, 'approve')}>
              ${t('moderation.approve')}
            </button>`}
        ${crisis && crisis.status === 'open'
          ? html`<button
              type="button"
              ?disabled=${busy}
              @click=${() => this.act(item, 'acknowledge')}
            >
              ${t('moderation.acknowledge')}
            </button>`
          : nothing}
        <button type="button" ?disabled=${busy} @click=${() => this.act(item, 'hide')}>
          ${t('moderation.hide')}
        </button>
        <button
          type="button"
          ?disabled=${busy}
          aria-expanded=${this.editing === id ? 'true' : 'false'}
          @click=${() => (this.editing = this.editing === id ? '' : id)}
        >
          ${t('moderation.edit')}
        </button>
        <button type="button" ?disabled=${busy} @click=${() => this.act(item, 'warn')}>
          ${t('moderation.warn')}
        </button>
        <span class="silence">
          <label for=${`days-${id}`}>${t('moderation.silenceFor')}</label>
          <select id=${`days-${id}`}>
            <option value="1">${t('moderation.days', { count: 1 })}</option>
            <option value="7">${t('moderation.days', { count: 7 })}</option>
            <option value="30">${t('moderation.days', { count: 30 })}</option>
          </select>
          <button type="button" ?disabled=${busy} @click=${() => this.act(item, 'silence')}>
            ${t('moderation.silence')}
          </button>
        </span>
      </div>
    `;
  }

  private renderItem(item: QueueItem) {
    const crisis = item.crisis;
    return html`
      <li>
        <article class=${crisis ? 'queue-item crisis' : 'queue-item'} aria-labelledby=${`title-${item.post_id}`}>
          <h2 id=${`title-${item.post_id}`}>${item.thread.title}</h2>
          <p class="meta">${item.community.name} · ${item.author} · ${t(`moderation.state.${item.state}` as MessageKey)}</p>
          ${crisis
            ? html`<p class="crisis-banner">
                ${t('moderation.crisis')}
                ${crisis.acknowledge_by
                  ? t('moderation.acknowledgeBy', { time: new Date(crisis.acknowledge_by).toLocaleTimeString() })
                  : t('moderation.acknowledged')}
              </p>`
            : nothing}
          ${item.thread.context.length
            ? html`<h3>${t('moderation.context')}</h3>
                <ol class="context">
                  ${item.thread.context.map((c) => html`<li value=${c.seq}>${c.excerpt}</li>`)}
                </ol>`
            : nothing}
          <h3>${t('moderation.post')}</h3>
          ${this.renderBody(item)}
          ${item.reasons.length
            ? html`<h3>${t('moderation.why')}</h3>
                <ul class="reasons">${item.reasons.map((r) => html`<li><code>${r}</code></li>`)}</ul>`
            : nothing}
          ${item.flags.length
            ? html`<h3>${t('moderation.flags', { count: item.flags.length })}</h3>
                <ul class="flags">
                  ${item.flags.map(
                    (f) => html`<li>${f.system ? t('moderation.systemFlag') : f.reason}${f.note ? html`: ${f.note}` : nothing}</li>`,
                  )}
                </ul>`
            : nothing}
          ${this.renderActions(item)}
        </article>
      </li>
    `;
  }

  override render() {
    return html`
      <div class="page-intro">
        <h1 id="moderation-heading" tabindex="-1">${t('area.moderation.title')}</h1>
        <p class="lead">${t('moderation.intro')}</p>
      </div>
      <div class="notice" role="status">${this.notice || nothing}</div>
      <div class="form-error" role="alert">${this.error || nothing}</div>
      ${this.items.render((items) =>
        items.length === 0
          ? html`<p class="empty">${t('moderation.empty')}</p>`
          : html`<ul class="moderation-queue" role="list" aria-label=${t('moderation.listLabel')}>
              ${items.map((item) => this.renderItem(item))}
            </ul>`,
      )}
    `;
  }
}

customElements.define('cv-moderation-queue', ModerationQueue);

declare global {
  interface HTMLElementTagNameMap {
    'cv-moderation-queue': ModerationQueue;
  }
}
