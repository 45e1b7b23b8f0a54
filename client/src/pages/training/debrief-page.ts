import { html, nothing } from 'lit';
import { debriefPdf, run, saveNotes, type PearlsNotes, type Run } from '../../api/training';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { saveFile } from '../../components/save-file';
import { t, type MessageKey } from '../../i18n';
import type { LabLogEntry } from '../../world/connection';
import '../monitoring/vitals-chart';
import './training.css';
import { MONITOR_SIGNS, actionLabel, clockText, markersOf, paramsText, seriesOf } from './lab-vitals';

type Phase = 'reactions' | 'description' | 'analysis' | 'summary';
const PHASES: readonly Phase[] = ['reactions', 'description', 'analysis', 'summary'];

interface ScoreItem {
  id: string;
  description: string;
  done_at_s: number | null;
  in_time: boolean;
  earned: number;
  weight: number;
  critical: boolean;
}

interface CriticalError {
  id: string;
  description: string;
  penalty: number;
}

/**
 * The PEARLS debrief of a lab run: the timeline replayed (vitals with the actions marked), the
 * score (team, and one's own), and each phase's prompts with the instructor's notes (trainees
 * read them). Only the run's trainees and instructor reach it (the server answers 404 otherwise).
 */
export class DebriefPage extends LightElement {
  static override properties = {
    runId: { type: String, attribute: 'run-id' },
    found: { state: true },
    error: { state: true },
    saved: { state: true },
  };

  declare runId: string;
  declare found: Run | null;
  declare error: string;
  declare saved: string;

  constructor() {
    super();
    this.runId = '';
    this.found = null;
    this.error = '';
    this.saved = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    run(this.runId).then(
      (found) => (this.found = found),
      (error: unknown) => (this.error = describeError(error)),
    );
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const notes: PearlsNotes = {};
    for (const phase of PHASES) notes[phase] = String(data.get(phase) ?? '');
    this.saved = '';
    try {
      this.found = await saveNotes(this.runId, notes);
      this.saved = t('debrief.saved');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async downloadPdf(): Promise<void> {
    this.saved = '';
    try {
      const file = await debriefPdf(this.runId);
      saveFile(file, this);
      this.saved = t('debrief.pdfDone', { filename: file.filename });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private name(id: string | null | undefined): string {
    const found = this.found;
    if (!found || !id) return '';
    return found.trainees.find((p) => p.id === id)?.name ?? found.instructor_name;
  }

  private renderScore(score: Record<string, unknown>, heading: string) {
    const items = (score['items'] as ScoreItem[] | undefined) ?? [];
    const errors = (score['critical_errors'] as CriticalError[] | undefined) ?? [];
    return html`
      <h3>${heading}</h3>
      <p data-score>
        ${t('debrief.total', {
          total: Number(score['total'] ?? 0),
          checklist: Number(score['checklist_percent'] ?? 0),
          penalty: Number(score['penalty'] ?? 0),
        })}
        ${score['passed'] ? t('debrief.passed') : t('debrief.notPassed')}
      </p>
      <ul class="debrief-checklist">
        ${items.map(
          (item) => html`<li data-done=${item.done_at_s !== null}>
            ${item.description}:
            ${item.done_at_s === null
              ? t('debrief.missed')
              : t(item.in_time ? 'debrief.doneInTime' : 'debrief.doneLate', {
                  time: clockText(item.done_at_s),
                })}
            ${item.critical ? html`<strong>${t('debrief.critical')}</strong>` : nothing}
          </li>`,
        )}
      </ul>
      ${errors.length
        ? html`<h4>${t('debrief.errors')}</h4>
            <ul>
              ${errors.map((e) => html`<li>${e.description} (−${e.penalty})</li>`)}
            </ul>`
        : nothing}
    `;
  }

  private renderPhase(found: Run, phase: Phase) {
    const id = `debrief-${phase}`;
    return html`
      <section class="debrief-phase" aria-labelledby=${`${id}-heading`}>
        <h2 id=${`${id}-heading`}>${t(`debrief.${phase}.title` as MessageKey)}</h2>
        <p>${t(`debrief.${phase}.prompt` as MessageKey)}</p>
        ${phase === 'description' ? this.renderTimeline(found) : nothing}
        ${phase === 'analysis' ? this.renderScores(found) : nothing}
        ${found.instructor
          ? html`<label for=${id}>${t('debrief.notes')}</label>
              <textarea id=${id} name=${phase} rows="3" maxlength="4000">${found.notes[phase] ?? ''}</textarea>`
          : found.notes[phase]
            ? html`<p class="debrief-note"><strong>${t('debrief.instructorNotes')}</strong> ${found.notes[phase]}</p>`
            : nothing}
      </section>
    `;
  }

  private renderTimeline(found: Run) {
    const base = Date.parse(found.started_at) / 1000;
    const log = found.log as LabLogEntry[];
    const markers = markersOf(log, base);
    return html`
      ${MONITOR_SIGNS.slice(0, 4).map(
        (sign) => html`<h3>${seriesOf(sign, [], 0).label}</h3>
          <cv-vitals-chart
            short
            chart-id=${`debrief-${sign.key}`}
            .series=${seriesOf(sign, found.timeline as Record<string, number>[], base)}
            .markers=${markers}
          ></cv-vitals-chart>`,
      )}
      <h3>${t('debrief.actions')}</h3>
      <ol class="lab-log" data-testid="debrief-actions">
        ${log
          .filter((e) => e.kind === 'action' || e.kind === 'event' || e.kind === 'arrest')
          .map((e) => {
            const params = paramsText(e.params);
            return html`<li data-kind=${e.kind}>
              ${t('lab.logLine', {
                time: clockText(e.t),
                what: actionLabel(e.name) + (params ? ` (${params})` : ''),
                who: this.name(e.by) || t('lab.scenario'),
              })}
            </li>`;
          })}
      </ol>
    `;
  }

  private renderScores(found: Run) {
    return html`
      ${this.renderScore(found.score, t('debrief.teamScore'))}
      ${found.trainees
        .filter((p) => p.score)
        .map((p) => this.renderScore(p.score ?? {}, t('debrief.personScore', { name: p.name })))}
    `;
  }

  override render() {
    const found = this.found;
    if (!found) {
      return html`<section class="debrief-page">
        <h1>${t('debrief.title')}</h1>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : html`<p>${t('debrief.loading')}</p>`}
      </section>`;
    }
    const outcome = (['stabilised', 'deteriorated'].includes(found.outcome)
      ? found.outcome
      : 'unresolved') as 'stabilised' | 'deteriorated' | 'unresolved';
    return html`
      <section class="debrief-page" aria-labelledby="debrief-heading">
        <h1 id="debrief-heading">${t('debrief.heading', { title: found.title })}</h1>
        <p>${t('debrief.outcome', { outcome: t(`lab.outcome.${outcome}`) })}</p>
        <p>
          <button type="button" data-testid="debrief-pdf" @click=${() => void this.downloadPdf()}>
            ${t('debrief.pdf')}
          </button>
        </p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <form @submit=${(e: Event) => void this.save(e)}>
          ${PHASES.map((phase) => this.renderPhase(found, phase))}
          ${found.instructor ? html`<button type="submit">${t('debrief.save')}</button>` : nothing}
          <p role="status">${this.saved}</p>
        </form>
      </section>
    `;
  }
}

customElements.define('cv-debrief-page', DebriefPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-debrief-page': DebriefPage;
  }
}
