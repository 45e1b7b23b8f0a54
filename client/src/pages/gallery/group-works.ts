import { html } from 'lit';
import { groupWorks, type Work } from '../../api/gallery';
import { t } from '../../i18n';
import { workBody } from './work-card';
import { WorkList } from './work-list';
import './gallery.css';

/**
 * An art-therapy group's works in progress (a group that meets in the gallery): shown to its
 * members and facilitators only, after a facilitator approved each; members share more here.
 */
export class GroupWorks extends WorkList {
  static override properties = {
    ...WorkList.properties,
    slug: { attribute: false },
    community: { state: true },
  };

  declare slug: string;
  declare community: string;

  constructor() {
    super();
    this.slug = '';
    this.community = '';
  }

  protected async fetch(): Promise<Work[]> {
    const answer = await groupWorks(this.slug);
    this.community = answer.community;
    return answer.works;
  }

  override render() {
    return html`
      <section aria-labelledby="group-works-heading">
        <h1 id="group-works-heading">${t('gallery.group.title')}</h1>
        ${this.notices(t('gallery.group.none'))}
        <ul role="list" class="gallery-grid">
          ${this.works.map(
            (work) => html`<li class="gallery-work">
              <article aria-labelledby=${`work-${work.id}`}>${workBody(work)}</article>
            </li>`,
          )}
        </ul>
        ${this.community
          ? html`<cv-gallery-submit .slug=${this.community} .group=${this.slug}></cv-gallery-submit>`
          : ''}
      </section>
    `;
  }
}

customElements.define('cv-gallery-group', GroupWorks);

declare global {
  interface HTMLElementTagNameMap {
    'cv-gallery-group': GroupWorks;
  }
}
