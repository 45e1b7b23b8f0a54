import { html, nothing, type PropertyValues } from 'lit';
import { ApiError } from '../../api/http';
import type { Rule } from '../../api/monitoring';
import { recordSummary, type RecordSummary } from '../../api/patients';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { formatDate, formatTime } from '../../i18n/format';
import '../monitoring/devices';
import '../monitoring/monitoring.css';
import '../monitoring/rules-editor';
import '../monitoring/vitals-overview';
import '../wellbeing/wellbeing-results';
import '../wellbeing/therapy-room';
import '../groups/patient-groups';
import { ageSex, alertsText, riskBadge, visitText } from './patients-page';
import './patients.css';
import './record-health';

const SECTIONS: readonly [string, MessageKey][] = [
  ['record-summary', 'record.summary'],
  ['record-problems', 'record.problems'],
  ['record-medicines', 'record.medicines'],
  ['record-vitals', 'record.vitals'],
  ['record-visits', 'record.visits'],
  ['rules-title', 'rules.title'],
  ['devices-title', 'device.title'],
];

/** The first word of a name: how a record's links address the patient. */
function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

/**
 * A patient's record for the clinician (`/patients/:id`): the summary (NEWS2 with its time, open
 * alerts, next visit, overdue questionnaires), problems, medicines, vital signs charted, visits
 * and their notes, the care-plan rules, devices and questionnaire results, and a link to the
 * messages with the patient. Each part reads through its own capability's API and the policy.
 */
export class PatientRecord extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    rules: { state: true },
    notFound: { state: true },
  };

  declare patientId: string;
  declare rules: Rule[];
  declare notFound: boolean;

  private summary = new LoadingController(this, () => recordSummary(this.patientId), {
    auto: false,
    describe: (error) => {
      this.notFound = error instanceof ApiError && error.status === 404;
      return describeError(error);
    },
  });

  constructor() {
    super();
    this.patientId = '';
    this.rules = [];
    this.notFound = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('patientId') && this.patientId) void this.summary.load();
  }

  private renderSummary(found: RecordSummary) {
    const p = found.patient;
    return html`
      <section class="panel" aria-labelledby="record-summary">
        <h2 id="record-summary">${t('record.summary')}</h2>
        <div class="record-summary">
          <div>
            ${riskBadge(p)}
            ${p.news2?.at
              ? html`<p class="item__meta">
                  ${t('patients.news2At', { time: formatTime(p.news2.at), date: formatDate(p.news2.at) })}
                </p>`
              : nothing}
          </div>
          <ul class="patient-row__facts" role="list">
            <li>${alertsText(p)}</li>
            <li>${visitText(p.next_visit)}</li>
            ${p.overdue_questionnaires
              ? html`<li>${t('patients.overdue', { count: p.overdue_questionnaires })}</li>`
              : nothing}
          </ul>
        </div>
        <p class="record-links">
          <a class="button button--secondary" href="/inbox?patient=${encodeURIComponent(p.id)}"
            >${t('record.messages', { person: firstName(p.name) })}</a
          >
          <a class="button button--secondary" href="/monitoring?patient=${encodeURIComponent(p.id)}"
            >${t('record.monitoring')}</a
          >
          <a class="button button--secondary" href="/patients/${encodeURIComponent(p.id)}/exposure"
            >${t('exposure.link')}</a
          >
          <cv-therapy-room-button patient-id=${p.id}></cv-therapy-room-button>
        </p>
      </section>
    `;
  }

  private renderVisits(found: RecordSummary) {
    return html`
      <section class="panel" aria-labelledby="record-visits">
        <h2 id="record-visits">${t('record.visits')}</h2>
        ${found.visits.length === 0
          ? html`<p class="empty">${t('record.noVisits')}</p>`
          : html`<ul class="item-list" role="list">
              ${found.visits.map(
                (visit) => html`<li class="item">
                  <p class="item__title">
                    ${t('record.visit', {
                      date: formatDate(visit.start),
                      time: formatTime(visit.start),
                      clinician: visit.clinician_name,
                    })}
                  </p>
                  <p class="item__meta">
                    ${t(`record.status.${visit.status}` as MessageKey)} ·
                    ${t(visit.encounter_id ? (visit.note_signed ? 'record.noteSigned' : 'record.noteDraft') : 'record.noNote')}
                  </p>
                  ${visit.reason ? html`<p>${visit.reason}</p>` : nothing}
                </li>`,
              )}
            </ul>`}
      </section>
    `;
  }

  private renderRecord(found: RecordSummary) {
    const p = found.patient;
    return html`
      <div class="page-intro">
        <p class="eyebrow">${t('area.patients.title')}</p>
        <h1>${p.name}</h1>
        ${ageSex(p) ? html`<p class="lead">${ageSex(p)}</p>` : nothing}
      </div>
      <nav class="record-nav" aria-label=${t('record.sections')}>
        <ul role="list">
          ${SECTIONS.map(([id, key]) => html`<li><a href="#${id}">${t(key)}</a></li>`)}
        </ul>
      </nav>
      ${this.renderSummary(found)}
      <cv-record-health patient-id=${p.id} .visitProblems=${found.problems}></cv-record-health>
      <section class="panel" aria-labelledby="record-vitals">
        <h2 id="record-vitals">${t('record.vitals')}</h2>
        <cv-vitals-overview
          patient-id=${p.id}
          audience="clinician"
          heading-level="3"
          .rules=${this.rules}
        ></cv-vitals-overview>
      </section>
      ${this.renderVisits(found)}
      <cv-rules-editor
        patient-id=${p.id}
        @cv-rules-changed=${(e: CustomEvent<Rule[]>) => (this.rules = e.detail)}
      ></cv-rules-editor>
      <cv-device-list patient-id=${p.id} heading-level="2"></cv-device-list>
      <cv-wellbeing-results patient-id=${p.id}></cv-wellbeing-results>
      <cv-patient-groups patient-id=${p.id}></cv-patient-groups>
    `;
  }

  override render() {
    const back = html`<p><a href="/patients">${t('record.back')}</a></p>`;
    if (this.notFound) {
      return html`${back}
        <div class="panel">
          <h1>${t('record.notFound')}</h1>
          <p>${t('record.notFoundBody')}</p>
        </div>`;
    }
    return html`${back} ${this.summary.render((found) => this.renderRecord(found))}`;
  }
}

customElements.define('cv-patient-record', PatientRecord);

declare global {
  interface HTMLElementTagNameMap {
    'cv-patient-record': PatientRecord;
  }
}
