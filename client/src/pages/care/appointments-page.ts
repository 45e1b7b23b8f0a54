import { html, nothing } from 'lit';
import type { Account } from '../../api/auth';
import {
  appointments,
  calendarFile,
  cancel,
  checkIn,
  clinicians,
  displayZone,
  knownZones,
  preferences,
  setPreferences,
  summary,
  waitState,
  type Appointment,
  type Clinician,
  type Summary,
} from '../../api/care';
import { delegations, type Delegation } from '../../api/privacy';
import { describeError } from '../../components/errors';
import { firstName } from '../../components/people-i-support';
import { LightElement } from '../../components/light-element';
import { LoadingController } from '../../controllers/loading';
import { t, type MessageKey } from '../../i18n';
import { formattingLocale } from '../../i18n/format';
import { Booking } from './booking';
import './care.css';
import './decision-panel';
import { DeviceTester } from './device-check';
import './invite-panel';
import { renderVisitSummary } from './visit-summary';
import { WaitingRoom } from './waiting-room';

/** How long before check-in opens a visit shows "you are early". */
const EARLY_MS = 3 * 3600_000;

type View =
  | { kind: 'list' }
  | { kind: 'book'; clinician: Clinician }
  | { kind: 'cancel'; appointment: Appointment }
  | { kind: 'check'; appointment: Appointment }
  | { kind: 'wait'; appointment: Appointment }
  | { kind: 'summary'; summary: Summary; appointment: Appointment }
  | { kind: 'decide'; appointment: Appointment; encounterId: string }
  | { kind: 'invite'; appointment: Appointment };

interface Lists {
  mine: Appointment[];
  doctors: Clinician[];
  /** For a caregiver: the people who let them book (`appointments:write`). */
  supported: Delegation[];
}

/**
 * "Appointments" for a patient: find a clinician and book a free time (booking.ts), the
 * upcoming visits with a calendar file, check-in with a device check (device-check.ts), the
 * waiting view (waiting-room.ts), and the visit summary. The consult room is the space page.
 */
