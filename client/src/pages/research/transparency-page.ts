import { html, nothing } from 'lit';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { transparency, type Transparency } from './sim-api';
import './sim-page.css';

/**
 * The public transparency page of this deployment: what each algorithm that drives care does,
 * its inputs, output, human oversight, known limits and how it is audited. Its content is data
 * from the server (research/fairness_algorithms.py), not text in this template.
 */
export class TransparencyPage extends LightElement {
  static override properties = { data: { state: true }, error: { state: true } };

  declare data: Transparency | null;
  declare error: string;

  constructor() {
    super();
    this.data = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void transparency().then(
      (found) => (this.data = found),
      (error: unknown) => (this.error = describeError(error)),
    );
  }

  override render() {
    const data = this.data;
    return html`<section class="transparency-page" aria-labelledby="transparency-heading">
      <h1 id="transparency-heading">${t('transparency.title')}</h1>
      <p>${t('transparency.intro')}</p>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${data
        ? html`<ul class="transparency-list" role="list">
              ${data.algorithms.map(
                (a) => html`<li class="panel">
                  <h2>${a.name}</h2>
                  <p>${a.purpose}</p>
                  <h3>${t('transparency.inputs')}</h3>
                  <ul>${a.inputs.map((i) => html`<li>${i}</li>`)}</ul>
                  <h3>${t('transparency.output')}</h3>
                  <p>${a.output}</p>
                  <h3>${t('transparency.oversight')}</h3>
                  <p>${a.human_oversight}</p>
                  <h3>${t('transparency.limits')}</h3>
                  <ul>${a.limits.map((l) => html`<li>${l}</li>`)}</ul>
                  <h3>${t('transparency.audit')}</h3>
                  <p>${a.audit_note}</p>
                  <p class="field-hint">${t('transparency.source', { source: a.source, reference: a.reference })}</p>
                </li>`,
              )}
            </ul>
            <p>${data.audit_rule}</p>`
        : nothing}
    </section>`;
  }
}

customElements.define('cv-transparency-page', TransparencyPage);
