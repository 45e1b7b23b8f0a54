import { html } from 'lit';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';

export class NotFoundPage extends LightElement {
  override render() {
    return html`
      <div class="panel">
        <h1>${t('notFound.title')}</h1>
        <p class="lead">${t('notFound.body')}</p>
        <p><a href="/">${t('notFound.home')}</a></p>
      </div>
    `;
  }
}

customElements.define('cv-not-found', NotFoundPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-not-found': NotFoundPage;
  }
}
