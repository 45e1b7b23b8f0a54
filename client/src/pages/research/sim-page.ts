import { html, nothing } from 'lit';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatNumber } from '../../i18n/format';
import './sim-chart';
import { simExamples, simRun, startSim, type SimExamples, type SimOutcome, type SimRun } from './sim-api';
import './sim-page.css';

const POLL_MS = 700;

function interval(low: number | null, high: number | null): string {
  if (low === null || high === null) return '–';
  return t('sim.ci', { low: formatNumber(low, { maximumFractionDigits: 3 }), high: formatNumber(high, { maximumFractionDigits: 3 }) });
}

function value(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : formatNumber(x, { maximumFractionDigits: 3 });
}

/**
 * In-silico trials: choose a shipped example or paste a trial file, run it for a small virtual
 * cohort with a progress bar, and read the arms' outcomes with 95 % intervals and their mean
 * vitals over time. For researchers and educators (clinicians); the patients are simulated.
 */
export class SimPage extends LightElement {
  static override properties = {
    examples: { state: true },
    source: { state: true },
    run: { state: true },
    error: { state: true },
  };

  declare examples: SimExamples | null;
  declare source: 'example' | 'paste';
  declare run: SimRun | null;
  declare error: string;
  private timer = 0;

  constructor() {
    super();
    this.examples = null;
    this.source = 'example';
    this.run = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void simExamples().then(
      (found) => (this.examples = found),
      (error: unknown) => (this.error = describeError(error)),
    );
  }

