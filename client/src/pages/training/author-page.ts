import { html, nothing } from 'lit';
import { ApiError } from '../../api/http';
import {
  catalogue,
  deleteDraft,
  draft,
  drafts,
  preview,
  saveDraft,
  scenarioSource,
  type AnswerBody,
  type Catalogue,
  type DraftBrief,
  type Preview,
  type PreviewRun,
  type ScenarioBody,
} from '../../api/training';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import type { LabLogEntry } from '../../world/connection';
import { navigate } from '../../router';
import '../monitoring/vitals-chart';
import './training.css';
import { MONITOR_SIGNS, markersOf, seriesOf, type VitalsRow } from './lab-vitals';

interface Issue {
  path: string;
  message: string;
}

/** The form's own fields: their path in the scenario and their input's id. */
const FIELDS = ['title', 'summary', 'condition', 'duration_s'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Scenario authoring for educators: a form for the scenario's headline fields and a JSON editor
 * for the rest (states, events, handlers, expected actions, critical errors) and for the model
 * answer; the server's scenario schema validates, and its errors are shown at their field (or
 * listed with their path). The preview runs the scenario headless with the model answer and
 * without, and draws the vitals with the monitoring chart. Saved drafts are the author's own
 * and can be started in the lab.
 */
export class ScenarioAuthorPage extends LightElement {
  static override properties = {
    draftId: { type: String, attribute: 'draft-id' },
    options: { state: true },
    mine: { state: true },
    scenario: { state: true },
    scenarioText: { state: true },
    answerText: { state: true },
    issues: { state: true },
    error: { state: true },
    status: { state: true },
    result: { state: true },
    busy: { state: true },
  };

  declare draftId: string;
  declare options: Catalogue | null;
  declare mine: DraftBrief[];
  declare scenario: ScenarioBody | null;
  declare scenarioText: string;
  declare answerText: string;
  declare issues: Issue[];
  declare error: string;
  declare status: string;
  declare result: Preview | null;
  declare busy: boolean;

