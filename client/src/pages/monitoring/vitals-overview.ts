import { html, nothing, type PropertyValues } from 'lit';
import {
  latestReadings,
  vitals,
  type LatestValue,
  type Rule,
  type VitalsSeries,
} from '../../api/monitoring';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import type { ChartTarget } from './vitals-chart';
import './vitals-chart';
import {
  VITAL_CODES,
  capitalise,
  formatAgo,
  formatValue,
  isKnownCode,
  plainName,
  ruleSummary,
  rulesFor,
  targetSentence,
  vitalName,
} from './vitals';

export const RANGES = {
  day: { hours: 24, buckets: 96, label: 'range.day' },
  week: { hours: 24 * 7, buckets: 168, label: 'range.week' },
  month: { hours: 24 * 30, buckets: 180, label: 'range.month' },
  year: { hours: 24 * 365, buckets: 365, label: 'range.year' },
} as const satisfies Record<string, { hours: number; buckets: number; label: MessageKey }>;
export type RangeName = keyof typeof RANGES;

/**
 * A patient's vital signs, one card per sign with readings: the latest value in words, the
 * targets the care team set (for the patient, as plain sentences), and a chart of the chosen
 * time range (24 hours to a year). Used by the patient's own page, a caregiver's view and the
 * clinician's view of one patient (`audience`).
 */