  override disconnectedCallback(): void {
    window.clearTimeout(this.timer);
    super.disconnectedCallback();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const size = Number(form.get('cohort_size') ?? 0);
    this.error = '';
    let body;
    if (this.source === 'example') {
      body = { example: String(form.get('example') ?? ''), cohort_size: size };
    } else {
      try {
        body = { trial: JSON.parse(String(form.get('trial') ?? '')), cohort_size: size };
      } catch {
        this.error = t('sim.badJson');
        return;
      }
    }
    try {
      this.run = await startSim(body);
      this.poll();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private poll(): void {
    const id = this.run?.id;
    if (!id || this.run?.status !== 'running') return;
    this.timer = window.setTimeout(async () => {
      try {
        this.run = await simRun(id);
        this.poll();
        if (this.run.status === 'finished') void this.focusById('sim-results-heading');
      } catch (error) {
        this.error = describeError(error);
      }
    }, POLL_MS);
  }

  private renderForm() {
    const found = this.examples;
    const running = this.run?.status === 'running';
    return html`<form class="panel sim-form" @submit=${(e: Event) => void this.submit(e)}>
      <fieldset class="field">
        <legend>${t('sim.source')}</legend>
        <label class="choice"><input type="radio" name="source" value="example" .checked=${this.source === 'example'}
          @change=${() => (this.source = 'example')} /> ${t('sim.source.example')}</label>
        <label class="choice"><input type="radio" name="source" value="paste" .checked=${this.source === 'paste'}
          @change=${() => (this.source = 'paste')} /> ${t('sim.source.paste')}</label>
      </fieldset>
      ${this.source === 'example'
        ? html`<div class="field">
            <label for="sim-example">${t('sim.example')}</label>
            <select id="sim-example" name="example">
              ${(found?.examples ?? []).map((e) => html`<option value=${e.id}>${e.title}</option>`)}
            </select>
          </div>`
        : html`<div class="field">
            <label for="sim-trial">${t('sim.trialFile')}</label>
            <textarea id="sim-trial" name="trial" rows="12" spellcheck="false" aria-describedby="sim-trial-hint"
              .value=${JSON.stringify(found?.examples[0]?.trial ?? {}, null, 2)}></textarea>
            <p class="field-hint" id="sim-trial-hint">${t('sim.trialFile.hint')}</p>
          </div>`}
      <div class="field">
        <label for="sim-size">${t('sim.cohortSize')}</label>
        <input id="sim-size" name="cohort_size" type="number" inputmode="numeric" min="2"
          max=${found?.max_cohort ?? 200} value="20" required aria-describedby="sim-size-hint" />
        <p class="field-hint" id="sim-size-hint">
          ${t('sim.cohortSize.hint', { max: found?.max_cohort ?? 200, hours: found?.max_patient_hours ?? 400 })}
        </p>
      </div>
      <button class="button" type="submit" ?disabled=${running}>${t('sim.run')}</button>
    </form>`;
  }

  private renderProgress(run: SimRun) {
    if (run.status !== 'running') return nothing;
    return html`<div class="sim-progress">
      <label for="sim-progress">${t('sim.progress', { done: run.done, total: run.total })}</label>
      <progress id="sim-progress" max=${run.total} .value=${run.done}></progress>
    </div>`;
  }

  private renderOutcome(o: SimOutcome) {
    return html`<div class="sim-outcome">
      <h3>${o.label}</h3>
      <table class="table">
        <thead><tr>
          <th scope="col">${t('sim.col.arm')}</th><th scope="col">${t('sim.col.n')}</th>
          <th scope="col">${o.binary ? t('sim.col.risk') : t('sim.col.mean')}</th>
          <th scope="col">${t('sim.col.ci')}</th>
        </tr></thead>
        <tbody>
          ${o.by_arm.map(
            (a) => html`<tr>
              <th scope="row">${a.arm}</th><td>${a.n}</td>
              <td>${o.binary ? html`${value(a.risk)} (${a.events}/${a.n})` : value(a.mean)}</td>
              <td>${interval(a.ci_low, a.ci_high)}</td>
            </tr>`,
          )}
          ${o.estimates.map(
            (e) => html`<tr class="sim-outcome__estimate">
              <th scope="row">${t(e.measure === 'risk_difference' ? 'sim.riskDifference' : 'sim.meanDifference', { arm: e.arm, versus: e.versus })}</th>
              <td></td><td>${value(e.estimate)}</td><td>${interval(e.ci_low, e.ci_high)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private renderResult(run: SimRun) {
    const result = run.result;
    if (run.status === 'failed') return html`<p role="alert" class="error">${t('sim.failed')}</p>`;
    if (!result) return nothing;
    const minutes = result.chart.minutes;
    return html`<section class="sim-results" aria-labelledby="sim-results-heading">
      <h2 id="sim-results-heading" tabindex="-1">${t('sim.results', { title: result.trial.title })}</h2>
      <p>${t('sim.resultsIntro', { n: result.trial.cohort_size, hours: formatNumber(result.trial.duration_s / 3600), seconds: formatNumber(result.timings['total_s'] ?? 0) })}</p>
      <div class="sim-charts">
        <cv-sim-chart .label=${t('sim.chart.map')} .minutes=${minutes}
          .series=${result.chart.arms.map((a) => ({ arm: a.arm, values: a.mean_bp }))}></cv-sim-chart>
        <cv-sim-chart .label=${t('sim.chart.spo2')} .minutes=${minutes}
          .series=${result.chart.arms.map((a) => ({ arm: a.arm, values: a.spo2 }))}></cv-sim-chart>
      </div>
      ${result.outcomes.map((o) => this.renderOutcome(o))}
      <p class="field-hint">${t('sim.methods')}</p>
    </section>`;
  }

  override render() {
    return html`<section class="sim-page" aria-labelledby="sim-heading">
      <h1 id="sim-heading">${t('sim.title')}</h1>
      <p>${t('sim.intro')}</p>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${this.renderForm()}
      <div aria-live="polite">${this.run ? this.renderProgress(this.run) : nothing}</div>
      ${this.run ? this.renderResult(this.run) : nothing}
      <p><a href="/transparency">${t('transparency.link')}</a></p>
    </section>`;
  }
}

customElements.define('cv-sim-page', SimPage);
