import { html, nothing } from 'lit';
import type { Account } from '../../api/auth';
import {
  appointments,
  book,
  calendarFile,
  cancel,
  checkIn,
  clinicians,
  displayZone,
  knownZones,
  preferences,
  setPreferences,
  slots,
  summary,
  waitState,
  type Appointment,
  type Clinician,
  type DeviceCheck,
  type DeviceResult,
  type Slot,
  type Summary,
  type VisitType,
  type WaitState,
} from '../../api/care';
import { delegations, type Delegation } from '../../api/privacy';
import { describeError } from '../../components/errors';
import { LightElement } from '../../components/light-element';
import { t, type MessageKey } from '../../i18n';
import './care.css';
import './decision-panel';
import './invite-panel';

type View =
  | { kind: 'list' }
  | { kind: 'book'; clinician: Clinician }
  | { kind: 'check'; appointment: Appointment }
  | { kind: 'wait'; appointment: Appointment }
  | { kind: 'summary'; summary: Summary }
  | { kind: 'decide'; appointment: Appointment; encounterId: string }
  | { kind: 'invite'; appointment: Appointment };

const STATUS_KEYS: Record<WaitState['clinician_status'], MessageKey> = {
  online: 'care.wait.online',
  in_another_visit: 'care.wait.inAnotherVisit',
  away: 'care.wait.away',
  offline: 'care.wait.offline',
};

/** Play a short, quiet tone so the person can say whether they heard it. */
function playTone(): void {
  const context = new AudioContext();
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  gain.gain.value = 0.1;
  oscillator.frequency.value = 440;
  oscillator.connect(gain).connect(context.destination);
  oscillator.start();
  oscillator.stop(context.currentTime + 0.8);
  oscillator.onended = () => void context.close();
}

/**
 * "Appointments" for a patient: find a clinician and book a free time (shown in the browser's
 * own time zone), the upcoming visits with a calendar file, check-in with a device check, the
 * waiting view (polled), and the visit summary. The consult room is the space page.
 */
export class CareAppointmentsPage extends LightElement {
  static override properties = {
    account: { attribute: false },
    view: { state: true },
    mine: { state: true },
    doctors: { state: true },
    offered: { state: true },
    visitType: { state: true },
    wait: { state: true },
    devices: { state: true },
    supported: { state: true },
    notice: { state: true },
    error: { state: true },
  };

  declare account: Account | null;
  declare view: View;
  declare mine: Appointment[] | null;
  declare doctors: Clinician[] | null;
  declare offered: Slot[] | null;
  declare visitType: VisitType;
  declare wait: WaitState | null;
  declare devices: Partial<DeviceCheck>;
  /** For a caregiver: the people who let them book (`appointments:write`). */
  declare supported: Delegation[];
  declare notice: string;
  declare error: string;

  private poll: number | null = null;
  private stream: MediaStream | null = null;

