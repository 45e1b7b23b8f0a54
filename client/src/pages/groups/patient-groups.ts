import { html, nothing } from 'lit';
import { ApiError } from '../../api/http';
import { patientGroupRecord, type GroupRecord } from '../../api/groups';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { formatDate } from '../../i18n/format';

/**
 * On a patient's record: their support-group attendance and check-ins, asked for on demand.
 * The server answers only with a care relationship and the patient's consent to share that
 * group (404 otherwise), which is shown as "not shared".
 */
export class PatientGroups extends LightElement {
  static override properties = {
    patientId: { attribute: 'patient-id' },
    records: { state: true },
    denied: { state: true },
    error: { state: true },
  };

  declare patientId: string;
  declare records: GroupRecord[] | null;
  declare denied: boolean;
  declare error: string;

  constructor() {
    super();
    this.patientId = '';
    this.records = null;
    this.denied = false;
    this.error = '';
  }

  private show = async () => {
    this.error = '';
    this.denied = false;
    try {
      this.records = await patientGroupRecord(this.patientId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.denied = true;
      else this.error = describeError(error);
    }
  };

  private record(g: GroupRecord) {
    return html`<li class="card">
      <h3>${g.name}</h3>
      ${g.sessions.length
        ? html`<ul role="list">
            ${g.sessions.map(
              (s) => html`<li>
                ${formatDate(s.starts_at)} ·
                ${s.attended ? t('groups.record.attended') : t('groups.record.missed')}
                ${s.start !== null || s.end !== null
                  ? html` · ${t('groups.record.checkins', {
                      start: s.start ?? '–',
                      end: s.end ?? '–',
                    })}`
                  : nothing}
              </li>`,
            )}
          </ul>`
        : html`<p>${t('groups.record.noSessions')}</p>`}
    </li>`;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="patient-groups-heading">
        <h2 id="patient-groups-heading">${t('groups.record.title')}</h2>
        <p class="hint">${t('groups.record.consentHint')}</p>
        ${this.records === null && !this.denied
          ? html`<p><button class="button button--secondary" @click=${this.show}>
              ${t('groups.record.show')}
            </button></p>`
          : nothing}
        <div aria-live="polite">
          ${this.denied ? html`<p>${t('groups.record.denied')}</p>` : nothing}
          ${this.records
            ? html`<ul role="list" class="cards">${this.records.map((g) => this.record(g))}</ul>`
            : nothing}
        </div>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

customElements.define('cv-patient-groups', PatientGroups);

declare global {
  interface HTMLElementTagNameMap {
    'cv-patient-groups': PatientGroups;
  }
}
