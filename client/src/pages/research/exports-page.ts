import { html, nothing } from 'lit';
import { studies, type Study } from '../../api/research';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { AREAS } from '../../roles';
import './export-list';

/** Every export of the caller's studies, each with its k/l report and files. */
export class ResearchExports extends LightElement {
  static override properties = { list: { state: true }, error: { state: true } };

  declare list: Study[];
  declare error: string;

  constructor() {
    super();
    this.list = [];
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void studies()
      .then((found) => (this.list = found))
      .catch((error: unknown) => (this.error = describeError(error)));
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="all-exports-heading">
        <h1 id="all-exports-heading">${t(AREAS.exports.title)}</h1>
        <p class="lead">${t('research.exports.intro')}</p>
        ${this.list.length ? nothing : html`<p>${t('research.studies.none')}</p>`}
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
      ${this.list.map((s) => html`<cv-research-export-list .study=${s}></cv-research-export-list>`)}
    `;
  }
}

customElements.define('cv-research-exports', ResearchExports);

declare global {
  interface HTMLElementTagNameMap {
    'cv-research-exports': ResearchExports;
  }
}
