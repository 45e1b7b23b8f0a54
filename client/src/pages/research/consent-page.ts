import { html, nothing } from 'lit';
import { myConsents, optIn, withdraw, type ResearchConsent } from '../../api/research';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';

/** The patient's research choices: per study, what is shared; take part or withdraw. */
export class ResearchConsentPage extends LightElement {
  static override properties = { list: { state: true }, error: { state: true } };

  declare list: ResearchConsent[];
  declare error: string;

  constructor() {
    super();
    this.list = [];
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.list = await myConsents();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async choose(c: ResearchConsent, join: boolean): Promise<void> {
    try {
      await (join ? optIn(c.study_id) : withdraw(c.study_id));
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private item(c: ResearchConsent) {
    const taking = c.status === 'active';
    return html`<li class="card">
      <h2>${c.title}</h2>
      <p>${c.protocol}</p>
      <h3>${t('research.consent.shared')}</h3>
      <ul>
        ${c.shared.map((s) => html`<li>${s}</li>`)}
      </ul>
      <p role="status">${taking ? t('research.consent.in') : t('research.consent.out')}</p>
      <button
        class="button ${taking ? 'button--secondary' : ''}"
        type="button"
        @click=${() => this.choose(c, !taking)}
      >
        ${taking
          ? t('research.consent.leave', { title: c.title })
          : t('research.consent.join', { title: c.title })}
      </button>
    </li>`;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="research-consent-heading">
        <p><a href="/privacy">${t('research.consent.back')}</a></p>
        <h1 id="research-consent-heading">${t('research.consent.title')}</h1>
        <p class="lead">${t('research.consent.intro')}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        ${this.list.length
          ? html`<ul role="list" class="cards">${this.list.map((c) => this.item(c))}</ul>`
          : html`<p>${t('research.consent.none')}</p>`}
      </section>
    `;
  }
}

customElements.define('cv-research-consent', ResearchConsentPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-research-consent': ResearchConsentPage;
  }
}
