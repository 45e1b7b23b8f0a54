import { html } from 'lit';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { AREAS } from '../../roles';
import './access-history';
import './account-deletion';
import './authorised-apps';
import './caregiver-access';
import './consent-choices';
import './record-export';

const SECTIONS = [
  { id: 'access', title: 'access.title' },
  { id: 'consents', title: 'consents.title' },
  { id: 'delegations', title: 'delegations.title' },
  { id: 'apps', title: 'smart.apps.title' },
  { id: 'export', title: 'export.title' },
  { id: 'erasure', title: 'erasure.title' },
] as const;

/**
 * The patient's "Privacy & data": who has seen the record, consent choices, the people who
 * can act for them, a copy of the record, and deleting the account. Each section loads and
 * acts on its own, so that one failing leaves the others usable.
 */
export class PrivacyPage extends LightElement {
  override render() {
    return html`
      <div class="page-intro">
        <h1>${t(AREAS.privacy.title)}</h1>
        <p class="lead">${t('privacy.intro')}</p>
        <nav class="page-contents" aria-labelledby="privacy-contents-title">
          <h2 class="page-contents__title" id="privacy-contents-title">${t('privacy.contents')}</h2>
          <ul role="list">
            ${SECTIONS.map((section) => html`<li><a href="#${section.id}">${t(section.title)}</a></li>`)}
          </ul>
        </nav>
      </div>
      <cv-access-history></cv-access-history>
      <cv-consent-choices></cv-consent-choices>
      <p class="panel"><a href="/privacy/research">${t('research.consent.link')}</a></p>
      <cv-caregiver-access></cv-caregiver-access>
      <cv-authorised-apps></cv-authorised-apps>
      <cv-record-export></cv-record-export>
      <cv-account-deletion></cv-account-deletion>
    `;
  }
}

customElements.define('cv-privacy', PrivacyPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-privacy': PrivacyPage;
  }
}