  constructor() {
    super();
    this.draftId = '';
    this.options = null;
    this.mine = [];
    this.scenario = null;
    this.scenarioText = '';
    this.answerText = '[]';
    this.issues = [];
    this.error = '';
    this.status = '';
    this.result = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [found, own] = await Promise.all([catalogue(), drafts()]);
      this.options = found;
      this.mine = own;
      const first = found.scenarios[0]?.id;
      const start = this.draftId ? await draft(this.draftId) : first ? await scenarioSource(first) : null;
      if (start) this.use(start.scenario, start.actions);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private use(scenario: ScenarioBody, actions: AnswerBody): void {
    this.scenario = scenario;
    this.scenarioText = JSON.stringify(scenario, null, 2);
    this.answerText = JSON.stringify(actions, null, 2);
    this.issues = [];
    this.result = null;
  }

  private async startFrom(event: Event): Promise<void> {
    event.preventDefault();
    const id = String(new FormData(event.target as HTMLFormElement).get('template') ?? '');
    try {
      const source = await scenarioSource(id);
      this.use(source.scenario, source.actions);
      this.status = t('author.loaded', { title: source.title });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** A headline field typed in the form: into the scenario, and the JSON shown again. */
  private setField(field: Field, raw: string): void {
    if (!this.scenario) return;
    const value = field === 'duration_s' ? Math.round(Number(raw) * 60) : raw;
    this.scenario = { ...this.scenario, [field]: value };
    this.scenarioText = JSON.stringify(this.scenario, null, 2);
  }

  /** The JSON editors read; a JSON syntax error is an issue of its own (nothing is sent). */
  private parsed(): { scenario: ScenarioBody; actions: AnswerBody } | null {
    const issues: Issue[] = [];
    let scenario: ScenarioBody | null = null;
    let actions: AnswerBody = [];
    try {
      scenario = JSON.parse(this.scenarioText) as ScenarioBody;
      this.scenario = scenario;
    } catch (error) {
      issues.push({ path: t('author.scenarioJson'), message: String((error as Error).message) });
    }
    try {
      actions = JSON.parse(this.answerText) as AnswerBody;
    } catch (error) {
      issues.push({ path: t('author.answerJson'), message: String((error as Error).message) });
    }
    this.issues = issues;
    return scenario && !issues.length ? { scenario, actions } : null;
  }

  private refused(error: unknown): void {
    if (error instanceof ApiError && error.status === 422 && error.issues.length) {
      this.issues = error.issues.map((issue) => ({ ...issue }));
      this.status = t('author.invalid', { count: error.issues.length });
    } else {
      this.error = describeError(error);
    }
  }

  private async runPreview(): Promise<void> {
    const body = this.parsed();
    if (!body) return;
    this.busy = true;
    this.error = '';
    this.status = t('author.running');
    try {
      this.result = await preview(body.scenario, body.actions);
      this.status = t('author.previewed');
    } catch (error) {
      this.result = null;
      this.status = '';
      this.refused(error);
    } finally {
      this.busy = false;
    }
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    const body = this.parsed();
    if (!body) return;
    this.error = '';
    try {
      const saved = await saveDraft(this.draftId || null, body.scenario, body.actions);
      this.status = t('author.saved', { title: saved.title });
      this.mine = await drafts();
      if (!this.draftId && saved.id) navigate(`/training/author/${saved.id}`);
    } catch (error) {
      this.refused(error);
    }
  }

  private async removeDraft(): Promise<void> {
    if (!this.draftId) return;
    try {
      await deleteDraft(this.draftId);
      navigate('/training/author');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private issueAt(field: Field): Issue | undefined {
    return this.issues.find((issue) => issue.path === `scenario.${field}`);
  }

  private renderField(field: Field) {
    const id = `author-${field}`;
    const issue = this.issueAt(field);
    const raw = this.scenario?.[field];
    const value = field === 'duration_s' ? String(Number(raw ?? 0) / 60) : String(raw ?? '');
    const input = (e: Event) => this.setField(field, (e.target as HTMLInputElement).value);
    const described = issue ? `${id}-error` : nothing;
    const control =
      field === 'summary'
        ? html`<textarea id=${id} rows="2" aria-invalid=${issue ? 'true' : 'false'} aria-describedby=${described} .value=${value} @change=${input}></textarea>`
        : field === 'condition'
          ? html`<select id=${id} aria-invalid=${issue ? 'true' : 'false'} aria-describedby=${described} @change=${input}>
              ${(this.options?.conditions ?? []).map((c) => html`<option value=${c} ?selected=${c === value}>${c}</option>`)}
            </select>`
          : html`<input id=${id} type=${field === 'duration_s' ? 'number' : 'text'} min="1" step="1"
              aria-invalid=${issue ? 'true' : 'false'} aria-describedby=${described} .value=${value} @change=${input} />`;
    return html`<div class="author-field">
      <label for=${id}>${t(`author.field.${field}` as MessageKey)}</label>
      ${control}
      ${issue ? html`<p id=${`${id}-error`} class="error">${issue.message}</p>` : nothing}
    </div>`;
  }

  private renderRun(run: PreviewRun, heading: string, key: string) {
    const base = Math.floor(Date.now() / 1000);
    const markers = markersOf(run.log as LabLogEntry[], base);
    const score = run.score as { total?: number; checklist_percent?: number };
    return html`<section class="author-run" aria-labelledby=${`author-${key}`}>
      <h3 id=${`author-${key}`}>${heading}</h3>
      <p data-outcome=${run.outcome}>
        ${t('author.outcome', { outcome: t(`lab.outcome.${run.outcome === 'stabilised' || run.outcome === 'deteriorated' ? run.outcome : 'unresolved'}`), total: Number(score.total ?? 0) })}
      </p>
      ${MONITOR_SIGNS.slice(0, 3).map((sign) => {
        const series = seriesOf(sign, run.timeline as VitalsRow[], base);
        return html`<h4>${series.label}</h4>
          <cv-vitals-chart short chart-id=${`author-${key}-${sign.key}`} .series=${series} .markers=${markers}></cv-vitals-chart>`;
      })}
    </section>`;
  }

  override render() {
    return html`
      <section class="author-page" aria-labelledby="author-heading">
        <h1 id="author-heading">${t('author.title')}</h1>
        <p>${t('author.intro')}</p>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
        <h2>${t('author.drafts')}</h2>
        ${this.mine.length
          ? html`<ul role="list" class="cards">
              ${this.mine.map((d) => html`<li class="card"><a href=${`/training/author/${d.id}`}>${d.title}</a></li>`)}
            </ul>`
          : html`<p>${t('author.noDrafts')}</p>`}
        ${this.draftId ? html`<p><a href="/training/author">${t('author.new')}</a></p>` : nothing}
        <form class="lab-act" @submit=${(e: Event) => void this.startFrom(e)}>
          <label for="author-template">${t('author.startFrom')}</label>
          <select id="author-template" name="template">
            ${(this.options?.scenarios ?? []).map((s) => html`<option value=${s.id}>${s.title}</option>`)}
          </select>
          <button type="submit">${t('author.use')}</button>
        </form>
        ${this.scenario ? this.renderEditor() : nothing}
      </section>
    `;
  }

  private renderEditor() {
    const result = this.result;
    return html`
      <form class="author-editor" @submit=${(e: Event) => void this.save(e)}>
        <h2>${t('author.edit')}</h2>
        ${FIELDS.map((field) => this.renderField(field))}
        <label for="author-json">${t('author.scenarioJson')}</label>
        <textarea id="author-json" class="author-json" rows="16" spellcheck="false" .value=${this.scenarioText}
          @change=${(e: Event) => (this.scenarioText = (e.target as HTMLTextAreaElement).value)}></textarea>
        <label for="author-answer">${t('author.answerJson')}</label>
        <textarea id="author-answer" class="author-json" rows="8" spellcheck="false" .value=${this.answerText}
          @change=${(e: Event) => (this.answerText = (e.target as HTMLTextAreaElement).value)}></textarea>
        ${this.issues.length
          ? html`<div role="alert">
              <h3>${t('author.problems')}</h3>
              <ul data-testid="author-issues">
                ${this.issues.map((issue) => html`<li><code>${issue.path}</code>: ${issue.message}</li>`)}
              </ul>
            </div>`
          : nothing}
        <div class="author-buttons">
          <button type="button" ?disabled=${this.busy} @click=${() => void this.runPreview()}>${t('author.preview')}</button>
          <button type="submit">${t('author.save')}</button>
          ${this.draftId ? html`<button type="button" @click=${() => void this.removeDraft()}>${t('author.delete')}</button>` : nothing}
        </div>
        <p role="status">${this.status}</p>
      </form>
      ${result
        ? html`<section aria-labelledby="author-preview" data-testid="author-preview">
            <h2 id="author-preview">${t('author.previewTitle')}</h2>
            ${this.renderRun(result.with_actions, t('author.withAnswer'), 'with')}
            ${this.renderRun(result.without_actions, t('author.withoutAnswer'), 'without')}
          </section>`
        : nothing}
    `;
  }
}

customElements.define('cv-scenario-author', ScenarioAuthorPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-scenario-author': ScenarioAuthorPage;
  }
}