export class VitalsOverview extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    audience: { type: String },
    personName: { type: String, attribute: 'person-name' },
    rules: { attribute: false },
    headingLevel: { type: Number, attribute: 'heading-level' },
    range: { state: true },
    charts: { state: true },
    period: { state: true },
    chartError: { state: true },
  };

  declare patientId: string;
  /** `self` (the patient), `other` (a caregiver) or `clinician`. */
  declare audience: 'self' | 'other' | 'clinician';
  /** The patient's name, for a caregiver's sentences. */
  declare personName: string;
  declare rules: readonly Rule[];
  declare headingLevel: 2 | 3;
  declare range: RangeName;
  declare charts: Record<string, VitalsSeries | null>;
  /** The period the charts show, in epoch seconds. */
  declare period: readonly [number, number] | null;
  declare chartError: string;

  /** The latest reading of each sign; kept on screen while a newer one loads. */
  private latest = new LoadingController(this, () => latestReadings(this.patientId), {
    auto: false,
    keep: true,
  });
  /** Discards chart answers to requests made for an earlier patient or range. */
  private generation = 0;

  constructor() {
    super();
    this.patientId = '';
    this.audience = 'self';
    this.personName = '';
    this.rules = [];
    this.headingLevel = 2;
    this.range = 'day';
    this.charts = {};
    this.period = null;
    this.chartError = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.load();
  }

  /** Load again (e.g. after new readings arrived). */
  async reload(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<void> {
    this.generation += 1; // charts still coming for the earlier load are not wanted
    this.chartError = '';
    if (await this.latest.load()) await this.loadCharts();
  }

  private codes(): string[] {
    const latest = this.latest.value ?? {};
    const known = VITAL_CODES.filter((code) => code in latest);
    const others = Object.keys(latest).filter((code) => !isKnownCode(code));
    return [...known, ...others];
  }

  private async loadCharts(): Promise<void> {
    const generation = ++this.generation;
    const range = RANGES[this.range];
    const end = new Date();
    const start = new Date(end.getTime() - range.hours * 3600 * 1000);
    const codes = this.codes();
    this.period = [start.getTime() / 1000, end.getTime() / 1000];
    this.charts = Object.fromEntries(codes.map((code) => [code, null]));
    await Promise.all(
      codes.map(async (code) => {
        try {
          const series = await vitals(this.patientId, code, start, end, range.buckets);
          if (generation !== this.generation) return;
          this.charts = { ...this.charts, [code]: series };
        } catch (error) {
          if (generation === this.generation) this.chartError = describeError(error);
        }
      }),
    );
  }

  private chooseRange(range: RangeName): void {
    if (range === this.range) return;
    this.range = range;
    void this.loadCharts();
  }

  private heading(id: string, text: string) {
    return this.headingLevel === 2
      ? html`<h2 class="vital-card__title" id=${id}>${text}</h2>`
      : html`<h3 class="vital-card__title" id=${id}>${text}</h3>`;
  }

  /** The clinician's name of the sign, or the everyday one ("Oxygen level") for patients. */
  private cardTitle(code: string, reading: LatestValue): string {
    if (this.audience === 'clinician') return vitalName(code, reading.label);
    return capitalise(plainName(code, reading.label));
  }

  private latestSentence(code: string, reading: LatestValue): string {
    const value = formatValue(code, reading.value, reading.unit);
    const ago = formatAgo(reading.at);
    if (this.audience === 'clinician') return t('vitals.latestClinician', { value, ago });
    const name = plainName(code, reading.label);
    if (this.audience === 'other') {
      return t('vitals.plain.latestOther', { person: this.personName, name, value, ago });
    }
    return t('vitals.plain.latest', { name, value, ago });
  }

  private targetText(rule: Rule): string {
    if (this.audience === 'clinician') return ruleSummary(rule);
    return targetSentence(rule, this.audience === 'other');
  }

  private chartTargets(code: string): ChartTarget[] {
    return rulesFor(this.rules, code).flatMap((rule) =>
      rule.kind === 'threshold' || rule.kind === 'sustained'
        ? [{ value: rule.value, label: ruleSummary(rule) }]
        : [],
    );
  }

  private renderRange() {
    return html`
      <fieldset class="range-picker">
        <legend>${t('range.legend')}</legend>
        <div class="range-picker__options">
          ${(Object.keys(RANGES) as RangeName[]).map(
            (name) => html`
              <label class="range-picker__option">
                <input
                  type="radio"
                  name="vitals-range-${this.patientId}"
                  value=${name}
                  .checked=${this.range === name}
                  @change=${() => this.chooseRange(name)}
                />
                <span>${t(RANGES[name].label)}</span>
              </label>
            `,
          )}
        </div>
      </fieldset>
    `;
  }

  private renderCard(code: string) {
    const reading = this.latest.value?.[code];
    if (!reading) return nothing;
    const id = `vital-${code}`;
    const targets = rulesFor(this.rules, code);
    return html`
      <li class="vital-card">
        <section aria-labelledby=${id}>
          ${this.heading(id, this.cardTitle(code, reading))}
          <p class="vital-card__latest">${this.latestSentence(code, reading)}</p>
          ${
            targets.length > 0
              ? html`<ul class="vital-card__targets" role="list">
                  ${targets.map((rule) => html`<li>${this.targetText(rule)}</li>`)}
                </ul>`
              : nothing
          }
          <cv-vitals-chart
            chart-id="chart-${code}"
            .series=${this.charts[code] ?? null}
            .span=${this.period}
            .targets=${this.chartTargets(code)}
            ?short=${this.range === 'day' || this.range === 'week'}
          ></cv-vitals-chart>
        </section>
      </li>
    `;
  }

  override render() {
    return this.latest.render(() => this.renderSigns(), () => this.load());
  }

  private renderSigns() {
    const codes = this.codes();
    if (codes.length === 0) {
      return html`<p class="empty">
        ${this.audience === 'other'
          ? t('vitals.noneOther', { person: this.personName })
          : t(this.audience === 'clinician' ? 'vitals.noneClinician' : 'vitals.none')}
      </p>`;
    }
    const noData = this.rules.filter((rule) => rule.kind === 'no_data');
    return html`
      <div class="form-error" role="alert">${this.latest.error || this.chartError || nothing}</div>
      ${this.renderRange()}
      ${
        this.audience !== 'clinician' && noData.length > 0
          ? html`<ul class="vital-card__targets" role="list">
              ${noData.map((rule) => html`<li>${this.targetText(rule)}</li>`)}
            </ul>`
          : nothing
      }
      <ul class="vital-list" role="list">
        ${codes.map((code) => this.renderCard(code))}
      </ul>
    `;
  }
}

customElements.define('cv-vitals-overview', VitalsOverview);

declare global {
  interface HTMLElementTagNameMap {
    'cv-vitals-overview': VitalsOverview;
  }
}
