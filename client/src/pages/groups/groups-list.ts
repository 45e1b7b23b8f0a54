import { html, nothing } from 'lit';
import { groups, suggestedGroups, type Group } from '../../api/groups';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';

/** When a group meets, in the member's own time zone. */
export function nextSession(group: Group): string {
  if (!group.next_start) return t('groups.nextUnknown');
  const when = `${formatDate(group.next_start)} ${formatTime(group.next_start)}`;
  return t('groups.next', { when });
}

export function schedule(group: Group): string {
  const key = group.every_weeks === 2 ? 'groups.schedule.fortnightly' : 'groups.schedule.weekly';
  return t(key, { minutes: group.duration_minutes });
}

function card(g: Group) {
  return html`<li class="card">
    <h2><a href=${`/groups/${g.slug}`}>${g.name}</a></h2>
    <p>${g.description}</p>
    <p class="hint">
      ${g.caregiver ? html`${t('groups.caregiverMark')} · ` : nothing}${schedule(g)} · ${nextSession(g)}
    </p>
  </li>`;
}

/** Live support groups: caregiver groups suggested to caregivers, a search box, caregivers'
 * groups marked (and a filter). */
export class GroupsList extends LightElement {
  static override properties = {
    all: { state: true },
    suggested: { state: true },
    query: { state: true },
    caregiverOnly: { state: true },
    error: { state: true },
    loaded: { state: true },
  };

  declare all: Group[];
  declare suggested: Group[];
  declare query: string;
  declare caregiverOnly: boolean;
  declare error: string;
  declare loaded: boolean;

  constructor() {
    super();
    this.all = [];
    this.suggested = [];
    this.query = '';
    this.caregiverOnly = false;
    this.error = '';
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.all, this.suggested] = await Promise.all([groups(), suggestedGroups()]);
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private shown(): Group[] {
    const needle = this.query.trim().toLowerCase();
    return this.all.filter(
      (g) =>
        (!this.caregiverOnly || g.caregiver) &&
        (!needle || `${g.name} ${g.description}`.toLowerCase().includes(needle)),
    );
  }

  override render() {
    const shown = this.shown();
    return html`
      <section class="community-list" aria-labelledby="groups-heading">
        <h1 id="groups-heading">${t('groups.title')}</h1>
        ${this.suggested.length
          ? html`<section aria-labelledby="groups-suggested">
              <h2 id="groups-suggested">${t('groups.suggested')}</h2>
              <p class="hint">${t('groups.suggestedWhy')}</p>
              <ul role="list" class="cards">
                ${this.suggested.map(card)}
              </ul>
            </section>`
          : nothing}
        <label for="groups-search">${t('groups.search')}</label>
        <input
          id="groups-search"
          type="search"
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
        />
        <label>
          <input
            type="checkbox"
            .checked=${this.caregiverOnly}
            @change=${(e: Event) => (this.caregiverOnly = (e.target as HTMLInputElement).checked)}
          />
          ${t('groups.caregiverOnly')}
        </label>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${this.loaded && !shown.length ? html`<p>${t('groups.none')}</p>` : nothing}
        <ul role="list" class="cards">
          ${shown.map(card)}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-groups-list', GroupsList);

declare global {
  interface HTMLElementTagNameMap {
    'cv-groups-list': GroupsList;
  }
}
