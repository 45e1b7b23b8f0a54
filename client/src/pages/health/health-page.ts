import { html, nothing } from 'lit';
import type { Account } from '../../api/auth';
import {
  healthRecord,
  type Allergy,
  type CarePlan,
  type Condition,
  type Goal,
  type HealthRecord,
  type Medication,
} from '../../api/health';
import { delegations } from '../../api/privacy';
import { LightElement } from '../../components/light-element';
import { firstName } from '../../components/people-i-support';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { formatDate } from '../../i18n/format';
import './health.css';
import './reading-form';

/** A date the server sent as `YYYY-MM-DD`, written the reader's way (read as a local day). */
function day(value: string | null): string {
  return value ? formatDate(new Date(`${value}T12:00:00`)) : '';
}

/** What the page loads: the record, and whose it is when it is not the reader's own. */
interface Loaded {
  record: HealthRecord;
  /** The first name of the person a caregiver supports ('' for one's own record). */
  person: string;
}

/** Words that change when a caregiver reads someone else's record ("Amara's conditions"). */
const OTHER: Partial<Record<MessageKey, MessageKey>> = {
  'health.conditions.title': 'health.other.conditions.title',
  'health.conditions.none': 'health.other.conditions.none',
  'health.condition.clinicalName': 'health.other.condition.clinicalName',
  'health.condition.fromVisit': 'health.other.condition.fromVisit',
  'health.medications.title': 'health.other.medications.title',
  'health.medications.none': 'health.other.medications.none',
  'health.medication.taking': 'health.other.medication.taking',
  'health.allergies.none': 'health.other.allergies.none',
  'health.allergy.serious': 'health.other.allergy.serious',
  'health.allergy.noLonger': 'health.other.allergy.noLonger',
  'health.plans.title': 'health.other.plans.title',
  'health.plans.none': 'health.other.plans.none',
};

/**
 * "My health": what the care team keeps on the patient's record, in plain words — their
 * conditions (current, then past), medicines, allergies, and care plans with their goals — and
 * a form to add a reading by hand (blood pressure, heart rate, glucose, weight, temperature,
 * oxygen level), which then shows on "Vitals".
 *
 * With `patient-id` (at /people/{id}/health) a caregiver reads the record of a person whose
 * delegation grants `record:read`, in the third person ("Amara's health"), without the form.
 */
