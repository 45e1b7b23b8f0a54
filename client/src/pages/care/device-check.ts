/**
 * The device check before a visit: camera and microphone (with a preview), the speaker (a
 * short tone the person says they heard or not) and the connection (a round trip to the server).
 * What it found goes with the check-in, so that the clinician knows what to expect.
 */
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Appointment, DeviceCheck, DeviceResult } from '../../api/care';
import { t, type MessageKey } from '../../i18n';

/** A round trip slower than this makes the connection "poor". */
const SLOW_ROUND_TRIP_MS = 800;

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

export class DeviceTester implements ReactiveController {
  private found: Partial<DeviceCheck> = {};
  private stream: MediaStream | null = null;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** What the check found; what was not tested counts as skipped (the connection as failed). */
  result(): DeviceCheck {
    const d = this.found;
    return {
      camera: d.camera ?? 'skipped',
      microphone: d.microphone ?? 'skipped',
      speaker: d.speaker ?? 'skipped',
      connection: d.connection ?? 'failed',
    };
  }

  /** Let go of the camera and microphone. */
  stop(): void {
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
  }

  private record(change: Partial<DeviceCheck>): void {
    this.found = { ...this.found, ...change };
    this.host.requestUpdate();
  }

  private async testCameraAndMicrophone(): Promise<void> {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      const video = this.host.querySelector('#care-preview') as HTMLVideoElement | null;
      if (video) video.srcObject = this.stream;
      const has = (kind: string) =>
        this.stream?.getTracks().some((track) => track.kind === kind && track.readyState === 'live');
      this.record({ camera: has('video') ? 'ok' : 'failed', microphone: has('audio') ? 'ok' : 'failed' });
    } catch {
      this.record({ camera: 'failed', microphone: 'failed' });
    }
  }

  private async testConnection(): Promise<void> {
    const started = performance.now();
    try {
      const response = await fetch('/healthz', { cache: 'no-store' });
      const elapsed = performance.now() - started;
      this.record({ connection: !response.ok ? 'failed' : elapsed < SLOW_ROUND_TRIP_MS ? 'ok' : 'poor' });
    } catch {
      this.record({ connection: 'failed' });
    }
  }

  private speaker(result: DeviceResult): void {
    this.record({ speaker: result });
  }

  render(appointment: Appointment, actions: { checkIn: (a: Appointment) => void; back: () => void }) {
    const d = this.found;
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
          <button class="button button--primary" id="care-check-in" @click=${() => actions.checkIn(appointment)}>
            ${t('care.checkIn')}
          </button>
          <button class="button button--quiet" @click=${actions.back}>${t('care.back')}</button>
        </p>
      </section>
    `;
  }
}
