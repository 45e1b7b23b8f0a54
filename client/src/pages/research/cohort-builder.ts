import { html, nothing } from 'lit';
import {
  AGE_BANDS,
  OPS,
  SEXES,
  cohorts,
  countCohort,
  createCohort,
  startExport,
  type Cohort,
  type Criteria,
  type Study,
} from '../../api/research';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import { CHANGED } from './study-panel';


function readCriteria(form: HTMLFormElement): Criteria {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const threshold = (prefix: string, key: 'code' | 'instrument') => {
    const name = text(`${prefix}-key`);
    const value = text(`${prefix}-value`);
    return name && value ? [{ [key]: name, op: text(`${prefix}-op`), value: Number(value) }] : [];
  };
  const attendance = text('attendance');
  return {
    conditions: text('conditions')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    age_bands: data.getAll('age_bands').map(String),
    sex: data.getAll('sex').map(String),
    readings: threshold('reading', 'code'),
    scores: threshold('score', 'instrument'),
    min_attendance: attendance ? Number(attendance) : null,
  };
}

function thresholdFields(prefix: string, label: MessageKey) {
  return html`<fieldset>
    <legend>${t(label)}</legend>
    <label for="${prefix}-key">${t(label)}</label>
    <input id="${prefix}-key" name="${prefix}-key" maxlength="40" />
    <label for="${prefix}-op">${t('research.cohorts.compare')}</label>
    <select id="${prefix}-op" name="${prefix}-op">
      ${OPS.map((op) => html`<option value=${op}>${op}</option>`)}
    </select>
    <label for="${prefix}-value">${t('research.cohorts.value')}</label>
    <input id="${prefix}-value" name="${prefix}-value" type="number" step="any" />
  </fieldset>`;
}

/** The cohort builder: criteria over consented patients' data, each cohort with its count. */
export class ResearchCohorts extends LightElement {
  static override properties = {
    study: { attribute: false },
    list: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  declare study: Study | null;
  declare list: Cohort[];
  declare error: string;
  declare notice: string;

  constructor() {
    super();
    this.study = null;
    this.list = [];
    this.error = '';
    this.notice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    if (!this.study) return;
    try {
      const found = await cohorts(this.study.id);
      this.list = await Promise.all(found.map((c) => countCohort(this.study!.id, c.id)));
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private build = async (e: Event) => {
    e.preventDefault();
    if (!this.study) return;
    const form = e.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    this.error = '';
    try {
      const made = await createCohort(this.study.id, name, readCriteria(form));
      this.list = [...this.list, made];
      this.dispatchEvent(new CustomEvent(CHANGED, { bubbles: true }));
    } catch (error) {
      this.error = describeError(error);
    }
  };

  private export = async (c: Cohort) => {
    if (!this.study) return;
    this.error = '';
    this.notice = '';
    try {
      await startExport(this.study.id, c.id);
      this.notice = t('research.exports.started');
    } catch (error) {
      this.error = describeError(error);
    }
    this.dispatchEvent(new CustomEvent(CHANGED, { bubbles: true }));
  };

  private item(c: Cohort) {
    const mine = this.study?.mine && this.study.status === 'approved';
    return html`<li class="card">
      <h3>${c.name}</h3>
      <p class="cohort-count">${t('research.cohorts.count', { count: c.count ?? '' })}</p>
      ${mine
        ? html`<p>
            <button class="button" type="button" @click=${() => this.export(c)}>
              ${t('research.cohorts.export', { name: c.name })}
            </button>
          </p>`
        : nothing}
    </li>`;
  }

  private form() {
    return html`<form class="stack" @submit=${this.build} aria-labelledby="cohort-new">
      <h3 id="cohort-new">${t('research.cohorts.submit')}</h3>
      <label for="cohort-name">${t('research.cohorts.name')}</label>
      <input id="cohort-name" name="name" required maxlength="120" />
      <label for="cohort-conditions">${t('research.cohorts.conditions')}</label>
      <input id="cohort-conditions" name="conditions" maxlength="400" />
      <fieldset>
        <legend>${t('research.cohorts.ageBands')}</legend>
        ${AGE_BANDS.map(
          (b) => html`<label><input type="checkbox" name="age_bands" value=${b} /> ${b}</label>`,
        )}
      </fieldset>
      <fieldset>
        <legend>${t('research.cohorts.sex')}</legend>
        ${SEXES.map(
          (s) => html`<label>
            <input type="checkbox" name="sex" value=${s} /> ${t(`research.sex.${s}`)}
          </label>`,
        )}
      </fieldset>
      ${thresholdFields('reading', 'research.cohorts.reading')}
      ${thresholdFields('score', 'research.cohorts.score')}
      <label for="cohort-attendance">${t('research.cohorts.attendance')}</label>
      <input id="cohort-attendance" name="attendance" type="number" min="0" max="1000" />
      <p><button class="button" type="submit">${t('research.cohorts.submit')}</button></p>
    </form>`;
  }

  override render() {
    return html`<section class="panel" aria-labelledby="cohorts-heading">
      <h2 id="cohorts-heading">${t('research.cohorts.title')}</h2>
      ${this.list.length
        ? html`<ul role="list" class="cards">${this.list.map((c) => this.item(c))}</ul>`
        : html`<p>${t('research.cohorts.none')}</p>`}
      ${this.notice ? html`<p role="status">${this.notice}</p>` : nothing}
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${this.study?.mine ? this.form() : nothing}
    </section>`;
  }
}

customElements.define('cv-research-cohorts', ResearchCohorts);

declare global {
  interface HTMLElementTagNameMap {
    'cv-research-cohorts': ResearchCohorts;
  }
}
