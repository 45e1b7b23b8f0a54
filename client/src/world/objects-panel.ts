import { html, nothing } from 'lit';
import { communities, type Community } from '../api/community';
import { LightElement } from '../components/light-element';
import { t, type MessageKey } from '../i18n';
import { renderConfirm, type PendingConfirm } from './confirm-inline';
import type { NewObject, WorldObject } from './connection';
import { communityPath, kindName, metres, MODEL_KEYS, objectName } from './labels';
import type { WorldState } from './world-state';

export type NewObjectDetail = Pick<NewObject, 'kind' | 'title' | 'text' | 'model' | 'url'>;

/** Where a notice board with no community chosen leads: each person's own community list. */
export const COMMUNITY_LIST_PATH = '/community';

/**
 * The posters, notes and models in the space, nearest first, with their full text (so the 2D
 * view and screen readers get everything the 3D scene shows) and a "Go near" button each.
 * Facilitators can place something in front of themselves (a poster, a note, a model, or a
 * notice board that opens one community's page or the community list) and remove things. Fires
 * `go-near-object` ({id}), `add-object` (NewObjectDetail) and `remove-object` ({id, name}) once the facilitator has confirmed it in the panel.
 */
export class ObjectsPanel extends LightElement {
  static override properties = {
    state: { attribute: false },
    facilitator: { type: Boolean },
    version: { type: Number },
    kind: { state: true },
    error: { state: true },
    pending: { state: true },
    boards: { state: true },
  };

  declare state: WorldState | null;
  declare facilitator: boolean;
  declare version: number;
  declare kind: NewObject['kind'];
  declare error: string;
  /** Removing something, asked in the panel before it is done. */
  declare pending: PendingConfirm | null;
  /** The communities a notice board may open (those the facilitator can see), once asked. */
  declare boards: Community[] | null;
  private boardsError = '';

  constructor() {
    super();
    this.state = null;
    this.facilitator = false;
    this.version = 0;
    this.kind = 'poster';
    this.error = '';
    this.pending = null;
    this.boards = null;
  }

  private chooseKind(kind: NewObject['kind']): void {
    this.kind = kind;
    if (kind === 'notice-board' && this.boards === null) void this.loadBoards();
  }

  private async loadBoards(): Promise<void> {
    try {
      this.boards = await communities();
      this.boardsError = '';
    } catch {
      this.boardsError = t('world.objects.communitiesFailed');
      this.boards = [];
    }
  }

