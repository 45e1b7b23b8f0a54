import { html, nothing, type PropertyValues } from 'lit';
import { api, type Schema, type Sent } from '../../api/typed';
import { describeError } from '../../components/errors';
import { textField } from '../../components/fields';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { formatDate } from '../../i18n/format';

/** A patient's health record (`/api/care/patients/{id}/health`, care/health_record.py). */
type HealthRecord = Sent<Schema<'HealthRecordOut'>>;
/** A problem coded in a visit (the record summary's), shown until it is on the problem list. */
export interface VisitProblem {
  readonly id: string;
  readonly text: string;
  readonly encounter_id: string;
  readonly recorded_at: string;
}

type Form = 'condition' | 'medication' | 'allergy';

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The clinical parts of a patient's record: the problem list (with problems coded in visits
 * not yet on it), medicines, allergies and care plans with their goals; a clinician who may
 * write adds a problem, medicine or allergy, and resolves or stops one, without leaving the page.
 */
export class RecordHealth extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    visitProblems: { attribute: false },
    busy: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare patientId: string;
  declare visitProblems: readonly VisitProblem[];
  declare busy: string;
  declare notice: string;
  declare error: string;

  private draft: Record<string, string> = {};
  private record = new LoadingController(
    this,
    () =>
      api.get('/api/care/patients/{patient_id}/health', { path: { patient_id: this.patientId } }),
    { auto: false, keep: true },
  );

  constructor() {
    super();
    this.patientId = '';
    this.visitProblems = [];
    this.busy = '';
    this.notice = '';
    this.error = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.record.load();
  }

  private async run(id: string, work: () => Promise<unknown>, done: MessageKey): Promise<void> {
    if (this.busy) return;
    this.busy = id;
    this.notice = '';
    this.error = '';
    try {
      await work();
      await this.record.load();
      this.notice = t(done);
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = '';
    }
  }

  private value(name: string): string {
    return (this.draft[name] ?? '').trim();
  }

  private add(form: Form, event: SubmitEvent): void {
    event.preventDefault();
    const path = { patient_id: this.patientId };
    const optional = (name: string) => this.value(name) || null;
    const send = {
      condition: () =>
        api.post('/api/care/patients/{patient_id}/conditions', {
          path,
          body: { text: this.value('condition-text'), onset: null },
        }),
      medication: () =>
        api.post('/api/care/patients/{patient_id}/medications', {
          path,
          body: { name: this.value('medication-name'), dose: optional('medication-dose') },
        }),
      allergy: () =>
        api.post('/api/care/patients/{patient_id}/allergies', {
          path,
          body: {
            substance: this.value('allergy-substance'),
            reaction: optional('allergy-reaction'),
          },
        }),
    }[form];
    void this.run(`add-${form}`, async () => {
      await send();
      for (const key of Object.keys(this.draft)) if (key.startsWith(form)) this.draft[key] = '';
    }, `recordHealth.added.${form}` as MessageKey);
  }

  private field(id: string, label: MessageKey, required = true) {
    return textField({
      id,
      label: t(label),
      value: this.draft[id] ?? '',
      required,
      maxlength: 500,
      onInput: (value) => (this.draft[id] = value),
    });
  }

  private addForm(form: Form, fields: ReturnType<typeof this.field>[]) {
    return html`<details class="health-add">
      <summary>${t(`recordHealth.add.${form}` as MessageKey)}</summary>
      <form class="subform" @submit=${(e: SubmitEvent) => this.add(form, e)}>
        ${fields}
        <div class="actions">
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${this.busy === `add-${form}` ? t('form.working') : t(`recordHealth.save.${form}` as MessageKey)}
          </button>
        </div>
      </form>
    </details>`;
  }

  private button(label: string, id: string, work: () => Promise<unknown>, done: MessageKey) {
    return html`<button
      class="button button--quiet"
      type="button"
      aria-disabled=${this.busy ? 'true' : 'false'}
      @click=${() => this.run(id, work, done)}
    >
      ${label}
    </button>`;
  }

  private renderProblems(r: HealthRecord) {
    const listed = new Set(r.conditions.map((c) => `${c.encounter_id}|${c.text}`));
    const fromVisits = this.visitProblems.filter((p) => !listed.has(`${p.encounter_id}|${p.text}`));
    return html`
      <section class="panel" aria-labelledby="record-problems">
        <h2 id="record-problems">${t('record.problems')}</h2>
        ${r.conditions.length === 0 && fromVisits.length === 0
          ? html`<p class="empty">${t('record.noProblems')}</p>`
          : html`<ul class="item-list" role="list">
              ${r.conditions.map(
                (c) => html`<li class="item">
                  <p class="item__title">${c.text}</p>
                  <p class="item__meta">
                    ${t(`recordHealth.condition.${c.clinical_status}` as MessageKey)} ·
                    ${t('record.recordedOn', { date: formatDate(c.recorded_at) })}
                  </p>
                  ${r.can_write && c.clinical_status === 'active'
                    ? this.button(
                        t('recordHealth.resolve', { name: c.text }),
                        `c-${c.id}`,
                        () =>
                          api.patch('/api/care/conditions/{condition_id}', {
                            path: { condition_id: c.id },
                            body: { clinical_status: 'resolved', resolved_on: today() },
                          }),
                        'recordHealth.resolved',
                      )
                    : nothing}
                </li>`,
              )}
              ${fromVisits.map(
                (p) => html`<li class="item">
                  <p class="item__title">${p.text}</p>
                  <p class="item__meta">
                    ${t('recordHealth.fromVisit', { date: formatDate(p.recorded_at) })}
                  </p>
                </li>`,
              )}
            </ul>`}
        ${r.can_write ? this.addForm('condition', [this.field('condition-text', 'recordHealth.field.problem')]) : nothing}
      </section>
    `;
  }

  private renderMedicines(r: HealthRecord) {
    return html`
      <section class="panel" aria-labelledby="record-medicines">
        <h2 id="record-medicines">${t('record.medicines')}</h2>
        <h3>${t('recordHealth.medicines')}</h3>
        ${r.medications.length === 0
          ? html`<p class="empty">${t('recordHealth.noMedicines')}</p>`
          : html`<ul class="item-list" role="list">
              ${r.medications.map(
                (m) => html`<li class="item">
                  <p class="item__title">${m.name}${m.dose ? ` — ${m.dose}` : ''}</p>
                  <p class="item__meta">${t(`recordHealth.medication.${m.status}` as MessageKey)}</p>
                  ${r.can_write && m.status === 'active'
                    ? this.button(
                        t('recordHealth.stop', { name: m.name }),
                        `m-${m.id}`,
                        () =>
                          api.patch('/api/care/medications/{medication_id}', {
                            path: { medication_id: m.id },
                            body: { status: 'stopped' },
                          }),
                        'recordHealth.stopped',
                      )
                    : nothing}
                </li>`,
              )}
            </ul>`}
        ${r.can_write
          ? this.addForm('medication', [
              this.field('medication-name', 'recordHealth.field.medicine'),
              this.field('medication-dose', 'recordHealth.field.dose', false),
            ])
          : nothing}
        <h3>${t('recordHealth.allergies')}</h3>
        ${r.allergies.length === 0
          ? html`<p class="empty">${t('recordHealth.noAllergies')}</p>`
          : html`<ul class="item-list" role="list">
              ${r.allergies.map(
                (a) => html`<li class="item">
                  <p class="item__title">${a.substance}${a.reaction ? ` — ${a.reaction}` : ''}</p>
                  <p class="item__meta">${t(`recordHealth.allergy.${a.clinical_status}` as MessageKey)}</p>
                  ${r.can_write && a.clinical_status === 'active'
                    ? this.button(
                        t('recordHealth.resolve', { name: a.substance }),
                        `a-${a.id}`,
                        () =>
                          api.patch('/api/care/allergies/{allergy_id}', {
                            path: { allergy_id: a.id },
                            body: { clinical_status: 'resolved' },
                          }),
                        'recordHealth.resolved',
                      )
                    : nothing}
                </li>`,
              )}
            </ul>`}
        ${r.can_write
          ? this.addForm('allergy', [
              this.field('allergy-substance', 'recordHealth.field.substance'),
              this.field('allergy-reaction', 'recordHealth.field.reaction', false),
            ])
          : nothing}
        <h3>${t('recordHealth.carePlans')}</h3>
        ${r.care_plans.length === 0
          ? html`<p class="empty">${t('recordHealth.noCarePlans')}</p>`
          : html`<ul class="item-list" role="list">
              ${r.care_plans.map(
                (p) => html`<li class="item">
                  <p class="item__title">${p.title}</p>
                  ${p.goals.length
                    ? html`<ul>
                        ${p.goals.map((g) => html`<li>${g.description}${g.target ? ` (${g.target})` : ''}</li>`)}
                      </ul>`
                    : nothing}
                </li>`,
              )}
            </ul>`}
      </section>
    `;
  }

  override render() {
    return html`
      <div class="form-error" role="alert">${this.error || nothing}</div>
      <p class="notice" role="status">${this.notice || nothing}</p>
      ${this.record.render((r) => html`${this.renderProblems(r)} ${this.renderMedicines(r)}`)}
    `;
  }
}

customElements.define('cv-record-health', RecordHealth);

declare global {
  interface HTMLElementTagNameMap {
    'cv-record-health': RecordHealth;
  }
}
