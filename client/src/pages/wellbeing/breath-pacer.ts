import { html, nothing } from 'lit';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';

/** Share of each breath spent breathing in (the rest breathing out, slower). */
export const INHALE_SHARE = 0.4;

/** Where a paced breath stands `elapsed` seconds after the first breath in began. */
export interface BreathPhase {
  phase: 'in' | 'out';
  /** Whole seconds left in this phase. */
  left: number;
  /** Seconds this phase lasts. */
  length: number;
  /** How full the lungs are: 0 → 1 while breathing in, 1 → 0 while breathing out. */
  fill: number;
}

/**
 * The pacer's timing, the one source of truth for every pacer (this page's circle, the 3D
 * garden's lantern, a group's shared pacer): `rate` breaths a minute, each breath
 * `INHALE_SHARE` in and the rest out.
 */
export function breathPhase(elapsed: number, rate: number): BreathPhase {
  const period = 60 / rate;
  const into = ((elapsed % period) + period) % period;
  const inhale = period * INHALE_SHARE;
  if (into < inhale) {
    return { phase: 'in', left: Math.ceil(inhale - into), length: inhale, fill: into / inhale };
  }
  const exhale = period - inhale;
  return { phase: 'out', left: Math.ceil(period - into), length: exhale, fill: 1 - (into - inhale) / exhale };
}

/** The audio pacer: a soft tone rising while breathing in, falling while breathing out. */
export function breathTone(ctx: AudioContext, phase: 'in' | 'out', seconds: number): void {
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  const now = ctx.currentTime;
  oscillator.type = 'sine';
  oscillator.frequency.setValueAtTime(phase === 'in' ? 220 : 330, now);
  oscillator.frequency.linearRampToValueAtTime(phase === 'in' ? 330 : 220, now + seconds);
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.08, now + 0.3);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + seconds);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(now);
  oscillator.stop(now + seconds);
}

/**
 * The breathing pacer: a circle that grows while you breathe in and shrinks while you breathe
 * out, at `rate` breaths a minute, with the phase in words. When the visitor asks for reduced
 * motion the circle stays still and only the words and the seconds left change. An optional
 * audio pacer (off unless `audio`) plays a soft tone that rises while breathing in and falls
 * while breathing out (Web Audio, no file).
 */
export class BreathPacer extends LightElement {
  static override properties = {
    rate: { type: Number },
    audio: { type: Boolean },
    phase: { state: true },
    left: { state: true },
  };

  declare rate: number;
  declare audio: boolean;
  declare phase: 'in' | 'out';
  declare left: number;
  /** Seconds since the first breath in, on a shared clock (a group's pacer); null: from now. */
  clock: (() => number) | null = null;

  private started = 0;
  private timer: number | null = null;
  private context: AudioContext | null = null;
  private readonly still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

  constructor() {
    super();
    this.rate = 6;
    this.audio = false;
    this.phase = 'in';
    this.left = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.restart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    void this.context?.close();
    this.context = null;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('rate') && changed.get('rate') !== undefined) this.restart();
  }

  private get period(): number {
    return 60 / this.rate;
  }

  private restart(): void {
    this.started = performance.now();
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = window.setInterval(() => this.tick(), 200);
    this.tick(true);
  }

  /** Seconds since the first breath in: a shared clock when given (a group's pacer), else our own. */
  private elapsed(): number {
    return this.clock ? this.clock() : (performance.now() - this.started) / 1000;
  }

  private tick(force = false): void {
    const now = breathPhase(this.elapsed(), this.rate);
    this.left = now.left;
    if (now.phase !== this.phase || force) {
      this.phase = now.phase;
      if (this.audio) this.tone(now.phase, now.length);
    }
  }

  private tone(phase: 'in' | 'out', seconds: number): void {
    const AudioCtor = window.AudioContext;
    if (!AudioCtor) return;
    this.context ??= new AudioCtor();
    breathTone(this.context, phase, seconds);
  }

  override render() {
    const inhale = (this.period * INHALE_SHARE).toFixed(2);
    const exhale = (this.period * (1 - INHALE_SHARE)).toFixed(2);
    return html`
      <div class="pacer ${this.still ? 'pacer--still' : ''}" role="img" aria-label=${t('breathing.pacer.label', { rate: this.rate })}>
        <div
          class="pacer-circle pacer-circle--${this.phase}"
          style="--inhale: ${inhale}s; --exhale: ${exhale}s"
        ></div>
      </div>
      <p class="pacer-phase" aria-hidden="true">
        ${t(this.phase === 'in' ? 'breathing.pacer.in' : 'breathing.pacer.out')}
        ${this.left > 0 ? html`<span class="pacer-left">${this.left}</span>` : nothing}
      </p>
    `;
  }
}

customElements.define('cv-breath-pacer', BreathPacer);

declare global {
  interface HTMLElementTagNameMap {
    'cv-breath-pacer': BreathPacer;
  }
}
