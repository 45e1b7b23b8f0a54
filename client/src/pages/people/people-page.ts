import { html } from 'lit';
import '../../components/people-i-support';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import '../patients/patients.css';

/**
 * The caregiver's "People I support": each person who has shared access, what the delegation
 * allows and until when, with links to that person's vitals and appointments.
 */
export class PeoplePage extends LightElement {
  override render() {
    return html`
      <div class="page-intro">
        <h1>${t('area.people.title')}</h1>
        <p class="lead">${t('people.intro')}</p>
      </div>
      <cv-people-i-support></cv-people-i-support>
    `;
  }
}

customElements.define('cv-people-page', PeoplePage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-people-page': PeoplePage;
  }
}
