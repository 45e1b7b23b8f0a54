import { html } from 'lit';
import { delegations, type Delegation } from '../api/privacy';
import { t } from '../i18n';
import { formatDate } from '../i18n/format';
import { LoadingController } from '../controllers/loading';
import { LightElement } from './light-element';
import { scopeLabel, sortScopes } from './scopes';

/** On a caregiver's home: the people who have shared access with them, and what it allows. */
export class PeopleISupport extends LightElement {
  private supported = new LoadingController(this, () => delegations());

  private renderList(list: Delegation[]) {
    const active = list.filter((d) => d.active);
    if (active.length === 0) return html`<p class="empty">${t('supported.empty')}</p>`;
    return html`
      <ul class="item-list" role="list">
        ${active.map(
          (d) => html`
            <li class="item">
              <h3 class="item__title">${d.patient_name}</h3>
              <p class="item__meta">${t('supported.until', { date: formatDate(d.expires_at) })}</p>
              <p class="item__label">${t('supported.canDo')}</p>
              <ul class="scope-list">
                ${sortScopes(d.scopes).map((scope) => html`<li>${scopeLabel(scope, 'caregiver')}</li>`)}
              </ul>
            </li>
          `,
        )}
      </ul>
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="supported-title">
        <h2 id="supported-title">${t('supported.title')}</h2>
        ${this.supported.render((list) => this.renderList(list))}
      </section>
    `;
  }
}

customElements.define('cv-people-i-support', PeopleISupport);

declare global {
  interface HTMLElementTagNameMap {
    'cv-people-i-support': PeopleISupport;
  }
}
