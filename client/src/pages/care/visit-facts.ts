import { html, nothing } from 'lit';
import { addProblem, visitContext, type VisitContext } from '../../api/care';
import { describeError } from '../../components/errors';
import { latestReadings, news2, type LatestValue, type News2 } from '../../api/monitoring';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import { formatValue, riskText, vitalName } from '../monitoring/vitals';
import './consult-call.css';

/** A date and a time, in the reader's language. */
function formatDateTime(value: Date): string {
  return `${formatDate(value)} ${formatTime(value)}`;
}

/** How often the vitals are read again while the panel is open (a reading may come in). */
const VITALS_POLL_MS = 30_000;

/**
 * What the clinician needs beside the call and on the note page: why the patient came (visit
 * type and reason), the latest vital signs with NEWS2 and the time it was scored (through the
 * monitoring API, so the same policy), and the problems already recorded for this patient.
 * Each part that the server does not give (no monitoring, not allowed) stays out.
 *
 * Attributes: `encounter-id`, `patient-id`, `heading-level` (2 or 3, default 3), and
 * `can-add` (the consult room's side panel): a small form adds a problem to this visit (text,
 * optionally a SNOMED CT or ICD-10 code) without leaving the call.
 */
export class VisitFacts extends LightElement {
  static override properties = {
    encounterId: { type: String, attribute: 'encounter-id' },
    patientId: { type: String, attribute: 'patient-id' },
    headingLevel: { type: Number, attribute: 'heading-level' },
    canAdd: { type: Boolean, attribute: 'can-add' },
    context: { state: true },
    problemError: { state: true },
    problemNotice: { state: true },
    adding: { state: true },
    latest: { state: true },
    score: { state: true },
    loaded: { state: true },
  };

  declare encounterId: string;
  declare patientId: string;
  declare headingLevel: number;
  declare canAdd: boolean;
  declare problemError: string;
  declare problemNotice: string;
  declare adding: boolean;
  declare context: VisitContext | null;
  declare latest: Record<string, LatestValue> | null;
  declare score: News2 | null;
  declare loaded: boolean;

  private timer: number | null = null;