  private fire(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true }));
  }

  private onAdd(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const title = String(data.get('title') ?? '').trim();
    const text = String(data.get('text') ?? '').trim();
    if (this.kind !== 'model' && !title && !text) {
      this.error = t('world.objects.needsText');
      void this.focusById('object-title');
      return;
    }
    this.error = '';
    const detail: NewObjectDetail =
      this.kind === 'model'
        ? { kind: 'model', model: String(data.get('model') ?? MODEL_KEYS[0]), title }
        : this.kind === 'notice-board'
          ? { kind: 'notice-board', title, text, url: String(data.get('url') ?? COMMUNITY_LIST_PATH) }
          : { kind: this.kind, title, text };
    this.fire('add-object', detail);
    form.reset();
    this.kind = 'poster';
  }

  private askRemove(id: string, name: string): void {
    this.pending = {
      question: t('world.objects.removeConfirm', { name }),
      yes: t('world.people.removeShort'),
      run: () => this.fire('remove-object', { id, name }),
    };
    void this.focusById('objects-confirm-yes');
  }

  private answered = (): void => {
    this.pending = null;
    void this.focusById('objects-title');
  };

  private item(object: WorldObject, state: WorldState) {
    const name = objectName(object);
    const distance = metres(state.distanceTo(object.p[0], object.p[2]));
    return html`<li class="world-object" data-object-id=${object.id}>
      <h3 class="world-object__title">${name}</h3>
      <p class="world-object__meta">${kindName(object.kind)} · ${t('world.people.away', { count: distance })}</p>
      ${object.text ? html`<p class="world-object__text">${object.text}</p>` : nothing}
      ${communityPath(object)
        ? html`<p><a class="world-object__link" href=${communityPath(object)}>${t('world.object.noticeBoardLink')}</a></p>`
        : nothing}
      <div class="person__actions">
        ${state.spectator
          ? nothing
          : html`<button class="button button--quiet" type="button" @click=${() => this.fire('go-near-object', { id: object.id })}>
              ${t('world.people.goNearShort')}<span class="visually-hidden"> ${name}</span>
            </button>`}
        ${this.facilitator
          ? html`<button
              class="button button--quiet button--warn"
              type="button"
              @click=${() => this.askRemove(object.id, name)}
            >
              ${t('world.people.removeShort')}<span class="visually-hidden"> ${name}</span>
            </button>`
          : nothing}
      </div>
    </li>`;
  }

  private addForm() {
    return html`
      <details class="world-add">
        <summary>${t('world.objects.addTitle')}</summary>
        <p class="field-hint">${t('world.objects.addHint')}</p>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        <form @submit=${this.onAdd} novalidate>
          <div class="field">
            <label for="object-kind">${t('world.objects.kind')}</label>
            <select
              id="object-kind"
              name="kind"
              @change=${(e: Event) => this.chooseKind((e.target as HTMLSelectElement).value as NewObject['kind'])}
            >
              <option value="poster" ?selected=${this.kind === 'poster'}>${t('world.object.poster')}</option>
              <option value="note" ?selected=${this.kind === 'note'}>${t('world.object.note')}</option>
              <option value="model" ?selected=${this.kind === 'model'}>${t('world.object.model')}</option>
              <option value="notice-board" ?selected=${this.kind === 'notice-board'}>
                ${t('world.object.notice-board')}
              </option>
            </select>
          </div>
          ${this.kind === 'notice-board' ? this.boardChoice() : nothing}
          ${this.kind === 'model'
            ? html`<div class="field">
                <label for="object-model">${t('world.objects.model')}</label>
                <select id="object-model" name="model">
                  ${MODEL_KEYS.map((key) => html`<option value=${key}>${t(`world.model.${key}` as MessageKey)}</option>`)}
                </select>
              </div>`
            : nothing}
          <div class="field">
            <label for="object-title">${t('world.objects.titleLabel')}</label>
            <input id="object-title" name="title" type="text" maxlength="120" autocomplete="off" />
          </div>
          ${this.kind === 'model'
            ? nothing
            : html`<div class="field">
                <label for="object-text">${t('world.objects.text')}</label>
                <textarea id="object-text" name="text" maxlength="2000" rows="3"></textarea>
              </div>`}
          <div class="actions">
            <button class="button button--secondary" type="submit">${t('world.objects.add')}</button>
          </div>
        </form>
      </details>
    `;
  }

  private boardChoice() {
    const slugs = (this.boards ?? []).filter((c) => /^[a-z0-9-]{1,60}$/.test(c.slug));
    return html`<div class="field">
      <label for="object-url">${t('world.objects.community')}</label>
      <select id="object-url" name="url">
        <option value=${COMMUNITY_LIST_PATH}>${t('world.objects.communityList')}</option>
        ${slugs.map((c) => html`<option value=${`/community/${c.slug}`}>${c.name}</option>`)}
      </select>
      ${this.boardsError ? html`<p class="field-hint">${this.boardsError}</p>` : nothing}
    </div>`;
  }

  override render() {
    const state = this.state;
    if (!state) return nothing;
    const objects = [...state.objects.values()].sort(
      (a, b) => state.distanceTo(a.p[0], a.p[2]) - state.distanceTo(b.p[0], b.p[2]),
    );
    return html`
      <section class="world-panel" aria-labelledby="objects-title">
        <h2 id="objects-title" tabindex="-1">${t('world.objects.title')}</h2>
        ${renderConfirm(this.pending, 'objects-confirm', this.answered)}
        ${objects.length === 0
          ? html`<p class="empty">${t('world.objects.empty')}</p>`
          : html`<ul class="object-list" role="list">${objects.map((o) => this.item(o, state))}</ul>`}
        ${this.facilitator && !state.spectator ? this.addForm() : nothing}
      </section>
    `;
  }
}

customElements.define('cv-world-objects', ObjectsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'cv-world-objects': ObjectsPanel;
  }
}
