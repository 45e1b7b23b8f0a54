import { html, nothing } from 'lit';
import {
  assignSchedule,
  endSchedule,
  patientSchedules,
  type Instrument,
  type InstrumentCode,
  type Schedule,
} from '../../api/wellbeing';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';

/** The clinician's questionnaire schedules for one patient: list, assign, end. */
export class WellbeingSchedules extends LightElement {
  static override properties = {
    patientId: { type: String, attribute: 'patient-id' },
    instruments: { attribute: false },
    schedules: { state: true },
    busy: { state: true },
    error: { state: true },
  };

  declare patientId: string;
  declare instruments: Instrument[];
  declare schedules: Schedule[] | null;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.patientId = '';
    this.instruments = [];
    this.schedules = null;
    this.busy = false;
    this.error = '';
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('patientId') && this.patientId) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.schedules = await patientSchedules(this.patientId);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async assign(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.error = '';
    try {
      await assignSchedule(
        this.patientId,
        String(data.get('instrument')) as InstrumentCode,
        Number(data.get('every_days')),
      );
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private async end(schedule: Schedule): Promise<void> {
    this.error = '';
    try {
      await endSchedule(schedule.id);
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  override render() {
    const schedules = this.schedules ?? [];
    return html`
      <section class="panel" aria-labelledby="wellbeing-schedules-title">
        <h2 id="wellbeing-schedules-title">${t('wellbeing.schedule.title')}</h2>
        <div class="form-error" role="alert">${this.error || nothing}</div>
        ${
          this.schedules !== null && schedules.length === 0
            ? html`<p>${t('wellbeing.schedule.none')}</p>`
            : html`<ul class="schedule-list">
                ${schedules.map(
                  (s) => html`<li data-schedule=${s.instrument}>
                    ${t('wellbeing.schedule.every', { title: s.title, days: s.every_days })}
                    · ${t(s.due ? 'wellbeing.schedule.dueNow' : 'wellbeing.schedule.next', {
                      when: new Date(s.next_due_at).toLocaleDateString(),
                    })}
                    <button class="button" type="button" @click=${() => this.end(s)}
                      aria-label=${t('wellbeing.schedule.endLabel', { title: s.title })}>
                      ${t('wellbeing.schedule.end')}
                    </button>
                  </li>`,
                )}
              </ul>`
        }
        <form class="inline-form" novalidate @submit=${this.assign}>
          <div class="field">
            <label for="schedule-instrument">${t('wellbeing.schedule.instrument')}</label>
            <select id="schedule-instrument" name="instrument">
              ${this.instruments.map((i) => html`<option value=${i.code}>${i.title}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="schedule-days">${t('wellbeing.schedule.days')}</label>
            <input id="schedule-days" name="every_days" type="number" min="1" max="365" value="14" required />
          </div>
          <button class="button button--primary" type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>
            ${t('wellbeing.schedule.assign')}
          </button>
        </form>
      </section>
    `;
  }
}

customElements.define('cv-wellbeing-schedules', WellbeingSchedules);

declare global {
  interface HTMLElementTagNameMap {
    'cv-wellbeing-schedules': WellbeingSchedules;
  }
}
