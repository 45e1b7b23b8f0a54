/**
 * Booking a visit with a clinician: the kind of visit, what the person would like to talk
 * about, and the free times (in the browser's own time zone). A caregiver books for someone
 * who gave them `appointments:write`.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { book, slots, type Appointment, type Clinician, type Slot, type VisitType } from '../../api/care';
import type { Delegation } from '../../api/privacy';
import { describeError } from '../../components/errors';
import { t } from '../../i18n';

/** At most this many times are offered at once. */
const MAX_SLOTS = 60;

export interface BookingActions {
  /** For a caregiver: the people they may book for (empty for a patient). */
  forWhom: Delegation[] | null;
  booked: (appointment: Appointment) => void;
  back: () => void;
}

export class Booking implements ReactiveController {
  private offered: Slot[] | null = null;
  private visitType: VisitType = 'follow-up';

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** Where a failure is told. */
    private readonly failed: (message: string) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Nothing to start: times are asked for when a clinician is chosen.
  }

  /** A clinician was chosen: their free times for the kind of visit chosen. */
  async open(clinician: Clinician): Promise<void> {
    this.offered = null;
    this.host.requestUpdate();
    await this.loadSlots(clinician);
  }

  private async loadSlots(clinician: Clinician): Promise<void> {
    try {
      this.offered = await slots(clinician.id, this.visitType);
      this.host.requestUpdate();
    } catch (error) {
      this.failed(describeError(error));
    }
  }

  private async bookSlot(clinician: Clinician, slot: Slot, actions: BookingActions): Promise<void> {
    const reason = (this.host.querySelector('#care-reason') as HTMLTextAreaElement | null)?.value.trim();
    const forWhom = (this.host.querySelector('#care-for') as HTMLSelectElement | null)?.value;
    try {
      const made = await book({
        clinician_id: clinician.id,
        start: slot.start,
        visit_type: this.visitType,
        ...(reason ? { reason } : {}),
        ...(forWhom ? { patient_id: forWhom } : {}),
      });
      actions.booked(made);
    } catch (error) {
      this.failed(describeError(error));
      await this.loadSlots(clinician); // the time may just have been taken
    }
  }

  render(clinician: Clinician, actions: BookingActions) {
    return html`
      <section aria-labelledby="care-book">
        <h2 id="care-book">${t('care.bookWith', { name: clinician.name })}</h2>
        ${actions.forWhom
          ? html`<div class="field">
              <label for="care-for">${t('care.bookFor')}</label>
              <select id="care-for">
                ${actions.forWhom.map((d) => html`<option value=${d.patient_id}>${d.patient_name}</option>`)}
              </select>
            </div>`
          : nothing}
        <div class="field">
          <label for="care-visit-type">${t('care.visitType')}</label>
          <select
            id="care-visit-type"
            .value=${this.visitType}
            @change=${(e: Event) => {
              this.visitType = (e.target as HTMLSelectElement).value as VisitType;
              this.host.requestUpdate();
              void this.loadSlots(clinician);
            }}
          >
            <option value="follow-up">${t('care.visit.follow-up')}</option>
            <option value="new">${t('care.visit.new')}</option>
            <option value="group">${t('care.visit.group')}</option>
          </select>
        </div>
        <div class="field">
          <label for="care-reason">${t('care.reason')}</label>
          <textarea id="care-reason" maxlength="2000" rows="3"></textarea>
          <p class="field-hint">${t('care.reasonHint')}</p>
        </div>
        <h3>${t('care.chooseTime')}</h3>
        ${this.offered === null
          ? html`<p>${t('app.loading')}</p>`
          : this.offered.length === 0
            ? html`<p>${t('care.noFreeTime')}</p>`
            : html`<ul class="care-slots">
                ${this.offered.slice(0, MAX_SLOTS).map(
                  (s) => html`<li>
                    <button class="button button--secondary" data-start=${s.start} @click=${() => this.bookSlot(clinician, s, actions)}>
                      ${s.label}
                    </button>
                  </li>`,
                )}
              </ul>`}
        <p><button class="button button--quiet" @click=${actions.back}>${t('care.back')}</button></p>
      </section>
    `;
  }
}
