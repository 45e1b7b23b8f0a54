/**
 * Booking a visit with a clinician, in three steps: the kind of visit and a day (a calendar of
 * the next four weeks, days with free times marked), a time on that day, then a confirmation
 * with what the person would like to talk about and their reminder choice. The same steps move
 * a booked visit to another time (rescheduling). Times are in the viewer's time zone. A
 * caregiver books for someone who gave them `appointments:write`.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import {
  book,
  reschedule,
  slots,
  type Appointment,
  type Clinician,
  type Slot,
  type VisitType,
} from '../../api/care';
import type { Delegation } from '../../api/privacy';
import { interpreterOffer, type InterpreterOffer } from '../../api/interpreters';
import { renderInterpreterOffer } from './interpreter-offer';
import { describeError } from '../../components/errors';
import { firstName } from '../../components/people-i-support';
import { t } from '../../i18n';
import { formattingLocale } from '../../i18n/format';

/** Days the calendar shows (the server answers at most 31 at a time). */
const DAYS = 28;
const REMINDERS = ['default', '60', '1440', '0'] as const;

export interface BookingActions {
  /** For a caregiver: the people they may book for (empty for a patient). */
  forWhom: Delegation[] | null;
  booked: (appointment: Appointment, moved: boolean) => void;
  back: () => void;
}

/** The local calendar date ("2026-03-23") of a slot, in the viewer's zone. */
function dayOf(slot: Slot): string {
  return slot.start_local.slice(0, 10);
}

function dayLabel(day: string, style: 'short' | 'long'): string {
  const date = new Date(`${day}T12:00:00`);
  return date.toLocaleDateString(formattingLocale(), {
    weekday: style === 'short' ? 'short' : 'long',
    day: 'numeric',
    month: style === 'short' ? 'short' : 'long',
  });
}

function nextDays(count: number): string[] {
  const out: string[] = [];
  const today = new Date();
  for (let i = 0; i < count; i += 1) {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + i, 12);
    const month = String(d.getMonth() + 1).padStart(2, '0');
    const date = String(d.getDate()).padStart(2, '0');
    out.push(`${d.getFullYear()}-${month}-${date}`);
  }
  return out;
}

export class Booking implements ReactiveController {
  private offered: Slot[] | null = null;
  private visitType: VisitType = 'follow-up';
  private day: string | null = null;
  private chosen: Slot | null = null;
  private busy = false;
  /** Whether the chosen time needs an interpreter for the patient (null: not asked yet). */
  private offer: InterpreterOffer | null = null;
  /** The visit being moved, when rescheduling. */
  private moving: Appointment | null = null;

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

  /** A clinician was chosen (or a visit with them is to be moved): their free days. */
  async open(clinician: Clinician, moving: Appointment | null = null): Promise<void> {
    this.offered = null;
    this.day = null;
    this.chosen = null;
    this.moving = moving;
    if (moving) this.visitType = moving.visit_type as VisitType;
    this.host.requestUpdate();
    await this.loadSlots(clinician);
  }

  private async loadSlots(clinician: Clinician): Promise<void> {
    try {
      this.offered = await slots(clinician.id, this.visitType, DAYS);
      const days = new Set(this.offered.map(dayOf));
      if (!this.day || !days.has(this.day)) this.day = this.offered.length ? dayOf(this.offered[0]) : null;
      this.host.requestUpdate();
    } catch (error) {
      this.failed(describeError(error));
    }
  }

  private async focus(id: string): Promise<void> {
    await this.host.updateComplete;
    this.host.querySelector<HTMLElement>(`#${id}`)?.focus();
  }

  private pickDay(day: string): void {
    this.day = day;
    this.host.requestUpdate();
    void this.focus('care-times');
  }

  private pickSlot(slot: Slot, clinician: Clinician, actions: BookingActions): void {
    this.chosen = slot;
    this.host.requestUpdate();
    void this.focus('care-confirm-title');
    if (!this.moving) void this.askOffer(clinician, slot, actions.forWhom?.[0]?.patient_id);
  }

  /** Ask whether an interpreter is needed (and free) for the patient at the chosen time. */
  private async askOffer(clinician: Clinician, slot: Slot, patientId?: string): Promise<void> {
    this.offer = null;
    try {
      this.offer = await interpreterOffer(clinician.id, slot.start, slot.end, patientId);
    } catch {
      this.offer = null; // no offer shown: booking still works without an interpreter
    }
    this.host.requestUpdate();
  }

  private value(id: string): string {
    const field = this.host.querySelector(`#${id}`) as HTMLInputElement | HTMLSelectElement | null;
    return field?.value.trim() ?? '';
  }

