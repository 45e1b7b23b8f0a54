import { html } from 'lit';
import { delegations, type Delegation } from '../api/privacy';
import { t } from '../i18n';
import { formatDate } from '../i18n/format';
import { LoadingController } from '../controllers/loading';
import { LightElement } from './light-element';
import { scopeLabel, sortScopes } from './scopes';

/** The first word of a name: how a caregiver's pages speak of the person ("Amara's vitals"). */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

function allows(d: Delegation, category: string): boolean {
  return d.scopes.some((scope) => scope === `${category}:read` || scope === `${category}:write`);
}

/**
 * The people who have shared access with a caregiver: what each delegation allows, until when,
 * and links to what it opens (their health record, vitals, appointments). On the caregiver's home and on
 * their "People I support" page; everything about the person is said in the third person.
 */
export class PeopleISupport extends LightElement {
  private supported = new LoadingController(this, () => delegations());

  private renderPerson(d: Delegation) {
    const person = firstName(d.patient_name);
    const links = [
      allows(d, 'vitals')
        ? html`<a href="/vitals?patient=${encodeURIComponent(d.patient_id)}"
            >${t('people.vitals', { person })}</a
          >`
        : null,
      allows(d, 'record')
        ? html`<a href="/people/${encodeURIComponent(d.patient_id)}/health"
            >${t('people.health', { person })}</a
          >`
        : null,
      allows(d, 'appointments')
        ? html`<a href="/appointments">${t('people.appointments', { person })}</a>`
        : null,
    ].filter((link) => link !== null);
    return html`
      <li class="item" data-patient=${d.patient_id}>
        <h3 class="item__title">${d.patient_name}</h3>
        <p class="item__meta">${t('people.until', { date: formatDate(d.expires_at) })}</p>
        <p class="item__label">${t('people.canDo', { person })}</p>
        <ul class="scope-list">
          ${sortScopes(d.scopes).map((scope) => html`<li>${scopeLabel(scope, 'caregiver')}</li>`)}
        </ul>
        ${links.length
          ? html`<ul class="person-links" role="list" aria-label=${t('people.linksLabel', { person })}>
              ${links.map((link) => html`<li>${link}</li>`)}
            </ul>`
          : ''}
      </li>
    `;
  }

  private renderList(list: Delegation[]) {
    const active = list.filter((d) => d.active);
    if (active.length === 0) return html`<p class="empty">${t('supported.empty')}</p>`;
    return html`
      <ul class="item-list" role="list">
        ${active.map((d) => this.renderPerson(d))}
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
