import { html, nothing } from 'lit';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatNumber } from '../../i18n/format';
import { fairnessAudit, type FairnessAudit, type FairnessDimension } from './sim-api';
import './sim-page.css';

const RETRY_MS = 5000;
const DAYS = [30, 90, 365];

function shown(x: number | null, statistic: string): string {
  if (x === null) return '–';
  return statistic === 'rate'
    ? formatNumber(x, { style: 'percent', maximumFractionDigits: 1 })
    : formatNumber(x, { maximumFractionDigits: 1 });
}

/**
 * The fairness audit: each algorithm that drives care, its metrics by age band, sex, ethnicity
 * and language, with 95 % bootstrap intervals drawn as bars, small groups shown as "< 11" and
 * flagged disparities. Aggregates only; for researchers and admins.
 */
export class FairnessPage extends LightElement {
  static override properties = {
    audit: { state: true },
    days: { state: true },
    loading: { state: true },
    error: { state: true },
  };

  declare audit: FairnessAudit | null;
  declare days: number;
  declare loading: boolean;
  declare error: string;

  constructor() {
    super();
    this.audit = null;
    this.days = 90;
    this.loading = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** The next ask while the server is still computing the audit (it answers 202 meanwhile). */
  private retry: number | undefined;

  override disconnectedCallback(): void {
    window.clearTimeout(this.retry);
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    window.clearTimeout(this.retry);
    this.loading = true;
    this.error = '';
    try {
      const answer = await fairnessAudit(this.days);
      if ((answer as { status?: string }).status === 'computing') {
        this.retry = window.setTimeout(() => void this.load(), RETRY_MS);
        return;
      }
      this.audit = answer;
    } catch (error) {
      this.error = describeError(error);
    }
    this.loading = false;
  }

  private bar(low: number | null, point: number | null, high: number | null, scale: number) {
    if (point === null || scale <= 0) return nothing;
    const pct = (x: number) => `${Math.max(0, Math.min(100, (x / scale) * 100))}%`;
    return html`<span class="fairness-bar" aria-hidden="true">
      ${low !== null && high !== null
        ? html`<span class="fairness-bar__ci" style="inset-inline-start:${pct(low)};inline-size:calc(${pct(high)} - ${pct(low)})"></span>`
        : nothing}
      <span class="fairness-bar__point" style="inset-inline-start:${pct(point)}"></span>
    </span>`;
  }

  private dimension(d: FairnessDimension, statistic: string, metricLabel: string) {
    const label = t(`fairness.dim.${d.dimension}` as MessageKey);
    if (d.groups.length === 0) {
      return html`<p><strong>${label}:</strong> ${d.note}</p>`;
    }
    const scale = Math.max(0.0001, ...d.groups.map((g) => g.ci_high ?? g.value ?? 0));
    return html`<table class="table fairness-table">
      <caption>${t('fairness.caption', { metric: metricLabel, dimension: label })}
        ${d.flagged ? html` <span class="fairness-flag">${t('fairness.flagged')}</span>` : nothing}</caption>
      <thead><tr>
        <th scope="col">${t('fairness.col.group')}</th><th scope="col">${t('fairness.col.n')}</th>
        <th scope="col">${t('fairness.col.value')}</th><th scope="col">${t('fairness.col.ci')}</th>
        <th scope="col"><span class="visually-hidden">${t('fairness.col.bar')}</span></th>
      </tr></thead>
      <tbody>
        ${d.groups.map(
          (g) => html`<tr>
            <th scope="row">${g.group}</th>
            <td>${g.suppressed ? t('fairness.small') : g.n}</td>
            <td>${g.suppressed ? '–' : shown(g.value, statistic)}</td>
            <td>${g.suppressed || g.ci_low === null ? '–' : t('sim.ci', { low: shown(g.ci_low, statistic), high: shown(g.ci_high, statistic) })}</td>
            <td>${g.suppressed ? nothing : this.bar(g.ci_low, g.value, g.ci_high, scale)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p class="field-hint">${d.ratio === null
      ? d.note
      : t('fairness.ratio', {
          ratio: formatNumber(d.ratio, { maximumFractionDigits: 2 }),
          low: formatNumber(d.ratio_ci_low ?? 0, { maximumFractionDigits: 2 }),
          high: formatNumber(d.ratio_ci_high ?? 0, { maximumFractionDigits: 2 }),
          lowest: d.lowest ?? '',
          highest: d.highest ?? '',
        })}</p>`;
  }

  private renderAudit(audit: FairnessAudit) {
    return html`<p>${audit.rule}</p>
      ${audit.algorithms.map(
        (a) => html`<section class="panel" aria-labelledby=${`fairness-${a.id}`}>
          <h2 id=${`fairness-${a.id}`}>${a.name}</h2>
          <p>${a.audit_note}</p>
          ${a.metrics.map((m) => {
            const metricLabel = t(`fairness.metric.${m.id}` as MessageKey);
            return html`<h3>${metricLabel}</h3>
              ${m.available
                ? m.dimensions.map((d) => this.dimension(d, m.statistic, metricLabel))
                : html`<p>${m.note}</p>`}`;
          })}
        </section>`,
      )}`;
  }

  override render() {
    return html`<section class="fairness-page" aria-labelledby="fairness-heading">
      <h1 id="fairness-heading">${t('fairness.title')}</h1>
      <p>${t('fairness.intro')}</p>
      <form class="sim-form" @submit=${(e: Event) => { e.preventDefault(); void this.load(); }}>
        <div class="field">
          <label for="fairness-days">${t('fairness.window')}</label>
          <select id="fairness-days" @change=${(e: Event) => (this.days = Number((e.target as HTMLSelectElement).value))}>
            ${DAYS.map((d) => html`<option value=${d} ?selected=${d === this.days}>${t('fairness.days', { days: d })}</option>`)}
          </select>
        </div>
        <button class="button" type="submit" ?disabled=${this.loading}>${t('fairness.run')}</button>
      </form>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      <div aria-live="polite">${this.loading ? html`<p>${t('fairness.loading')}</p>` : nothing}</div>
      ${this.audit ? this.renderAudit(this.audit) : nothing}
      <p><a href="/transparency">${t('transparency.link')}</a></p>
    </section>`;
  }
}

customElements.define('cv-fairness-page', FairnessPage);
