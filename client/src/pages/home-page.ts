import { html, nothing } from 'lit';
import type { Account } from '../api/auth';
import { LightElement } from '../components/light-element';
import '../components/people-i-support';
import '../components/my-programmes';
import { t } from '../i18n';
import { roleHome } from '../roles';
import { takeNotice } from '../session';

/** The signed-in person's home: a welcome and the areas their role can go to. */
export class HomePage extends LightElement {
  static override properties = {
    account: { attribute: false },
    notice: { state: true },
  };

  declare account: Account | null;
  declare notice: string;

  constructor() {
    super();
    this.account = null;
    this.notice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.notice = takeNotice() ?? '';
  }

  override render() {
    const account = this.account;
    if (!account) return nothing;
    const home = roleHome(account.role);
    return html`
      <div class="panel">
        <p class="eyebrow">${home ? t(home.name) : account.role}</p>
        <h1>${t('home.welcome', { name: account.display_name })}</h1>
        ${home ? html`<p class="lead">${t(home.intro)}</p>` : nothing}
        <div class="notice" role="status">${this.notice || nothing}</div>
      </div>
      ${account.role === 'caregiver' ? html`<cv-people-i-support></cv-people-i-support>` : nothing}
      ${account.role === 'patient' ? html`<cv-my-programmes></cv-my-programmes>` : nothing}
      <section class="areas" aria-labelledby="areas-title">
        <h2 id="areas-title">${t('home.areasHeading')}</h2>
        ${home && home.areas.length > 0
          ? html`
              <ul class="area-grid" role="list">
                ${home.areas.map(
                  (area) => html`
                    <li class="area-card">
                      <h3 class="area-card__title">
                        <a href="/${area.slug}" aria-describedby="area-${area.slug}">${t(area.title)}</a>
                      </h3>
                      <p class="area-card__description" id="area-${area.slug}">
                        ${t(area.description)}
                      </p>
                    </li>
                  `,
                )}
              </ul>
            `
          : html`<p>${t('home.unknownRole')}</p>`}
      </section>
    `;
  }
}

customElements.define('cv-home', HomePage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-home': HomePage;
  }
}
