import { html, nothing } from 'lit';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import type { Area } from '../roles';

/** An area of Careverse whose screens later work provides. */
export class AreaPage extends LightElement {
  static override properties = { area: { attribute: false } };

  declare area: Area | null;

  constructor() {
    super();
    this.area = null;
  }

  override render() {
    if (!this.area) return nothing;
    return html`
      <div class="panel">
        <h1>${t(this.area.title)}</h1>
        <p class="lead">${t(this.area.description)}</p>
        <p class="coming-soon">${t('area.comingSoon')}</p>
        <p><a class="button button--secondary" href="/home">${t('area.backHome')}</a></p>
      </div>
    `;
  }
}

customElements.define('cv-area', AreaPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-area': AreaPage;
  }
}
