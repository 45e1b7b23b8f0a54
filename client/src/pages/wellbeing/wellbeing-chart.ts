import { html, nothing, svg } from 'lit';
import type { Instrument, WellbeingResult } from '../../api/wellbeing';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';

const WIDTH = 320;
const HEIGHT = 120;
const PAD = 16;

/** The score a chart plots: WHO-5's percentage, else the total (null when incomplete). */
export function plotted(result: WellbeingResult): number | null {
  return result.percentage ?? result.total ?? null;
}

/** The words for a result's change from the baseline ("an important improvement"), or ''. */
export function changeText(result: WellbeingResult): string {
  if (result.change === 'improved') return t('wellbeing.change.improved');
  if (result.change === 'worsened') return t('wellbeing.change.worsened');
  return '';
}

/**
 * Results over time, one small chart per instrument that has a minimal clinically important
 * change (PHQ-9: 5 points, GAD-7: 4, WHO-5: 10 percentage points) and two or more scores. The
 * shaded band is the baseline (the first result) plus and minus that change: a point outside it
 * is an important change, drawn as a square and named in the chart's label. The results table
 * beside it carries the same facts in text.
 */
export class WellbeingChart extends LightElement {
  static override properties = {
    results: { attribute: false },
    instruments: { attribute: false },
  };

  declare results: WellbeingResult[];
  declare instruments: Instrument[];

  constructor() {
    super();
    this.results = [];
    this.instruments = [];
  }

  private chart(instrument: Instrument, series: WellbeingResult[]) {
    const mcid = instrument.mcid ?? 0;
    const max = instrument.band_scale === 'percentage' ? 100 : instrument.options.length
      ? Math.max(...instrument.options.map((o) => o.score)) * instrument.items.length
      : 1;
    const baseline = plotted(series[0]!) ?? 0;
    const x = (i: number) => PAD + (i * (WIDTH - 2 * PAD)) / Math.max(1, series.length - 1);
    const y = (v: number) => HEIGHT - PAD - (Math.min(max, Math.max(0, v)) * (HEIGHT - 2 * PAD)) / max;
    const points = series.map((r, i) => [x(i), y(plotted(r) ?? 0)] as const);
    const last = series[series.length - 1]!;
    const label = t('wellbeing.chart.label', {
      title: instrument.title,
      count: series.length,
      first: baseline,
      last: plotted(last) ?? '',
      mcid,
    }) + (changeText(last) ? ` ${changeText(last)}.` : '');
    const top = y(baseline + mcid);
    const bottom = y(baseline - mcid);
    return html`<figure class="wellbeing-chart" data-instrument=${instrument.code}>
      <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${label} width="100%" preserveAspectRatio="none">
        ${svg`<rect class="wellbeing-chart__band" x=${PAD} y=${top} width=${WIDTH - 2 * PAD}
          height=${Math.max(1, bottom - top)}></rect>
        <polyline class="wellbeing-chart__line" fill="none" points=${points.map((p) => p.join(',')).join(' ')}></polyline>
        ${series.map((r, i) => {
          const [px, py] = points[i]!;
          return r.change
            ? svg`<rect class="wellbeing-chart__point wellbeing-chart__point--${r.change}"
                x=${px - 4} y=${py - 4} width="8" height="8"></rect>`
            : svg`<circle class="wellbeing-chart__point" cx=${px} cy=${py} r="3"></circle>`;
        })}`}
      </svg>
      <figcaption>${instrument.title} · ${t('wellbeing.chart.caption', { mcid })}</figcaption>
    </figure>`;
  }

  override render() {
    const charts = this.instruments
      .filter((i) => i.mcid !== null && i.mcid !== undefined)
      .map((i) => [i, this.results.filter((r) => r.instrument === i.code && plotted(r) !== null)] as const)
      .filter(([, series]) => series.length >= 2);
    if (charts.length === 0) return nothing;
    return html`<div class="wellbeing-charts">${charts.map(([i, series]) => this.chart(i, series))}</div>`;
  }
}

customElements.define('cv-wellbeing-chart', WellbeingChart);

declare global {
  interface HTMLElementTagNameMap {
    'cv-wellbeing-chart': WellbeingChart;
  }
}
