import { html, nothing } from 'lit';
import { communities } from '../../api/community';
import { opportunities, type Opportunity } from '../../api/volunteering';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';

/** Volunteering: the opportunities in every community one may read, searched on the server. */
export class VolunteeringList extends LightElement {
  static override properties = {
    all: { state: true },
    organiser: { state: true },
    error: { state: true },
    loaded: { state: true },
  };

  declare all: Opportunity[];
  declare organiser: boolean;
  declare error: string;
  declare loaded: boolean;

  constructor() {
    super();
    this.all = [];
    this.organiser = false;
    this.error = '';
    this.loaded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load('');
  }

  private async load(q: string): Promise<void> {
    this.error = '';
    try {
      const [found, mine] = await Promise.all([opportunities(q), communities()]);
      this.all = found;
      this.organiser = mine.some((c) => c.staff);
    } catch (error) {
      this.error = describeError(error);
    }
    this.loaded = true;
  }

  private search = (e: Event) => {
    e.preventDefault();
    const q = new FormData(e.target as HTMLFormElement).get('q');
    void this.load(String(q ?? '').trim());
  };

  override render() {
    return html`
      <section class="community-list" aria-labelledby="volunteering-heading">
        <h1 id="volunteering-heading">${t('volunteering.title')}</h1>
        <p class="lead">${t('volunteering.intro')}</p>
        <p>
          <a href="/volunteering/me">${t('volunteering.me.title')}</a>
          ${this.organiser
            ? html` · <a href="/volunteering/new">${t('volunteering.new.title')}</a>`
            : nothing}
        </p>
        <form role="search" class="stack" @submit=${this.search}>
          <label for="volunteering-search">${t('volunteering.search')}</label>
          <input id="volunteering-search" name="q" type="search" maxlength="100" />
          <p><button class="button" type="submit">${t('volunteering.searchSubmit')}</button></p>
        </form>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <div aria-live="polite">
          ${this.loaded && !this.all.length ? html`<p>${t('volunteering.none')}</p>` : nothing}
          <ul role="list" class="cards">
            ${this.all.map(
              (o) => html`<li class="card">
                <h2><a href=${`/volunteering/${o.id}`}>${o.title}</a></h2>
                ${o.description ? html`<p>${o.description}</p>` : nothing}
                <p class="hint">
                  ${o.community_name}${o.signed_up
                    ? html` · ${t('volunteering.signedUp')}`
                    : nothing}${o.organiser ? html` · ${t('volunteering.youOrganise')}` : nothing}
                </p>
              </li>`,
            )}
          </ul>
        </div>
      </section>
    `;
  }
}

customElements.define('cv-volunteering', VolunteeringList);

declare global {
  interface HTMLElementTagNameMap {
    'cv-volunteering': VolunteeringList;
  }
}
