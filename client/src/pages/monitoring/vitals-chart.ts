import { html, nothing, type PropertyValues } from 'lit';
import type uPlot from 'uplot';
import type { VitalsSeries } from '../../api/monitoring';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatDate, formatTime, formattingLocale } from '../../i18n/format';
import { formatNumber, formatValue, unitText } from './vitals';

const PRIMARY = '#0b5f73';
const BAND = 'rgba(11, 95, 115, 0.18)';
const EDGE = 'rgba(11, 95, 115, 0.45)';
const TARGET = '#a4231b';
const HEIGHT = 220;
/** Rows of the table alternative: the newest buckets (a year has a few hundred). */
const TABLE_ROWS = 200;

/** uPlot and its stylesheet, fetched with the first chart (most pages never draw one). */
let library: Promise<typeof uPlot> | null = null;

export function loadUPlot(): Promise<typeof uPlot> {
  library ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
    ([module]) => module.default,
    (error: unknown) => {
      // A chunk that failed to load (a dropped connection, a new deployment) is tried again
      // next time rather than remembered as failed.
      library = null;
      throw error;
    },
  );
  return library;
}

/** A line across the chart at a value the care team watches (a target). */
export interface ChartTarget {
  value: number;
  label: string;
}

/** A moment marked on the time axis (a training run's action), epoch seconds. */
export interface ChartMarker {
  at: number;
  label: string;
}

/**
 * One vital sign over a time range, drawn with uPlot: the band between the lowest and highest
 * reading of each time bucket, and the average as a line; targets as dashed lines. The canvas
 * is hidden from assistive technology: a caption summarises the range in words and a table
 * (behind a disclosure) lists every bucket.
 */
export class VitalsChart extends LightElement {
  static override properties = {
    series: { attribute: false },
    // Parents build the targets afresh on each render: redraw only when they differ.
    targets: {
      attribute: false,
      hasChanged: (next: unknown, previous: unknown) =>
        JSON.stringify(next) !== JSON.stringify(previous),
    },
    span: { attribute: false },
    markers: { attribute: false },
    chartId: { type: String, attribute: 'chart-id' },
    short: { type: Boolean },
  };

  declare series: VitalsSeries | null;
  declare targets: readonly ChartTarget[];
  /** The period asked for, in epoch seconds: the time axis spans it even where nothing was read. */
  declare span: readonly [number, number] | null;
  /** Moments drawn as vertical lines (the training debrief's actions). */
  declare markers: readonly ChartMarker[];
  declare chartId: string;
  /** Label times with hours (ranges of a day or two) rather than dates. */
  declare short: boolean;

  private plot: uPlot | null = null;
  private resize: ResizeObserver | null = null;
  /** Counts draws, so that one overtaken while uPlot loads gives up. */
  private drawing = 0;

  constructor() {
    super();
    this.series = null;
    this.targets = [];
    this.span = null;
    this.markers = [];
    this.chartId = 'chart';
    this.short = false;
  }

  override disconnectedCallback(): void {
    this.destroyPlot();
    super.disconnectedCallback();
  }

  private destroyPlot(): void {
    this.resize?.disconnect();
    this.resize = null;
    this.plot?.destroy();
    this.plot = null;
  }

