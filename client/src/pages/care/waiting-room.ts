/**
 * The virtual waiting room: where the clinician is (online, in another visit, away), how late,
 * one's place in the queue, polled as often as the server asks; once the clinician admits the
 * patient, the way into the consult room.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { waitState, type Appointment, type WaitState } from '../../api/care';
import { announceCall, askToNotify, rememberWaiting } from '../../components/admission-call';
import { describeError } from '../../components/errors';
import { t, type MessageKey } from '../../i18n';

const STATUS_KEYS: Record<WaitState['clinician_status'], MessageKey> = {
  online: 'care.wait.online',
  in_another_visit: 'care.wait.inAnotherVisit',
  away: 'care.wait.away',
  offline: 'care.wait.offline',
};

export class WaitingRoom implements ReactiveController {
  private _wait: WaitState | null = null;
  private timer: number | null = null;
  /** Bumped on stop: an answer still on its way schedules nothing. */
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Where a failed poll is told. */
    private readonly failed: (message: string) => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  get wait(): WaitState | null {
    return this._wait;
  }

  /** What the check-in answered: the waiting room as it stands. */
  set wait(wait: WaitState | null) {
    this._wait = wait;
    this.host.requestUpdate();
  }

  /** Follow an appointment's waiting room until `stop`. */
  start(appointment: Appointment): void {
    this.stop();
    // Every tab of this browser listens for the call from now on; ask (from this click) whether
    // the call may also come as a system notification.
    rememberWaiting(appointment.id);
    askToNotify();
    const generation = this.generation;
    const tick = async () => {
      try {
        const wait = await waitState(appointment.id);
        if (generation !== this.generation) return;
        this.wait = wait;
        if (wait.space_id) announceCall({ space: wait.space_id, appointment: appointment.id });
      } catch (error) {
        if (generation !== this.generation) return;
        this.failed(describeError(error));
      }
      this.timer = window.setTimeout(tick, (this._wait?.poll_seconds ?? 5) * 1000);
    };
    void tick();
  }

  stop(): void {
    this.generation += 1;
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
  }

  /** `person`: the first name of whom a caregiver waits with; the words then speak of them. */
  render(back: () => void, person = '') {
    const w = this._wait;
    if (!w) return html`<p>${t('app.loading')}</p>`;
    if (w.space_id) {
      return html`
        <section aria-labelledby="care-wait" class="care-wait">
          <h2 id="care-wait">${person ? t('care.wait.readyOther', { person }) : t('care.wait.ready')}</h2>
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
          ? html`<p aria-live="polite">${t(person ? 'care.wait.positionOther' : 'care.wait.position', {
              person,
              position: w.queue_position,
              count: w.queue_length,
            })}</p>`
          : nothing}
        <p>${person ? t('care.wait.calmOther', { person }) : t('care.wait.calm')}</p>
        ${w.waiting_space_id
          ? html`<p><a class="button button--secondary" href="/spaces/${w.waiting_space_id}">${t('care.wait.garden')}</a></p>`
          : nothing}
        <p><button class="button button--quiet" @click=${back}>${t('care.back')}</button></p>
      </section>
    `;
  }
}