  constructor() {
    super();
    this.encounterId = '';
    this.patientId = '';
    this.headingLevel = 3;
    this.canAdd = false;
    this.problemError = '';
    this.problemNotice = '';
    this.adding = false;
    this.context = null;
    this.latest = null;
    this.score = null;
    this.loaded = false;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('encounterId') && this.encounterId) void this.loadContext();
    if (changed.has('patientId') && this.patientId) void this.pollVitals();
  }

  override disconnectedCallback(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    super.disconnectedCallback();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.patientId && this.timer === null && this.loaded) void this.pollVitals();
  }

  private async loadContext(): Promise<void> {
    try {
      this.context = await visitContext(this.encounterId);
    } catch {
      this.context = null; // not the visit's clinician: the reason and problems stay out
    }
  }

  /** Add a problem to this visit from the side panel; the list below shows it at once. */
  private async addOne(event: Event): Promise<void> {
    event.preventDefault();
    if (this.adding) return;
    const form = event.target as HTMLFormElement;
    const field = (name: string) =>
      (form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name=${name}]`)?.value ?? '').trim();
    const text = field('text');
    const system = field('system');
    const code = field('code');
    this.problemNotice = '';
    if (!text) {
      this.problemError = t('care.side.problemMissing');
      form.querySelector<HTMLInputElement>('[name=text]')?.focus();
      return;
    }
    if (Boolean(system) !== Boolean(code)) {
      this.problemError = t('care.side.codeBoth');
      return;
    }
    this.adding = true;
    try {
      await addProblem(this.encounterId, { text, ...(system && code ? { system, code } : {}) });
      form.reset();
      this.problemError = '';
      this.problemNotice = t('care.side.problemAdded', { text });
      await this.loadContext();
    } catch (error) {
      this.problemError = describeError(error);
    } finally {
      this.adding = false;
    }
  }

  private async pollVitals(): Promise<void> {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    const [latest, score] = await Promise.allSettled([latestReadings(this.patientId), news2(this.patientId)]);
    this.latest = latest.status === 'fulfilled' ? latest.value : null;
    this.score = score.status === 'fulfilled' ? score.value : null;
    this.loaded = true;
    if (this.isConnected) this.timer = window.setTimeout(() => void this.pollVitals(), VITALS_POLL_MS);
  }

  private heading(id: string, text: string) {
    return this.headingLevel === 2 ? html`<h2 id=${id}>${text}</h2>` : html`<h3 id=${id}>${text}</h3>`;
  }

  override render() {
    return html`${this.renderReason()} ${this.renderVitals()} ${this.renderProblems()}`;
  }

  private renderReason() {
    const c = this.context;
    if (!c) return nothing;
    return html`
      <section class="visit-facts__reason" aria-labelledby="visit-reason-title">
        ${this.heading('visit-reason-title', t('care.facts.reason'))}
        <p class="visit-facts__type">${t(`care.visit.${c.visit_type}` as MessageKey)}</p>
        <p data-visit-reason>${c.reason || t('care.facts.noReason')}</p>
      </section>
    `;
  }

  private renderVitals() {
    const latest = this.latest;
    const score = this.score;
    if (!this.loaded || (!latest && !score)) return nothing;
    const entries = Object.entries(latest ?? {});
    return html`
      <section class="visit-facts__vitals" aria-labelledby="visit-vitals-title">
        ${this.heading('visit-vitals-title', t('care.consult.vitals'))}
        ${score
          ? html`<p class="visit-facts__news2" data-news2>
              <strong>${t('care.facts.news2', { total: score.total ?? '—' })}</strong>
              ${score.risk ? html`— ${riskText(score.risk)}` : nothing}
              ${score.at ? html`<span>${t('care.facts.scoredAt', { time: formatDateTime(new Date(score.at)) })}</span>` : nothing}
              ${score.partial ? html`<span>${t('news2.partial')}</span>` : nothing}
            </p>`
          : nothing}
        ${entries.length
          ? html`<table class="consult-vitals__table">
              <caption>${t('care.consult.latest')}</caption>
              <thead>
                <tr>
                  <th scope="col">${t('care.consult.sign')}</th>
                  <th scope="col">${t('care.consult.value')}</th>
                  <th scope="col">${t('care.consult.when')}</th>
                </tr>
              </thead>
              <tbody>
                ${entries.map(
                  ([code, v]) => html`<tr data-code=${code}>
                    <th scope="row">${vitalName(code, v.label)}</th>
                    <td>${formatValue(code, v.value, v.unit)}</td>
                    <td>${formatTime(new Date(v.at))}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p>${t('care.facts.noReadings')}</p>`}
      </section>
    `;
  }

  private renderProblems() {
    const c = this.context;
    if (!c) return nothing;
    return html`
      <section class="visit-facts__problems" aria-labelledby="visit-problems-title">
        ${this.heading('visit-problems-title', t('care.facts.problems'))}
        ${c.problems.length
          ? html`<ul>
              ${c.problems.map(
                (p) => html`<li>
                  ${p.text}${p.code ? html` <code>${p.code}</code>` : nothing}
                  <span class="visit-facts__when">
                    ${p.this_visit ? t('care.facts.thisVisit') : formatDateTime(new Date(p.recorded_at))}
                  </span>
                </li>`,
              )}
            </ul>`
          : html`<p>${t('care.facts.noProblems')}</p>`}
        ${this.canAdd ? this.renderAdd() : nothing}
      </section>
    `;
  }

  private renderAdd() {
    return html`
      <form class="visit-facts__add" @submit=${(event: Event) => this.addOne(event)}>
        <div class="field">
          <label for="side-problem-text">${t('care.note.problemText')}</label>
          <input id="side-problem-text" name="text" maxlength="500" autocomplete="off" />
        </div>
        <div class="visit-facts__code">
          <div class="field">
            <label for="side-problem-system">${t('care.note.codeSystem')}</label>
            <select id="side-problem-system" name="system">
              <option value="">—</option>
              <option value="snomed">SNOMED CT</option>
              <option value="icd-10">ICD-10</option>
            </select>
          </div>
          <div class="field">
            <label for="side-problem-code">${t('care.note.code')}</label>
            <input id="side-problem-code" name="code" maxlength="20" autocomplete="off" />
          </div>
        </div>
        <p class="form-error" role="alert">${this.problemError}</p>
        <p class="notice" role="status">${this.problemNotice}</p>
        <button class="button button--secondary" type="submit" ?disabled=${this.adding}>
          ${t('care.note.addProblem')}
        </button>
      </form>
    `;
  }
}

customElements.define('cv-visit-facts', VisitFacts);

declare global {
  interface HTMLElementTagNameMap {
    'cv-visit-facts': VisitFacts;
  }
}
