import { html, nothing } from 'lit';
import { subscribeBeats } from '../api/breathing';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import { breathPhase, breathTone, type BreathPhase } from '../pages/wellbeing/breath-pacer';
import '../pages/wellbeing/breath-pacer';
import './garden-session';
import type { CalmMessage, PacerMessage, WorldConnection } from './connection';
import type { BreathLantern } from './pacer3d';
import { onWorldSettings, worldSettings } from './settings';
import type { Stage } from './stage';

/** A running pacer: its first breath in at `start` (seconds on `clock`), `rate` a minute. */
interface Running {
  shared: boolean;
  start: number;
  rate: number;
  seconds: number;
}

/** What tests read (`window.__careversePacer`): the pacer as this page runs it now. */
export interface CareversePacerDebug {
  readonly running: boolean;
  readonly shared: boolean;
  readonly rate: number;
  readonly start: number;
  phase(): BreathPhase | null;
  /** The 3D lantern's size as last drawn (null: not in a 3D scene, or hidden). */
  readonly lantern: number | null;
}

declare global {
  interface Window {
    __careversePacer?: CareversePacerDebug;
  }
}

/**
 * Guided breathing in a garden space: the breathing lantern in the 3D scene (world/pacer3d.ts),
 * the phase in words, the audio pacer, and the 2D circle (`cv-breath-pacer`) in the 2D mode.
 * A facilitator starts it for everyone (the `pacer` message: one start time on the server's
 * clock and a rate, from which each browser computes the phase with `breathPhase`, the one
 * source of the pacer's timing); anyone may breathe on their own at their own rate while no
 * group session runs. A patient also sees their live RMSSD from their wearable's beat stream,
 * and everyone may give an anonymous calm rating before and after.
 */
export class GardenPacer extends LightElement {
  static override properties = {
    facilitator: { type: Boolean },
    patient: { type: Boolean },
    socket: { attribute: false },
    now: { state: true },
    calm: { state: true },
    rmssd: { state: true },
    rated: { state: true },
    problem: { state: true },
    audio: { state: true },
  };

  declare facilitator: boolean;
  declare patient: boolean;
  declare now: BreathPhase | null;
  declare calm: CalmMessage | null;
  declare rmssd: number | null;
  declare rated: boolean;
  declare problem: string;
  declare audio: boolean;
  declare socket: WorldConnection | null;
  stage: Stage | null = null;
  announce: (message: string) => void = () => {};

  private shared: Running | null = null;
  private solo: Running | null = null;
  private rate = 6;
  private minutes = 5;
  private timer: number | null = null;
  private stops: (() => void)[] = [];
  private socketStops: (() => void)[] = [];
  private wired: WorldConnection | null = null;
  private lantern: BreathLantern | null = null;
  private lanternScene: unknown = null;
  private detachLantern: (() => void) | null = null;
  private loadingLantern = false;
  private context: AudioContext | null = null;
  private lastPhase: 'in' | 'out' | null = null;
  private still = worldSettings().reducedMotion;

