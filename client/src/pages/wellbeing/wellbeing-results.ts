import { html, nothing } from 'lit';
import { instruments, patientResults, type Instrument, type WellbeingResult } from '../../api/wellbeing';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { changeText } from './wellbeing-chart';
import './wellbeing-chart';
import './wellbeing-schedules';

/** A questionnaire result in a few words: "score 12 (moderate)", "risk: high", "incomplete". */
export function resultSummary(result: WellbeingResult): string {
  if (result.risk) return t('wellbeing.result.risk', { risk: result.risk });
  if (result.total === null || result.total === undefined) return t('wellbeing.result.incomplete');
  if (result.percentage !== null && result.percentage !== undefined) {
    return t('wellbeing.result.percentage', {
      total: result.total,
      percentage: result.percentage,
      band: result.band ?? '',
    });
  }
  return t('wellbeing.result.total', { total: result.total, band: result.band ?? '' });
}

const TITLES: Record<string, string> = {
  phq9: 'PHQ-9',
  gad7: 'GAD-7',
  who5: 'WHO-5',
  phq2: 'PHQ-2',
  gad2: 'GAD-2',
  cssrs: 'C-SSRS',
};

/** The clinician's view of a patient's questionnaire results: charts with the minimal clinically
 * important change, the results newest first (crisis ones marked), and the patient's schedules. */
export class WellbeingResults extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    results: { state: true },
    catalogue: { state: true },
    error: { state: true },
  };

  declare patientId: string;
  declare results: WellbeingResult[] | null;
  declare catalogue: Instrument[];
  declare error: string;

  constructor() {
    super();
    this.patientId = '';
    this.results = null;
    this.catalogue = [];
    this.error = '';
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('patientId') && this.patientId) void this.load();
  }

  private async load(): Promise<void> {
    try {
      [this.results, this.catalogue] = await Promise.all([patientResults(this.patientId), instruments()]);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    const results = this.results;
    return html`
      <section class="panel" aria-labelledby="wellbeing-results-title">
        <h2 id="wellbeing-results-title">${t('wellbeing.clinician.title')}</h2>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        ${
          results === null
            ? nothing
            : results.length === 0
              ? html`<p>${t('wellbeing.history.none')}</p>`
              : html`<cv-wellbeing-chart .results=${results} .instruments=${this.catalogue}></cv-wellbeing-chart>
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">${t('wellbeing.history.when')}</th>
                      <th scope="col">${t('wellbeing.history.questionnaire')}</th>
                      <th scope="col">${t('wellbeing.history.result')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${[...results].reverse().map(
                      (r) => html`<tr>
                        <td>${new Date(r.submitted_at).toLocaleString()}</td>
                        <td>${TITLES[r.instrument] ?? r.instrument}</td>
                        <td>
                          ${resultSummary(r)}
                          ${r.flags.includes('phq9-item9') ? html`<strong>${t('wellbeing.clinician.item9')}</strong>` : nothing}
                          ${changeText(r) ? html`<span class="change">· ${changeText(r)}</span>` : nothing}
                        </td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
        }
      </section>
      ${
        this.patientId
          ? html`<cv-wellbeing-schedules patient-id=${this.patientId} .instruments=${this.catalogue}></cv-wellbeing-schedules>`
          : nothing
      }
    `;
  }
}

customElements.define('cv-wellbeing-results', WellbeingResults);

declare global {
  interface HTMLElementTagNameMap {
    'cv-wellbeing-results': WellbeingResults;
  }
}
