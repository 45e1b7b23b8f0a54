import { html, nothing } from 'lit';
import { study, type Study } from '../../api/research';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import './cohort-builder';
import './export-list';
import './trial-panel';
import { statusText } from './studies-page';

/** One study: its protocol, the cohort builder, its exports with their reports, its trials. */
export class ResearchStudy extends LightElement {
  static override properties = {
    studyId: { attribute: false },
    study: { state: true },
    error: { state: true },
  };

  declare studyId: string;
  declare study: Study | null;
  declare error: string;

  constructor() {
    super();
    this.studyId = '';
    this.study = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.study = await study(this.studyId);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    const s = this.study;
    if (!s) {
      return this.error
        ? html`<section class="panel"><p role="alert" class="error">${this.error}</p></section>`
        : nothing;
    }
    return html`
      <section class="panel" aria-labelledby="study-heading">
        <p><a href="/cohorts">${t('research.study.back')}</a></p>
        <h1 id="study-heading">${s.title}</h1>
        <p>${t('research.studies.status', { status: statusText(s.status) })}</p>
        <h2>${t('research.study.protocol')}</h2>
        <p>${s.protocol}</p>
        <p class="hint">
          ${t('research.study.thresholds', { k: s.k, l: s.l ?? t('research.study.noL') })}
        </p>
        ${s.status === 'draft' ? html`<p role="status">${t('research.study.draftNotice')}</p>` : nothing}
      </section>
      <cv-research-cohorts .study=${s}></cv-research-cohorts>
      <cv-research-export-list .study=${s}></cv-research-export-list>
      <cv-research-trials .study=${s}></cv-research-trials>
    `;
  }
}

customElements.define('cv-research-study', ResearchStudy);

declare global {
  interface HTMLElementTagNameMap {
    'cv-research-study': ResearchStudy;
  }
}