  constructor() {
    super();
    this.account = null;
    this.view = { kind: 'list' };
    this.mine = null;
    this.doctors = null;
    this.offered = null;
    this.visitType = 'follow-up';
    this.wait = null;
    this.devices = {};
    this.supported = [];
    this.notice = '';
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    this.stopPolling();
    this.stopMedia();
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    try {
      await preferences(); // times below are shown in the saved zone
      [this.mine, this.doctors] = await Promise.all([appointments(), clinicians()]);
      if (this.account?.role === 'caregiver') {
        const held = await delegations();
        this.supported = held.filter((d) => d.active && d.scopes.includes('appointments:write'));
      }
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private show(view: View): void {
    this.stopPolling();
    this.stopMedia();
    this.error = '';
    this.view = view;
    if (view.kind === 'list') void this.load();
  }

  // ---- booking ------------------------------------------------------------------------------

  private async choose(clinician: Clinician): Promise<void> {
    this.notice = '';
    this.offered = null;
    this.show({ kind: 'book', clinician });
    await this.loadSlots(clinician);
  }

  private async loadSlots(clinician: Clinician): Promise<void> {
    try {
      this.offered = await slots(clinician.id, this.visitType);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async bookSlot(clinician: Clinician, slot: Slot): Promise<void> {
    const reason = (this.querySelector('#care-reason') as HTMLTextAreaElement | null)?.value.trim();
    const forWhom = (this.querySelector('#care-for') as HTMLSelectElement | null)?.value;
    try {
      const made = await book({
        clinician_id: clinician.id,
        start: slot.start,
        visit_type: this.visitType,
        ...(reason ? { reason } : {}),
        ...(forWhom ? { patient_id: forWhom } : {}),
      });
      this.show({ kind: 'list' });
      this.notice = t('care.booked', { when: made.start.label, name: made.clinician_name });
    } catch (error) {
      this.error = describeError(error);
      await this.loadSlots(clinician); // the time may just have been taken
    }
  }

  private async cancelOne(appointment: Appointment): Promise<void> {
    const note = window.prompt(t('care.cancelPrompt')) ?? null;
    if (note === null) return;
    try {
      await cancel(appointment.id, note.trim() || undefined);
      this.notice = t('care.cancelled');
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
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

  // ---- device check and waiting -------------------------------------------------------------

  private async testCameraAndMicrophone(): Promise<void> {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      const video = this.querySelector('#care-preview') as HTMLVideoElement | null;
      if (video) video.srcObject = this.stream;
      const has = (kind: string) =>
        this.stream?.getTracks().some((track) => track.kind === kind && track.readyState === 'live');
      this.devices = {
        ...this.devices,
        camera: has('video') ? 'ok' : 'failed',
        microphone: has('audio') ? 'ok' : 'failed',
      };
    } catch {
      this.devices = { ...this.devices, camera: 'failed', microphone: 'failed' };
    }
  }

  private async testConnection(): Promise<void> {
    const started = performance.now();
    try {
      const response = await fetch('/healthz', { cache: 'no-store' });
      const elapsed = performance.now() - started;
      this.devices = {
        ...this.devices,
        connection: !response.ok ? 'failed' : elapsed < 800 ? 'ok' : 'poor',
      };
    } catch {
      this.devices = { ...this.devices, connection: 'failed' };
    }
  }

  private speaker(result: DeviceResult): void {
    this.devices = { ...this.devices, speaker: result };
  }

  private stopMedia(): void {
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
  }

  private async doCheckIn(appointment: Appointment): Promise<void> {
    const d = this.devices;
    const check: DeviceCheck = {
      camera: d.camera ?? 'skipped',
      microphone: d.microphone ?? 'skipped',
      speaker: d.speaker ?? 'skipped',
      connection: d.connection ?? 'failed',
    };
    try {
      this.wait = await checkIn(appointment.id, check);
      this.show({ kind: 'wait', appointment });
      this.startPolling(appointment);
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private openWaiting(appointment: Appointment): void {
    this.show({ kind: 'wait', appointment });
    this.startPolling(appointment);
  }

  private startPolling(appointment: Appointment): void {
    const tick = async () => {
      try {
        this.wait = await waitState(appointment.id);
      } catch (error) {
        this.error = describeError(error);
      }
      this.poll = window.setTimeout(tick, (this.wait?.poll_seconds ?? 5) * 1000);
    };
    void tick();
  }

  private stopPolling(): void {
    if (this.poll !== null) window.clearTimeout(this.poll);
    this.poll = null;
  }

  private async openDecision(appointment: Appointment): Promise<void> {
    try {
      const state = await waitState(appointment.id);
      if (!state.encounter_id) {
        this.error = t('care.decide.notStarted');
        return;
      }
      this.show({ kind: 'decide', appointment, encounterId: state.encounter_id });
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
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async openSummary(appointment: Appointment): Promise<void> {
    try {
      const state = await waitState(appointment.id);
      if (!state.encounter_id) {
        this.error = t('care.summary.none');
        return;
      }
      this.show({ kind: 'summary', summary: await summary(state.encounter_id) });
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
    switch (this.view.kind) {
      case 'book':
        return this.renderBooking(this.view.clinician);
      case 'check':
        return this.renderCheck(this.view.appointment);
      case 'wait':
        return this.renderWait();
      case 'summary':
        return this.renderSummary(this.view.summary);
      case 'decide':
        return html`
          <p>${t('care.decide.with', { name: this.view.appointment.clinician_name, when: this.view.appointment.start.label })}</p>
          <cv-decision-panel encounter-id=${this.view.encounterId} audience="patient"></cv-decision-panel>
          <p><button class="button button--quiet" @click=${() => this.show({ kind: 'list' })}>${t('care.back')}</button></p>
        `;
      case 'invite':
        return html`
          <p>${t('care.invite.for', { name: this.view.appointment.clinician_name, when: this.view.appointment.start.label })}</p>
          <cv-invite-panel
            appointment-id=${this.view.appointment.id}
            .invitees=${this.view.appointment.invitees ?? []}
          ></cv-invite-panel>
          <p><button class="button button--quiet" @click=${() => this.show({ kind: 'list' })}>${t('care.back')}</button></p>
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
    if (this.mine === null) return html`<p>${t('app.loading')}</p>`;
    return html`
      <section aria-labelledby="care-mine">
        <h2 id="care-mine">${t('care.mine')}</h2>
        ${this.mine.length === 0
          ? html`<p>${t('care.none')}</p>`
          : html`<ul class="care-list">
              ${this.mine.map((a) => this.renderAppointment(a))}
            </ul>`}
      </section>
    `;
  }

  private renderAppointment(a: Appointment) {
    const canCheckIn =
      (a.status === 'booked' || a.status === 'checked_in') && Date.now() >= Date.parse(a.check_in_opens);
    return html`
      <li class="care-item" data-appointment=${a.id}>
        <strong>${a.start.label}</strong> — ${a.clinician_name}
        ${this.account?.role === 'caregiver' ? html`<span>${t('care.forPerson', { name: a.patient_name })}</span>` : nothing}
        <span class="care-status">${t(`care.status.${a.status}` as MessageKey)}</span>
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
            ? html`<button class="button button--quiet" @click=${() => this.cancelOne(a)}>${t('care.cancel')}</button>`
            : nothing}
        </div>
      </li>
    `;
  }

  private renderClinicians() {
    if (this.doctors === null) return nothing;
    return html`
      <section aria-labelledby="care-find">
        <h2 id="care-find">${t('care.find')}</h2>
        <ul class="care-list">
          ${this.doctors.map(
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

  private renderBooking(clinician: Clinician) {
    return html`
      <section aria-labelledby="care-book">
        <h2 id="care-book">${t('care.bookWith', { name: clinician.name })}</h2>
        ${this.account?.role === 'caregiver'
          ? html`<div class="field">
              <label for="care-for">${t('care.bookFor')}</label>
              <select id="care-for">
                ${this.supported.map((d) => html`<option value=${d.patient_id}>${d.patient_name}</option>`)}
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
                ${this.offered.slice(0, 60).map(
                  (s) => html`<li>
                    <button class="button button--secondary" data-start=${s.start} @click=${() => this.bookSlot(clinician, s)}>
                      ${s.label}
                    </button>
                  </li>`,
                )}
              </ul>`}
        <p><button class="button button--quiet" @click=${() => this.show({ kind: 'list' })}>${t('care.back')}</button></p>
      </section>
    `;
  }

  private renderCheck(appointment: Appointment) {
    const d = this.devices;
    const result = (value: string | undefined) =>
      value ? t(`care.device.${value}` as MessageKey) : t('care.device.untested');
    return html`
      <section aria-labelledby="care-check">
        <h2 id="care-check">${t('care.deviceCheck')}</h2>
        <p>${t('care.deviceCheckIntro')}</p>
        <video id="care-preview" class="care-preview" autoplay muted playsinline></video>
        <ul class="care-checks">
          <li>
            ${t('care.device.cameraMic')}: <strong>${result(d.camera)} / ${result(d.microphone)}</strong>
            <button class="button button--secondary" @click=${() => this.testCameraAndMicrophone()}>
              ${t('care.device.test')}
            </button>
          </li>
          <li>
            ${t('care.device.speaker')}: <strong>${result(d.speaker)}</strong>
            <button class="button button--secondary" @click=${() => playTone()}>${t('care.device.playTone')}</button>
            <button class="button button--quiet" @click=${() => this.speaker('ok')}>${t('care.device.heardIt')}</button>
            <button class="button button--quiet" @click=${() => this.speaker('failed')}>${t('care.device.notHeard')}</button>
          </li>
          <li>
            ${t('care.device.connection')}: <strong>${result(d.connection)}</strong>
            <button class="button button--secondary" @click=${() => this.testConnection()}>
              ${t('care.device.test')}
            </button>
          </li>
        </ul>
        <p>
          <button class="button button--primary" id="care-check-in" @click=${() => this.doCheckIn(appointment)}>
            ${t('care.checkIn')}
          </button>
          <button class="button button--quiet" @click=${() => this.show({ kind: 'list' })}>${t('care.back')}</button>
        </p>
      </section>
    `;
  }

  private renderWait() {
    const w = this.wait;
    if (!w) return html`<p>${t('app.loading')}</p>`;
    if (w.space_id) {
      return html`
        <section aria-labelledby="care-wait" class="care-wait">
          <h2 id="care-wait">${t('care.wait.ready')}</h2>
          <p><a class="button button--primary" id="care-join" href="/spaces/${w.space_id}">${t('care.join')}</a></p>
        </section>
      `;
    }
    return html`
      <section aria-labelledby="care-wait" class="care-wait">
        <h2 id="care-wait">${t('care.waitingRoom')}</h2>
        <p aria-live="polite">
          ${t(STATUS_KEYS[w.clinician_status], { name: w.clinician_name })}
          ${w.late_minutes > 0 ? t('care.wait.late', { count: w.late_minutes }) : nothing}
        </p>
        ${w.queue_position
          ? html`<p aria-live="polite">${t('care.wait.position', { position: w.queue_position, count: w.queue_length })}</p>`
          : nothing}
        <p>${t('care.wait.calm')}</p>
        ${w.waiting_space_id
          ? html`<p><a class="button button--secondary" href="/spaces/${w.waiting_space_id}">${t('care.wait.garden')}</a></p>`
          : nothing}
        <p><button class="button button--quiet" @click=${() => this.show({ kind: 'list' })}>${t('care.back')}</button></p>
      </section>
    `;
  }

  private renderSummary(s: Summary) {
    const chosen = s.options.find((o) => o.id === s.choice?.option_id);
    return html`
      <section aria-labelledby="care-summary" class="care-summary">
        <h2 id="care-summary">${t('care.summary.title', { name: s.clinician_name })}</h2>
        ${s.summary ? html`<p>${s.summary}</p>` : html`<p>${t('care.summary.notYet')}</p>`}
        ${s.problems.length
          ? html`<h3>${t('care.summary.problems')}</h3>
              <ul>${s.problems.map((p) => html`<li>${p}</li>`)}</ul>`
          : nothing}
        ${s.follow_up ? html`<h3>${t('care.summary.followUp')}</h3><p>${s.follow_up}</p>` : nothing}
        ${chosen ? html`<h3>${t('care.summary.choice')}</h3><p>${chosen.name}</p>` : nothing}
        <p><button class="button button--quiet" @click=${() => this.show({ kind: 'list' })}>${t('care.back')}</button></p>
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