  constructor() {
    super();
    this.facilitator = false;
    this.patient = false;
    this.now = null;
    this.calm = null;
    this.rmssd = null;
    this.rated = false;
    this.problem = '';
    this.audio = false;
    this.socket = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.wire();
    this.stops.push(onWorldSettings((s) => (this.still = s.reducedMotion)));
    if (this.patient) this.stops.push(subscribeBeats({ update: (u) => (this.rmssd = u.rmssd) }));
    this.timer = window.setInterval(() => this.tick(), 250);
    const page = this;
    window.__careversePacer = {
      get running() {
        return page.current() !== null;
      },
      get shared() {
        return page.current()?.shared ?? false;
      },
      get rate() {
        return page.current()?.rate ?? 0;
      },
      get start() {
        return page.current()?.start ?? 0;
      },
      phase: () => page.phaseNow(),
      get lantern() {
        return page.lantern?.size ?? null;
      },
    };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.stops) stop();
    this.stops = [];
    this.unwire();
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.dropLantern();
    void this.context?.close();
    this.context = null;
    if (window.__careversePacer) delete window.__careversePacer;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('socket') && this.isConnected && this.wired !== this.socket) this.wire();
  }

  /** Follow the space's connection: its welcome, the shared pacer, the calm ratings. */
  private wire(): void {
    this.unwire();
    const socket = this.socket;
    this.wired = socket;
    if (!socket) return;
    this.setShared(socket.welcome?.pacer ?? null, false);
    this.socketStops = [
      socket.on('welcome', (m) => this.setShared(m.pacer ?? null, false)),
      socket.on('pacer', (m) => this.setShared(m, true)),
      socket.on('calm', (m) => (this.calm = m)),
    ];
  }

  private unwire(): void {
    for (const stop of this.socketStops) stop();
    this.socketStops = [];
    this.wired = null;
  }

  /** The shared pacer's clock: the server's (estimated from ping/pong), in seconds. */
  private clockOf(running: Running): number {
    return running.shared ? (this.socket?.serverNow() ?? Date.now() / 1000) : performance.now() / 1000;
  }

  /** The group's pacer while it runs, else one's own, else none. */
  private current(): Running | null {
    const shared = this.shared;
    if (shared && this.clockOf(shared) < shared.start + shared.seconds) return shared;
    const solo = this.solo;
    if (solo && this.clockOf(solo) < solo.start + solo.seconds) return solo;
    return null;
  }

  /** Where the breath stands now (null before the first breath in, or when nothing runs). */
  private phaseNow(): BreathPhase | null {
    const running = this.current();
    if (!running) return null;
    const elapsed = this.clockOf(running) - running.start;
    return elapsed < 0 ? null : breathPhase(elapsed, running.rate);
  }

  private setShared(message: PacerMessage | null, live: boolean): void {
    const was = this.shared !== null;
    this.shared =
      message?.on && message.start && message.rate
        ? { shared: true, start: message.start, rate: message.rate, seconds: message.seconds ?? 300 }
        : null;
    if (live && this.shared) {
      this.rated = false;
      this.announce(t('garden.pacer.started', { rate: this.shared.rate }));
    } else if (live && was && !this.shared) {
      this.announce(t('garden.pacer.stopped'));
    }
    this.tick();
  }

  private tick(): void {
    const now = this.phaseNow();
    if (now?.phase !== this.now?.phase || now?.left !== this.now?.left) this.now = now;
    if (now && now.phase !== this.lastPhase && this.audio) this.tone(now);
    this.lastPhase = now?.phase ?? null;
    this.placeLantern();
  }

  private tone(now: BreathPhase): void {
    const AudioCtor = window.AudioContext;
    if (!AudioCtor) return;
    this.context ??= new AudioCtor();
    breathTone(this.context, now.phase, now.length);
  }

  /** The lantern goes into the 3D scene (when there is one) while a pacer runs. */
  private placeLantern(): void {
    const scene = this.stage?.mode === '3d' ? this.stage.scene : null;
    if (scene !== this.lanternScene) this.dropLantern();
    if (!scene || this.lantern || this.loadingLantern || !this.current()) return;
    this.loadingLantern = true;
    void import('./pacer3d').then(({ BreathLantern }) => {
      this.loadingLantern = false;
      if (!this.isConnected || this.stage?.scene !== scene || this.lantern) return;
      const lantern = new BreathLantern(0, 1.6, 0);
      this.lantern = lantern;
      this.lanternScene = scene;
      this.detachLantern = scene.attach(lantern.group, () => {
        const now = this.phaseNow();
        if (now) lantern.show(now.fill, this.still);
        else lantern.hide();
      });
    });
  }

  private dropLantern(): void {
    this.detachLantern?.();
    this.detachLantern = null;
    this.lantern?.dispose();
    this.lantern = null;
    this.lanternScene = null;
  }

  // ---- actions -------------------------------------------------------------------------------

  private readForm(): boolean {
    const rate = Number(this.querySelector<HTMLInputElement>('#pacer-rate')?.value);
    const minutes = Number(this.querySelector<HTMLInputElement>('#pacer-minutes')?.value);
    if (!(rate >= 3 && rate <= 12) || !(Number.isInteger(minutes) && minutes >= 1 && minutes <= 60)) {
      this.problem = t('garden.pacer.badRate');
      return false;
    }
    this.problem = '';
    this.rate = rate;
    this.minutes = minutes;
    return true;
  }

  private startAll(): void {
    if (this.readForm()) this.socket?.pacer('start', this.rate, this.minutes);
  }

  private toggleSolo(): void {
    if (this.solo) {
      this.solo = null;
    } else if (this.readForm()) {
      const now = performance.now() / 1000;
      this.solo = { shared: false, start: now, rate: this.rate, seconds: this.minutes * 60 };
    }
    this.tick();
    this.requestUpdate();
  }

  /** A saved session starts: the running pacer's rate, else one's own pacer started now. */
  private prepareSession(): number | null {
    const running = this.current();
    if (running) return running.rate;
    if (!this.readForm()) return null;
    this.toggleSolo();
    return this.rate;
  }

  private rateCalm(when: 'before' | 'after'): void {
    const score = Number(this.querySelector<HTMLSelectElement>('#calm-score')?.value);
    if (this.socket?.calm(when, score)) this.rated = true;
  }

  // ---- rendering -----------------------------------------------------------------------------

  private status(): string {
    const running = this.current();
    if (!running) return t('garden.pacer.idle');
    const label = t(running.shared ? 'garden.pacer.group' : 'garden.pacer.solo', { rate: running.rate });
    const now = this.now;
    if (!now) {
      const left = Math.max(1, Math.ceil(running.start - this.clockOf(running)));
      return `${label}. ${t('garden.pacer.ready', { left })}`;
    }
    return `${label}. ${t(now.phase === 'in' ? 'breathing.pacer.in' : 'breathing.pacer.out')} ${now.left}`;
  }

  private renderCalm() {
    const c = this.calm;
    const line = (when: string, count: number | undefined, mean: number | null | undefined) =>
      mean == null
        ? t('garden.calm.few', { when, count: count ?? 0 })
        : t('garden.calm.summary', { when, count: count ?? 0, mean: mean.toFixed(1) });
    return html`<fieldset class="field garden-calm">
      <legend>${t('garden.calm.title')}</legend>
      <label for="calm-score">${t('garden.calm.score')}</label>
      <select id="calm-score">
        ${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => html`<option value=${n} ?selected=${n === 5}>${n}</option>`)}
      </select>
      <div class="actions">
        <button class="button button--secondary" type="button" @click=${() => this.rateCalm('before')}>${t('garden.calm.before')}</button>
        <button class="button button--secondary" type="button" @click=${() => this.rateCalm('after')}>${t('garden.calm.after')}</button>
      </div>
      ${this.rated ? html`<p class="field-hint">${t('garden.calm.thanks')}</p>` : nothing}
      ${c
        ? html`<ul class="garden-calm__summary" data-calm>
            <li>${line(t('garden.calm.whenBefore'), c.before, c.before_mean)}</li>
            <li>${line(t('garden.calm.whenAfter'), c.after, c.after_mean)}</li>
          </ul>`
        : nothing}
    </fieldset>`;
  }

  override render() {
    const running = this.current();
    const twoD = this.stage?.mode !== '3d';
    return html`<section class="world-panel garden-pacer" aria-labelledby="garden-pacer-title"
        data-pacer=${running ? (running.shared ? 'shared' : 'solo') : 'idle'} data-rate=${running?.rate ?? ''}>
      <h2 id="garden-pacer-title">${t('garden.pacer.title')}</h2>
      <p>${t('garden.pacer.intro')}</p>
      <p class="garden-pacer__status" data-pacer-status>${this.status()}</p>
      ${running && twoD
        ? html`<cv-breath-pacer .rate=${running.rate} .clock=${() => this.clockOf(running) - running.start}></cv-breath-pacer>`
        : nothing}
      <form class="world-settings" @submit=${(e: Event) => e.preventDefault()}>
        <div class="field">
          <label for="pacer-rate">${t('garden.pacer.rate')}</label>
          <input id="pacer-rate" type="number" min="3" max="12" step="0.5" .value=${String(this.rate)} />
        </div>
        <div class="field">
          <label for="pacer-minutes">${t('garden.pacer.minutes')}</label>
          <input id="pacer-minutes" type="number" min="1" max="60" step="1" .value=${String(this.minutes)} />
        </div>
        ${this.problem ? html`<p class="form-error" role="alert">${this.problem}</p>` : nothing}
        <div class="actions">
          ${this.facilitator
            ? this.shared
              ? html`<button id="pacer-stop-all" class="button button--secondary" type="button" @click=${() => this.socket?.pacer('stop')}>${t('garden.pacer.stopAll')}</button>`
              : html`<button id="pacer-start-all" class="button button--primary" type="button" @click=${() => this.startAll()}>${t('garden.pacer.startAll')}</button>`
            : nothing}
          ${this.shared
            ? nothing
            : html`<button id="pacer-solo" class="button button--secondary" type="button" @click=${() => this.toggleSolo()}>
                ${t(this.solo ? 'garden.pacer.stopSolo' : 'garden.pacer.startSolo')}</button>`}
        </div>
        <div class="choice">
          <input id="pacer-audio" type="checkbox" .checked=${this.audio}
            @change=${(e: Event) => (this.audio = (e.target as HTMLInputElement).checked)} />
          <label for="pacer-audio">${t('garden.pacer.audio')}</label>
        </div>
      </form>
      ${this.patient
        ? html`<p data-live="rmssd">${t('garden.live.rmssd')}:
            ${this.rmssd == null ? t('garden.live.none') : t('garden.live.ms', { value: this.rmssd.toFixed(1) })}</p>`
        : nothing}
      ${this.patient
        ? html`<cv-garden-session .prepare=${() => this.prepareSession()}></cv-garden-session>`
        : nothing}
      ${this.renderCalm()}
      <p class="field-hint">${t('garden.pacer.fallback')} <a href="/wellbeing/breathe">${t('garden.pacer.fallbackLink')}</a></p>
    </section>`;
  }
}

customElements.define('cv-garden-pacer', GardenPacer);

declare global {
  interface HTMLElementTagNameMap {
    'cv-garden-pacer': GardenPacer;
  }
}