  private points() {
    return (this.series?.points ?? []).filter((point) => point.n > 0);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('series') || changed.has('targets') || changed.has('markers')) void this.draw();
  }

  private async draw(attempt = 1): Promise<void> {
    this.destroyPlot();
    const drawing = ++this.drawing;
    if (!this.querySelector('.vitals-chart__plot') || this.points().length === 0) return;
    let UPlot: typeof uPlot;
    try {
      UPlot = await loadUPlot();
    } catch {
      // The caption and the table still say it all; try the picture again shortly.
      if (attempt < 4 && drawing === this.drawing) {
        window.setTimeout(() => {
          if (drawing === this.drawing && this.isConnected) void this.draw(attempt + 1);
        }, 1000 * attempt);
      }
      return;
    }
    // Something newer was asked for while the library loaded.
    if (drawing !== this.drawing || !this.isConnected) return;
    const host = this.querySelector<HTMLElement>('.vitals-chart__plot');
    const points = this.points();
    if (!host || points.length === 0) return;
    const xs = points.map((p) => Date.parse(p.t) / 1000);
    const data: uPlot.AlignedData = [
      xs,
      points.map((p) => p.min),
      points.map((p) => p.max),
      points.map((p) => p.mean),
    ];
    const targets = this.targets;
    const markers = this.markers;
    const period = this.span;
    const code = this.series?.code ?? '';
    const locale = formattingLocale();
    const timeLabel = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
    const dateLabel = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
    const width = Math.max(200, host.clientWidth || 320);
    const options: uPlot.Options = {
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          ...(period ? { range: (): uPlot.Range.MinMax => [period[0], period[1]] } : {}),
        },
        y: {
          range: (_u, min, max) => {
            const low = Math.min(min, ...targets.map((target) => target.value));
            const high = Math.max(max, ...targets.map((target) => target.value));
            const pad = Math.max((high - low) * 0.1, Math.abs(high) * 0.02, 1);
            return [low - pad, high + pad];
          },
        },
      },
      axes: [
        {
          stroke: '#46555f',
          grid: { stroke: '#e3e8eb' },
          ticks: { stroke: '#c9d3d9' },
          // Times and dates the reader's way (uPlot's own labels are American).
          values: (_u, splits, _axis, _space, increment) =>
            splits.map((seconds) =>
              (increment < 24 * 3600 ? timeLabel : dateLabel).format(new Date(seconds * 1000)),
            ),
        },
        {
          stroke: '#46555f',
          grid: { stroke: '#e3e8eb' },
          ticks: { stroke: '#c9d3d9' },
          size: 48,
          values: (_u, splits) => splits.map((value) => formatNumber(code, value)),
        },
      ],
      series: [
        {},
        { label: t('chart.lowest'), stroke: EDGE, width: 1, points: { show: false } },
        { label: t('chart.highest'), stroke: EDGE, width: 1, points: { show: false } },
        {
          label: t('chart.average'),
          stroke: PRIMARY,
          width: 2,
          points: { show: points.length < 60, size: 5, fill: PRIMARY },
        },
      ],
      bands: [{ series: [2, 1], fill: BAND }],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = TARGET;
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            for (const target of targets) {
              const y = Math.round(u.valToPos(target.value, 'y', true));
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
            }
            ctx.strokeStyle = '#6b3fa0';
            ctx.fillStyle = '#6b3fa0';
            ctx.font = `${11 * devicePixelRatio}px sans-serif`;
            for (const marker of markers) {
              const x = Math.round(u.valToPos(marker.at, 'x', true));
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.fillText(marker.label, x + 3 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
            }
            ctx.restore();
          },
        ],
      },
    };
    this.plot = new UPlot(options, data, host);
    this.resize = new ResizeObserver(() => {
      const next = Math.max(200, host.clientWidth);
      if (this.plot && Math.abs(next - this.plot.width) > 2) {
        this.plot.setSize({ width: next, height: HEIGHT });
      }
    });
    this.resize.observe(host);
  }

  private when(iso: string): string {
    return this.short
      ? t('chart.dateTime', { date: formatDate(iso), time: formatTime(iso) })
      : formatDate(iso);
  }

  /** The range in one sentence: lowest, highest and average over the period. */
  private summary(): string {
    const series = this.series;
    const points = this.points();
    const first = points[0];
    const last = points[points.length - 1];
    if (!series || !first || !last) return '';
    const unit = series.unit;
    const lowest = Math.min(...points.map((p) => p.min));
    const highest = Math.max(...points.map((p) => p.max));
    const total = points.reduce((sum, p) => sum + p.n, 0);
    const mean = points.reduce((sum, p) => sum + p.mean * p.n, 0) / Math.max(total, 1);
    return t('chart.summary', {
      from: this.when(first.t),
      to: this.when(last.t),
      lowest: formatValue(series.code, lowest, unit),
      highest: formatValue(series.code, highest, unit),
      average: formatValue(series.code, mean, unit),
      count: total,
    });
  }

  private renderTable() {
    const series = this.series;
    if (!series) return nothing;
    const rows = this.points().slice(-TABLE_ROWS).reverse();
    const unit = unitText(series.unit);
    return html`
      <details class="vitals-chart__table">
        <summary>${t('chart.showTable')}</summary>
        <div
          class="table-scroll"
          tabindex="0"
          role="region"
          aria-label=${t('chart.tableLabel', { name: series.label })}
        >
          <table>
            <caption class="visually-hidden">
              ${t('chart.tableLabel', { name: series.label })}
            </caption>
            <thead>
              <tr>
                <th scope="col">${t('chart.when')}</th>
                <th scope="col">${t('chart.averageUnit', { unit })}</th>
                <th scope="col">${t('chart.lowestUnit', { unit })}</th>
                <th scope="col">${t('chart.highestUnit', { unit })}</th>
                <th scope="col">${t('chart.readings')}</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (p) =>
                  html`<tr>
                    <th scope="row">
                      ${t('chart.dateTime', { date: formatDate(p.t), time: formatTime(p.t) })}
                    </th>
                    <td>${formatNumber(series.code, p.mean)}</td>
                    <td>${formatNumber(series.code, p.min)}</td>
                    <td>${formatNumber(series.code, p.max)}</td>
                    <td>${p.n.toLocaleString()}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </details>
    `;
  }

  override render() {
    if (!this.series) return html`<p class="loading" role="status">${t('app.loading')}</p>`;
    if (this.points().length === 0) return html`<p class="empty">${t('chart.noReadings')}</p>`;
    const captionId = `${this.chartId}-caption`;
    return html`
      <figure class="vitals-chart" aria-labelledby=${captionId}>
        <div class="vitals-chart__plot" aria-hidden="true"></div>
        <figcaption id=${captionId} class="vitals-chart__caption">${this.summary()}</figcaption>
        ${
          this.targets.length > 0
            ? html`<p class="vitals-chart__key">
                <span class="key-line" aria-hidden="true"></span>${t('chart.targetKey')}
              </p>`
            : nothing
        }
      </figure>
      ${this.renderTable()}
    `;
  }
}

customElements.define('cv-vitals-chart', VitalsChart);

declare global {
  interface HTMLElementTagNameMap {
    'cv-vitals-chart': VitalsChart;
  }
}