  private async confirm(clinician: Clinician, actions: BookingActions): Promise<void> {
    const slot = this.chosen;
    if (!slot || this.busy) return;
    this.busy = true;
    this.host.requestUpdate();
    try {
      if (this.moving) {
        const note = this.value('care-move-note');
        actions.booked(await reschedule(this.moving.id, slot.start, note || undefined), true);
      } else {
        const reason = this.value('care-reason');
        const forWhom = this.value('care-for');
        const reminder = this.value('care-reminder');
        const interpreter = this.host.querySelector<HTMLInputElement>('#care-interpreter')?.checked ?? false;
        const made = await book({
          clinician_id: clinician.id,
          start: slot.start,
          visit_type: this.visitType,
          ...(reason ? { reason } : {}),
          ...(forWhom ? { patient_id: forWhom } : {}),
          ...(reminder && reminder !== 'default' ? { reminder_minutes: Number(reminder) as 0 | 60 | 1440 } : {}),
          ...(interpreter ? { interpreter: true } : {}),
        });
        actions.booked(made, false);
      }
    } catch (error) {
      this.failed(describeError(error));
      this.chosen = null;
      await this.loadSlots(clinician); // the time may just have been taken
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  render(clinician: Clinician, actions: BookingActions) {
    // A caregiver moves someone else's visit: said in their name ("Move Amara's visit …").
    const person = actions.forWhom && this.moving ? firstName(this.moving.patient_name) : '';
    const title = this.moving
      ? person
        ? t('care.moveWithOther', { person, name: clinician.name, when: this.moving.start.label })
        : t('care.moveWith', { name: clinician.name, when: this.moving.start.label })
      : t('care.bookWith', { name: clinician.name });
    return html`
      <section aria-labelledby="care-book" class="care-booking">
        <h2 id="care-book">${title}</h2>
        ${this.chosen ? this.renderConfirm(clinician, this.chosen, actions) : this.renderPick(clinician, actions)}
      </section>
    `;
  }

  private renderPick(clinician: Clinician, actions: BookingActions) {
    return html`
      ${this.moving
        ? nothing
        : html`<div class="field">
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
          </div>`}
      ${this.offered === null ? html`<p>${t('app.loading')}</p>` : this.renderCalendar(clinician, actions)}
      <p><button class="button button--quiet" @click=${actions.back}>${t('care.back')}</button></p>
    `;
  }

  private renderCalendar(clinician: Clinician, actions: BookingActions) {
    const offered = this.offered ?? [];
    if (offered.length === 0) return html`<p>${t('care.noFreeTimeWeeks')}</p>`;
    const counts = new Map<string, number>();
    for (const s of offered) counts.set(dayOf(s), (counts.get(dayOf(s)) ?? 0) + 1);
    const day = this.day;
    const times = offered.filter((s) => dayOf(s) === day);
    return html`
      <h3 id="care-days-title">${t('care.chooseDay')}</h3>
      <ul class="care-days" aria-labelledby="care-days-title">
        ${nextDays(DAYS).map((d) => {
          const free = counts.get(d) ?? 0;
          return html`<li>
            <button
              class="care-date"
              data-day=${d}
              aria-pressed=${d === day ? 'true' : 'false'}
              ?disabled=${free === 0}
              @click=${() => this.pickDay(d)}
            >
              ${dayLabel(d, 'short')}<span class="visually-hidden"
                >${free ? t('care.dayFree', { count: free }) : t('care.dayFull')}</span
              >
            </button>
          </li>`;
        })}
      </ul>
      ${day
        ? html`<h3 id="care-times" tabindex="-1">${t('care.chooseTimeOn', { day: dayLabel(day, 'long') })}</h3>
            <p class="field-hint">${t('care.chooseTime')}</p>
            <ul class="care-slots">
              ${times.map(
                (s) => html`<li>
                  <button class="button button--secondary" data-start=${s.start} @click=${() => this.pickSlot(s, clinician, actions)}>
                    ${s.label.split(', ').pop()}
                  </button>
                </li>`,
              )}
            </ul>`
        : nothing}
    `;
  }

  private renderConfirm(clinician: Clinician, slot: Slot, actions: BookingActions) {
    const moving = this.moving;
    return html`
      <div class="care-confirm">
        <h3 id="care-confirm-title" tabindex="-1">${moving ? t('care.confirmMove') : t('care.confirmTitle')}</h3>
        <dl class="care-confirm__facts">
          <dt>${t('care.confirm.when')}</dt>
          <dd>${slot.label}</dd>
          <dt>${t('care.confirm.with')}</dt>
          <dd>${clinician.name}</dd>
          <dt>${t('care.visitType')}</dt>
          <dd>${t(`care.visit.${this.visitType}`)}</dd>
        </dl>
        ${moving
          ? html`<div class="field">
              <label for="care-move-note"
                >${actions.forWhom
                  ? t('care.moveNoteOther', { person: firstName(moving.patient_name) })
                  : t('care.moveNote')}</label
              >
              <textarea id="care-move-note" maxlength="1000" rows="2"></textarea>
            </div>`
          : html`
              ${actions.forWhom
                ? html`<div class="field">
                    <label for="care-for">${t('care.bookFor')}</label>
                    <select
                      id="care-for"
                      @change=${(e: Event) =>
                        void this.askOffer(clinician, slot, (e.target as HTMLSelectElement).value)}
                    >
                      ${actions.forWhom.map((d) => html`<option value=${d.patient_id}>${d.patient_name}</option>`)}
                    </select>
                  </div>`
                : nothing}
              <div class="field">
                <label for="care-reason">${t('care.reason')}</label>
                <textarea id="care-reason" maxlength="2000" rows="3"></textarea>
                <p class="field-hint">${t('care.reasonHint')}</p>
              </div>
              ${renderInterpreterOffer(this.offer)}
              <div class="field">
                <label for="care-reminder">${t('care.reminder')}</label>
                <select id="care-reminder">
                  ${REMINDERS.map((r) => html`<option value=${r}>${t(`care.reminder.${r}`)}</option>`)}
                </select>
              </div>
            `}
        <p class="care-actions">
          <button class="button button--primary" id="care-confirm" ?disabled=${this.busy} @click=${() => this.confirm(clinician, actions)}>
            ${moving ? t('care.confirmMoveButton') : t('care.confirmButton')}
          </button>
          <button class="button button--quiet" @click=${() => {
            this.chosen = null;
            this.host.requestUpdate();
          }}>
            ${t('care.otherTime')}
          </button>
        </p>
      </div>
    `;
  }
}
