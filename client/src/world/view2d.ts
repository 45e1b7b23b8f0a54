import { html, nothing } from 'lit';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import { objectName } from './labels';
import { NEARBY_METRES, type WorldState } from './world-state';

/**
 * The accessible 2D view of a space: where you are and who and what is near, then the people
 * and the objects lists (the page's panels, each with "Go near" buttons). Chat and call controls
 * sit beside it, as in 3D. Fires `stop-walking`.
 */
export class World2D extends LightElement {
  static override properties = {
    state: { attribute: false },
    spaceName: { type: String },
    walkingTo: { type: String },
    version: { type: Number },
    people: { attribute: false },
    objects: { attribute: false },
  };

  declare state: WorldState | null;
  declare spaceName: string;
  /** The name of whom or what you are walking to, or ''. */
  declare walkingTo: string;
  declare version: number;
  /** The people list (the page's own panel), shown between "where" and the objects. */
  declare people: unknown;
  /** The objects list (the page's own panel), shown last. */
  declare objects: unknown;

  constructor() {
    super();
    this.state = null;
    this.spaceName = '';
    this.walkingTo = '';
    this.version = 0;
    this.people = nothing;
    this.objects = nothing;
  }

  private fire(type: string, detail: unknown = null): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true }));
  }

  private where() {
    const state = this.state;
    if (!state) return nothing;
    if (state.spectator) return html`<p>${t('world.view2d.spectator')}</p>`;
    const near = state
      .others()
      .filter((p) => state.distanceTo(p.x, p.z) <= NEARBY_METRES)
      .map((p) => p.name);
    const nearObjects = [...state.objects.values()]
      .filter((o) => state.distanceTo(o.p[0], o.p[2]) <= NEARBY_METRES)
      .map((o) => objectName(o));
    const all = [...near, ...nearObjects];
    // "No one" only when the people list is empty too; else how many are further away.
    const others = state.others().length;
    let nearby: string;
    if (all.length > 0) nearby = t('world.view2d.near', { list: all.join(', ') });
    else if (others > 0) nearby = t('world.view2d.nobodyClose', { count: others });
    else nearby = t('world.view2d.nearNobody');
    return html`
      <p>${t('world.view2d.youAreIn', { space: this.spaceName })} ${nearby}</p>
      ${this.walkingTo
        ? html`<p class="world-walking">
            ${t('world.view2d.walking', { name: this.walkingTo })}
            <button class="button button--quiet" type="button" @click=${() => this.fire('stop-walking')}>
              ${t('world.view2d.stop')}
            </button>
          </p>`
        : nothing}
    `;
  }

  override render() {
    return html`
      <section class="world-panel world-2d" aria-labelledby="where-title">
        <h2 id="where-title">${t('world.view2d.where')}</h2>
        ${this.where()}
      </section>
      ${this.people} ${this.objects}
    `;
  }
}

customElements.define('cv-world-2d', World2D);

declare global {
  interface HTMLElementTagNameMap {
    'cv-world-2d': World2D;
  }
}
