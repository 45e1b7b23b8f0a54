import { html, type PropertyValues } from 'lit';
import type uPlot from 'uplot';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatNumber } from '../../i18n/format';
import { loadUPlot } from '../monitoring/vitals-chart';

const COLOURS = ['#0b5f73', '#a4231b', '#5b3f8c', '#2f6b2f', '#8a5a00', '#46555f'];
const HEIGHT = 220;

export interface SimSeries {
  arm: string;
  values: number[];
}

/**
 * One vital's mean over the virtual cohort of each arm, against minutes since the start, drawn
 * with uPlot (as the vitals charts are). The canvas is hidden from assistive technology; the
 * caption says each arm's first, lowest and last value, and the outcome table has the numbers.
 */
export class SimChart extends LightElement {
  static override properties = {
    minutes: { attribute: false },
    series: { attribute: false },
    label: { type: String },
  };

  declare minutes: number[];
  declare series: SimSeries[];
  declare label: string;
  private plot: uPlot | null = null;

  constructor() {
    super();
    this.minutes = [];
    this.series = [];
    this.label = '';
  }

  override disconnectedCallback(): void {
    this.plot?.destroy();
    this.plot = null;
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('series') || changed.has('minutes')) void this.draw();
  }

  private async draw(): Promise<void> {
    this.plot?.destroy();
    this.plot = null;
    const host = this.querySelector<HTMLElement>('.sim-chart__plot');
    if (!host || this.minutes.length === 0) return;
    let UPlot: typeof uPlot;
    try {
      UPlot = await loadUPlot();
    } catch {
      return; // the caption and the table still say it
    }
    if (!this.isConnected) return;
    const data: uPlot.AlignedData = [this.minutes, ...this.series.map((s) => s.values)];
    this.plot = new UPlot(
      {
        width: Math.max(200, host.clientWidth || 320),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          { stroke: '#46555f', grid: { stroke: '#e3e8eb' }, values: (_u, splits) => splits.map((m) => formatNumber(m)) },
          { stroke: '#46555f', grid: { stroke: '#e3e8eb' }, size: 48, values: (_u, splits) => splits.map((v) => formatNumber(v)) },
        ],
        series: [
          {},
          ...this.series.map((s, i) => ({
            label: s.arm,
            stroke: COLOURS[i % COLOURS.length] ?? '#0b5f73',
            width: 2,
            points: { show: false },
          })),
        ],
      },
      data,
      host,
    );
  }

  private caption(s: SimSeries): string {
    const values = s.values;
    if (values.length === 0) return '';
    return t('sim.chart.caption', {
      arm: s.arm,
      first: formatNumber(values[0] ?? 0),
      lowest: formatNumber(Math.min(...values)),
      last: formatNumber(values[values.length - 1] ?? 0),
    });
  }

  override render() {
    return html`<figure class="sim-chart">
      <figcaption>
        <strong>${this.label}</strong>
        <ul class="sim-chart__legend" role="list">
          ${this.series.map(
            (s, i) => html`<li>
              <span class="sim-chart__swatch" style="background:${COLOURS[i % COLOURS.length]}" aria-hidden="true"></span>${this.caption(s)}
            </li>`,
          )}
        </ul>
        <span class="sim-chart__axis">${t('sim.chart.axis')}</span>
      </figcaption>
      <div class="sim-chart__plot" aria-hidden="true"></div>
    </figure>`;
  }
}

customElements.define('cv-sim-chart', SimChart);