export class CareAppointmentsPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    view: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare account: Account | null;
  declare view: View;
  declare notice: string;
  declare error: string;

  /** Kept on screen while loaded again (after booking, cancelling, a new time zone). */
  private lists = new LoadingController(this, () => this.fetchLists(), { auto: false, keep: true });
  private booking = new Booking(this, (message) => (this.error = message));
  private devices = new DeviceTester(this);
  private waiting = new WaitingRoom(this, (message) => (this.error = message));

  constructor() {
    super();
    this.account = null;
    this.view = { kind: 'list' };
    this.notice = '';
    this.error = '';
  }

  /** Re-renders now and then, so an early arrival sees check-in open without reloading. */
  private clock: number | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
    this.clock = window.setInterval(() => this.requestUpdate(), 30_000);
  }

  override disconnectedCallback(): void {
    if (this.clock !== null) window.clearInterval(this.clock);
    this.clock = null;
    super.disconnectedCallback();
  }

  private async fetchLists(): Promise<Lists> {
    await preferences(); // times below are shown in the saved zone
    const [mine, doctors] = await Promise.all([appointments(), clinicians()]);
    let supported = this.lists.value?.supported ?? [];
    if (this.account?.role === 'caregiver') {
      try {
        const held = await delegations();
        supported = held.filter((d) => d.active && d.scopes.includes('appointments:write'));
      } catch (error) {
        // The visits still show; booking for someone waits for the next load.
        this.error = describeError(error);
      }
    }
    return { mine, doctors, supported };
  }

  private async reload(): Promise<void> {
    await this.lists.load();
    if (this.lists.error) this.error = this.lists.error;
  }

  private show(view: View): void {
    this.waiting.stop();
    this.devices.stop();
    this.error = '';
    this.view = view;
    if (view.kind === 'list') void this.reload();
  }

  private back = (): void => this.show({ kind: 'list' });

  /** For a caregiver: the first name of the person a visit is for (pages speak of them); else ''. */
  private personOf(appointment: Appointment): string {
    return this.account?.role === 'caregiver' ? firstName(appointment.patient_name) : '';
  }

  // ---- actions ------------------------------------------------------------------------------

  private async choose(clinician: Clinician): Promise<void> {
    this.notice = '';
    this.show({ kind: 'book', clinician });
    await this.booking.open(clinician);
  }

  private booked(made: Appointment, moved: boolean): void {
    this.show({ kind: 'list' });
    const words = { when: made.start.label, name: made.clinician_name };
    const person = this.personOf(made);
    this.notice = moved
      ? person
        ? t('care.movedOther', { ...words, person })
        : t('care.moved', words)
      : t('care.booked', words);
  }

  /** Move a booked visit: the same calendar and confirmation as booking. */
  private async moveOne(appointment: Appointment): Promise<void> {
    const clinician = this.lists.value?.doctors.find((c) => c.id === appointment.clinician_id);
    if (!clinician) return;
    this.notice = '';
    this.show({ kind: 'book', clinician });
    await this.booking.open(clinician, appointment);
  }

  /** Cancel after an in-page confirmation (with an optional note), no browser dialog. */
  private async cancelOne(appointment: Appointment): Promise<void> {
    const note = (this.querySelector('#care-cancel-note') as HTMLTextAreaElement | null)?.value.trim();
    try {
      await cancel(appointment.id, note || undefined);
      this.show({ kind: 'list' });
      this.notice = t('care.cancelled');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async askCancel(appointment: Appointment): Promise<void> {
    this.notice = '';
    this.show({ kind: 'cancel', appointment });
    await this.updateComplete;
    this.querySelector<HTMLElement>('#care-cancel-title')?.focus();
  }

  private async saveCalendar(appointment: Appointment): Promise<void> {
    try {
      const file = await calendarFile(appointment.id);
      const url = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async doCheckIn(appointment: Appointment): Promise<void> {
    try {
      this.waiting.wait = await checkIn(appointment.id, this.devices.result());
      this.openWaiting(appointment);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private openWaiting(appointment: Appointment): void {
    this.show({ kind: 'wait', appointment });
    this.waiting.start(appointment);
  }

  /** The encounter of a visit that has begun, or a message when it has not. */
  private async encounterOf(appointment: Appointment, none: MessageKey, person = ''): Promise<string | null> {
    const state = await waitState(appointment.id);
    if (!state.encounter_id) this.error = t(none, { person });
    return state.encounter_id ?? null;
  }

  private async openDecision(appointment: Appointment): Promise<void> {
    try {
      const notStarted = this.personOf(appointment) ? 'care.decide.notStartedOther' : 'care.decide.notStarted';
      const encounterId = await this.encounterOf(appointment, notStarted, this.personOf(appointment));
      if (encounterId) this.show({ kind: 'decide', appointment, encounterId });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async openSummary(appointment: Appointment): Promise<void> {
    try {
      const encounterId = await this.encounterOf(appointment, 'care.summary.none');
      if (encounterId) this.show({ kind: 'summary', summary: await summary(encounterId), appointment });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async saveZone(event: Event): Promise<void> {
    event.preventDefault();
    const zone = (this.querySelector('#care-zone') as HTMLSelectElement | null)?.value;
    if (!zone) return;
    try {
      await setPreferences(zone);
      this.notice = t('care.zone.saved', { zone });
      await this.reload();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  // ---- rendering ----------------------------------------------------------------------------

  override render() {
    return html`
      <div class="panel care">
        <h1>${t('area.appointments.title')}</h1>
        <p class="notice" role="status">${this.notice}</p>
        <p class="form-error" role="alert">${this.error}</p>
        ${this.renderView()}
      </div>
    `;
  }

  private renderView() {
    const view = this.view;
    switch (view.kind) {
      case 'book': {
        const caregiver = this.account?.role === 'caregiver';
        return this.booking.render(view.clinician, {
          forWhom: caregiver ? (this.lists.value?.supported ?? []) : null,
          booked: (made, moved) => this.booked(made, moved),
          back: this.back,
        });
      }
      case 'cancel':
        return html`
          <section aria-labelledby="care-cancel-title" class="care-confirm">
            <h2 id="care-cancel-title" tabindex="-1">${t('care.cancelPrompt')}</h2>
            <p>${view.appointment.start.label} — ${view.appointment.clinician_name}</p>
            <div class="field">
              <label for="care-cancel-note"
                >${this.personOf(view.appointment)
                  ? t('care.cancelNoteOther', { person: this.personOf(view.appointment) })
                  : t('care.cancelNote')}</label
              >
              <textarea id="care-cancel-note" maxlength="1000" rows="2"></textarea>
            </div>
            <p class="care-actions">
              <button class="button button--primary" id="care-cancel-confirm" @click=${() => this.cancelOne(view.appointment)}>
                ${t('care.cancelConfirm')}
              </button>
              <button class="button button--quiet" @click=${this.back}>${t('care.cancelKeep')}</button>
            </p>
          </section>
        `;
      case 'check':
        return this.devices.render(view.appointment, { checkIn: (a) => this.doCheckIn(a), back: this.back });
      case 'wait':
        return this.waiting.render(this.back, this.personOf(view.appointment));
      case 'summary':
        return renderVisitSummary(view.summary, this.back, this.personOf(view.appointment) || undefined);
      case 'decide':
        return html`
          <p>${this.personOf(view.appointment)
            ? t('care.decide.withOther', {
                person: this.personOf(view.appointment),
                name: view.appointment.clinician_name,
                when: view.appointment.start.label,
              })
            : t('care.decide.with', { name: view.appointment.clinician_name, when: view.appointment.start.label })}</p>
          <cv-decision-panel
            encounter-id=${view.encounterId}
            audience="patient"
            person=${this.personOf(view.appointment)}
          ></cv-decision-panel>
          <p><button class="button button--quiet" @click=${this.back}>${t('care.back')}</button></p>
        `;
      case 'invite':
        return html`
          <p>${t('care.invite.for', { name: view.appointment.clinician_name, when: view.appointment.start.label })}</p>
          <cv-invite-panel
            appointment-id=${view.appointment.id}
            .invitees=${view.appointment.invitees ?? []}
          ></cv-invite-panel>
          <p><button class="button button--quiet" @click=${this.back}>${t('care.back')}</button></p>
        `;
      default:
        return html`${this.renderMine()} ${this.renderZone()} ${this.renderClinicians()}`;
    }
  }

  /** Which time zone times are shown in (saved; used for e-mails and reminders too). */
  private renderZone() {
    const current = displayZone();
    return html`
      <details class="care-zone">
        <summary>${t('care.zone.title', { zone: current })}</summary>
        <form @submit=${(e: Event) => this.saveZone(e)}>
          <div class="field">
            <label for="care-zone">${t('care.zone.label')}</label>
            <select id="care-zone">
              ${knownZones().map((zone) => html`<option value=${zone} ?selected=${zone === current}>${zone.replaceAll('_', ' ')}</option>`)}
            </select>
            <p class="field-hint">${t('care.zone.hint')}</p>
          </div>
          <button class="button button--secondary" type="submit" id="care-zone-save">${t('care.zone.save')}</button>
        </form>
      </details>
    `;
  }

  private renderMine() {
    const mine = this.lists.value?.mine;
    if (!mine) return html`<p>${t('app.loading')}</p>`;
    return html`
      <section aria-labelledby="care-mine">
        <h2 id="care-mine">${t(this.account?.role === 'caregiver' ? 'care.mineOther' : 'care.mine')}</h2>
        ${mine.length === 0
          ? html`<p>${t(this.account?.role === 'caregiver' ? 'care.noneOther' : 'care.none')}</p>`
          : html`<ul class="care-list">
              ${mine.map((a) => this.renderAppointment(a))}
            </ul>`}
      </section>
    `;
  }

  private renderAppointment(a: Appointment) {
    const opens = Date.parse(a.check_in_opens);
    const canCheckIn = (a.status === 'booked' || a.status === 'checked_in') && Date.now() >= opens;
    // Early arrival: the visit is today and check-in is not open yet.
    const early =
      a.status === 'booked' && !canCheckIn && opens - Date.now() < EARLY_MS
        ? new Date(opens).toLocaleTimeString(formattingLocale(), { hour: '2-digit', minute: '2-digit' })
        : '';
    return html`
      <li class="care-item" data-appointment=${a.id}>
        <strong>${a.start.label}</strong> — ${a.clinician_name}
        ${this.account?.role === 'caregiver' ? html`<span>${t('care.forPerson', { name: a.patient_name })}</span>` : nothing}
        <span class="care-status">${t(`care.status.${a.status}` as MessageKey)}</span>
        ${early ? html`<span class="care-early">${this.personOf(a)
              ? t('care.earlyOther', { time: early, person: this.personOf(a) })
              : t('care.early', { time: early })}</span>` : nothing}
        <div class="care-actions">
          ${a.status === 'in_progress' && a.space_id
            ? html`<a class="button button--primary" href="/spaces/${a.space_id}">${t('care.join')}</a>`
            : nothing}
          ${canCheckIn && a.status === 'booked'
            ? html`<button class="button button--primary" @click=${() => this.show({ kind: 'check', appointment: a })}>
                ${t('care.checkIn')}
              </button>`
            : nothing}
          ${a.status === 'checked_in'
            ? html`<button class="button button--primary" @click=${() => this.openWaiting(a)}>
                ${t('care.waitingRoom')}
              </button>`
            : nothing}
          ${a.status === 'in_progress' || a.status === 'completed'
            ? html`<button class="button button--secondary" @click=${() => this.openSummary(a)}>
                ${t('care.summary.open')}
              </button>
              <button class="button button--secondary" data-action="decide" @click=${() => this.openDecision(a)}>
                ${t('care.decide.open')}
              </button>`
            : nothing}
          ${this.account?.role === 'patient' && ['booked', 'checked_in', 'in_progress'].includes(a.status)
            ? html`<button class="button button--quiet" data-action="invite" @click=${() => this.show({ kind: 'invite', appointment: a })}>
                ${t('care.invite.open')}
              </button>`
            : nothing}
          ${a.status !== 'cancelled'
            ? html`<button class="button button--secondary" @click=${() => this.saveCalendar(a)}>
                ${t('care.calendar')}
              </button>`
            : nothing}
          ${a.status === 'booked'
            ? html`<button class="button button--secondary" data-action="reschedule" @click=${() => this.moveOne(a)}>
                  ${t('care.reschedule')}
                </button>
                <button class="button button--quiet" data-action="cancel" @click=${() => this.askCancel(a)}>${t('care.cancel')}</button>`
            : nothing}
        </div>
      </li>
    `;
  }

  private renderClinicians() {
    const doctors = this.lists.value?.doctors;
    if (!doctors) return nothing;
    return html`
      <section aria-labelledby="care-find">
        <h2 id="care-find">${t('care.find')}</h2>
        <ul class="care-list">
          ${doctors.map(
            (c) => html`
              <li class="care-item">
                <strong>${c.name}</strong>
                <span>${c.specialties.join(', ')}</span>
                <span>${t('care.languages', { languages: c.languages.join(', ') || '—' })}</span>
                <span>
                  ${c.next_free_slot
                    ? t('care.nextFree', { when: c.next_free_slot.label })
                    : t('care.noFreeTime')}
                </span>
                <div class="care-actions">
                  <button class="button button--primary" @click=${() => this.choose(c)}>
                    ${t('care.bookWith', { name: c.name })}
                  </button>
                </div>
              </li>
            `,
          )}
        </ul>
      </section>
    `;
  }
}

customElements.define('cv-care-appointments', CareAppointmentsPage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-care-appointments': CareAppointmentsPage;
  }
}
