import { html, nothing } from 'lit';
import { communities, type Community, type CommunityKind } from '../../api/community';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import './digest-setting';
import { isCommunityStaff } from './staff-queue';

/**
 * A list of communities, filtered by kind (support groups: condition and mental-health
 * communities; caregiver groups: caregiver communities; all for staff), with a search box.
 */
export class CommunityList extends LightElement {
  static override properties = {
    kinds: { attribute: false },
    heading: { attribute: false },
    all: { state: true },
    query: { state: true },
    error: { state: true },
    loaded: { state: true },
  };

  declare kinds: CommunityKind[] | null;
  declare heading: MessageKey | null;
  declare all: Community[];
  declare query: string;
  declare error: string;
  declare loaded: boolean;

  constructor() {
    super();
    this.kinds = null;
    this.heading = null;
    this.all = [];
    this.query = '';
    this.error = '';
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.all = await communities();
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private shown(): Community[] {
    const needle = this.query.trim().toLowerCase();
    return this.all.filter(
      (c) =>
        (!this.kinds || this.kinds.includes(c.kind)) &&
        (!needle || `${c.name} ${c.description}`.toLowerCase().includes(needle)),
    );
  }

  override render() {
    const shown = this.shown();
    return html`
      <section class="community-list" aria-labelledby="communities-heading">
        <h1 id="communities-heading">${t(this.heading ?? 'community.title')}</h1>
        <label for="community-search">${t('community.searchCommunities')}</label>
        <input
          id="community-search"
          type="search"
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
        />
        ${this.all.some(isCommunityStaff)
          ? html`<p><a href="/community/moderation">${t('community.staff.link')}</a></p>`
          : nothing}
        <p><a href="/groups">${t('groups.title')}</a></p>
        <p><a href="/events">${t('events.title')}</a></p>
        <cv-community-digest></cv-community-digest>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${this.loaded && !shown.length ? html`<p>${t('community.none')}</p>` : nothing}
        <ul role="list" class="cards">
          ${shown.map(
            (c) => html`<li class="card">
              <h2><a href=${`/community/${c.slug}`}>${c.name}</a></h2>
              <p>${c.description}</p>
              <p class="hint">
                ${t(`community.kind.${c.kind}` as MessageKey)} ·
                ${t(`community.visibility.${c.visibility}` as MessageKey)} ·
                ${t('community.members', { count: c.members })}
                ${c.membership?.status === 'active' ? html` · ${t('community.joined')}` : nothing}
              </p>
            </li>`,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-community-list', CommunityList);