export class HealthPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    patientId: { type: String, attribute: 'patient-id' },
  };

  declare account: Account | null;
  declare patientId: string;

  private record = new LoadingController<Loaded>(this, () => this.fetch());

  /** The first name of the person whose record this is, when it is someone else's. */
  private person = '';

  constructor() {
    super();
    this.account = null;
    this.patientId = '';
  }

  private async fetch(): Promise<Loaded> {
    const own = this.account?.patient_id ?? '';
    const id = this.patientId || own;
    let person = '';
    if (id !== own) {
      const held = (await delegations()).find((d) => d.active && d.patient_id === id);
      person = held ? firstName(held.patient_name) : '';
    }
    const record = await healthRecord(id);
    this.person = person;
    return { record, person };
  }

  /** A message in the first person for one's own record, the third for someone else's. */
  private say(key: MessageKey, params: Record<string, string> = {}): string {
    const other = this.person ? OTHER[key] : undefined;
    return other ? t(other, { ...params, person: this.person }) : t(key, params);
  }

  private renderCondition(c: Condition) {
    const words = c.plain_text || c.text;
    const since =
      c.clinical_status === 'resolved'
        ? c.resolved_on
          ? t('health.condition.resolvedOn', { date: day(c.resolved_on) })
          : t('health.condition.resolved')
        : c.onset
          ? t('health.condition.since', { date: day(c.onset) })
          : '';
    return html`
      <li class="health-item">
        <p class="health-item__title">${words}</p>
        ${c.plain_text && c.plain_text !== c.text
          ? html`<p class="health-item__detail">${this.say('health.condition.clinicalName', { name: c.text })}</p>`
          : nothing}
        ${since ? html`<p class="health-item__detail">${since}</p>` : nothing}
        ${c.encounter_id ? html`<p class="health-item__detail">${this.say('health.condition.fromVisit')}</p>` : nothing}
      </li>
    `;
  }

  private renderConditions(all: Condition[]) {
    const current = all.filter((c) => c.clinical_status !== 'resolved');
    const past = all.filter((c) => c.clinical_status === 'resolved');
    return html`
      <section class="panel" aria-labelledby="health-conditions-title">
        <h2 id="health-conditions-title">${this.say('health.conditions.title')}</h2>
        ${current.length === 0
          ? html`<p class="empty">${this.say('health.conditions.none')}</p>`
          : html`<ul class="health-list" role="list">${current.map((c) => this.renderCondition(c))}</ul>`}
        ${past.length > 0
          ? html`<h3>${t('health.conditions.past')}</h3>
              <ul class="health-list" role="list">${past.map((c) => this.renderCondition(c))}</ul>`
          : nothing}
      </section>
    `;
  }

  private renderMedication(m: Medication) {
    const how = [m.dose, m.how_taken].filter(Boolean).join(', ');
    const status: Record<string, MessageKey> = {
      active: 'health.medication.taking',
      stopped: 'health.medication.stopped',
      completed: 'health.medication.completed',
    };
    return html`
      <li class="health-item">
        <p class="health-item__title">${m.name}</p>
        ${how ? html`<p class="health-item__detail">${t('health.medication.how', { how })}</p>` : nothing}
        ${m.reason ? html`<p class="health-item__detail">${t('health.medication.reason', { reason: m.reason })}</p>` : nothing}
        <p class="health-item__detail">
          ${this.say(status[m.status] ?? 'health.medication.taking')}${m.started
            ? html` · ${t('health.medication.started', { date: day(m.started) })}`
            : nothing}
        </p>
      </li>
    `;
  }

  private renderMedications(all: Medication[]) {
    const ordered = [...all].sort((a, b) => Number(a.status !== 'active') - Number(b.status !== 'active'));
    return html`
      <section class="panel" aria-labelledby="health-medications-title">
        <h2 id="health-medications-title">${this.say('health.medications.title')}</h2>
        ${ordered.length === 0
          ? html`<p class="empty">${this.say('health.medications.none')}</p>`
          : html`<ul class="health-list" role="list">${ordered.map((m) => this.renderMedication(m))}</ul>`}
      </section>
    `;
  }

  private renderAllergy(a: Allergy) {
    const kind = a.kind === 'intolerance' ? 'health.allergy.intolerance' : 'health.allergy.allergy';
    return html`
      <li class="health-item ${a.criticality === 'high' ? 'health-item--serious' : ''}">
        <p class="health-item__title">${t(kind, { substance: a.substance })}</p>
        ${a.reaction ? html`<p class="health-item__detail">${t('health.allergy.reaction', { reaction: a.reaction })}</p>` : nothing}
        ${a.criticality === 'high'
          ? html`<p class="health-item__detail health-item__warning">${this.say('health.allergy.serious')}</p>`
          : nothing}
        ${a.clinical_status !== 'active'
          ? html`<p class="health-item__detail">${this.say('health.allergy.noLonger')}</p>`
          : nothing}
      </li>
    `;
  }

  private renderAllergies(all: Allergy[]) {
    return html`
      <section class="panel" aria-labelledby="health-allergies-title">
        <h2 id="health-allergies-title">${t('health.allergies.title')}</h2>
        ${all.length === 0
          ? html`<p class="empty">${this.say('health.allergies.none')}</p>`
          : html`<ul class="health-list" role="list">${all.map((a) => this.renderAllergy(a))}</ul>`}
      </section>
    `;
  }

  private renderGoal(g: Goal) {
    const status: Record<string, MessageKey> = {
      active: 'health.goal.working',
      achieved: 'health.goal.achieved',
      cancelled: 'health.goal.cancelled',
    };
    return html`
      <li class="health-goal">
        <p class="health-item__title">${g.description}</p>
        ${g.target ? html`<p class="health-item__detail">${t('health.goal.target', { target: g.target })}</p>` : nothing}
        ${g.due ? html`<p class="health-item__detail">${t('health.goal.due', { date: day(g.due) })}</p>` : nothing}
        <p class="health-item__detail health-goal__status">${t(status[g.status] ?? 'health.goal.working')}</p>
      </li>
    `;
  }

  private renderPlans(all: CarePlan[]) {
    const shown = all.filter((p) => p.status !== 'revoked');
    return html`
      <section class="panel" aria-labelledby="health-plans-title">
        <h2 id="health-plans-title">${this.say('health.plans.title')}</h2>
        ${shown.length === 0
          ? html`<p class="empty">${this.say('health.plans.none')}</p>`
          : shown.map(
              (p) => html`
                <article class="health-plan" aria-labelledby="plan-${p.id}">
                  <h3 id="plan-${p.id}">${p.title}</h3>
                  ${p.status === 'completed' ? html`<p class="health-item__detail">${t('health.plan.completed')}</p>` : nothing}
                  ${p.description ? html`<p>${p.description}</p>` : nothing}
                  ${p.recorded_by_name
                    ? html`<p class="health-item__detail">${t('health.plan.by', { name: p.recorded_by_name })}</p>`
                    : nothing}
                  ${p.goals.length > 0
                    ? html`<h4>${t('health.plan.goals')}</h4>
                        <ul class="health-list" role="list">${p.goals.map((g) => this.renderGoal(g))}</ul>`
                    : nothing}
                </article>
              `,
            )}
      </section>
    `;
  }

  override render() {
    if (this.patientId && this.patientId !== this.account?.patient_id) return this.renderOther();
    const patientId = this.account?.patient_id;
    return html`
      <div class="page-intro">
        <h1>${t('health.title')}</h1>
        <p class="lead">${t('health.intro')}</p>
        ${patientId ? html`<p><a href="#reading-title">${t('reading.jump')}</a></p>` : nothing}
      </div>
      ${patientId
        ? html`
            ${this.record.render(
              ({ record: r }) => this.renderRecord(r),
            )}
            <section class="panel" aria-labelledby="reading-title">
              <h2 id="reading-title">${t('reading.title')}</h2>
              <p>${t('reading.intro')}</p>
              <cv-reading-form patient-id=${patientId}></cv-reading-form>
            </section>
          `
        : html`<p class="empty">${t('health.noRecord')}</p>`}
    `;
  }

  private renderRecord(r: HealthRecord) {
    return html`
      ${this.renderConditions(r.conditions)} ${this.renderMedications(r.medications)}
      ${this.renderAllergies(r.allergies)} ${this.renderPlans(r.care_plans)}
    `;
  }

  /** A caregiver reading the record of someone they support: third person, read only. */
  private renderOther() {
    const loaded = this.record.value;
    const person = loaded?.person ?? '';
    return html`
      <div class="page-intro">
        <h1>${person ? t('health.other.title', { person }) : t('health.other.titleUnknown')}</h1>
        <p class="lead">${t('health.other.intro', { person: person || t('health.other.them') })}</p>
        <p><a href="/people">${t('health.other.back')}</a></p>
      </div>
      ${this.record.render(({ record }) => this.renderRecord(record))}
    `;
  }
}

customElements.define('cv-health-page', HealthPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-health-page': HealthPage;
  }
}
