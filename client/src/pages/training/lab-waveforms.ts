import { html } from 'lit';
import { LightElement } from '../../components/light-element';
import { t } from '../../i18n';
import { sample, type WaveVitals } from './waveforms';

const WINDOW_S = 6; // seconds across a strip
const RATE = 60; // samples a second
const STRIPS = [
  { key: 'ecg', colour: '#39e67a', low: -0.4, high: 1.1 },
  { key: 'pleth', colour: '#4fd4f0', low: -0.05, high: 1.05 },
  { key: 'capno', colour: '#f0d24f', low: -2, high: 60 },
] as const;

/**
 * The bedside monitor's moving strips (ECG, pleth, capnogram) from the lab's vitals
 * (waveforms.ts). Sweeps in real time while shown; under prefers-reduced-motion it draws a still
 * strip each time the vitals change. Decorative beside the numbers, which stay the source.
 */
export class LabWaveforms extends LightElement {
  static override properties = { vitals: { attribute: false } };

  declare vitals: Record<string, number | string | boolean>;
  private samples: number[][] = [[], [], []];
  private beat = 0;
  private breath = 0;
  private last = 0;
  private frame = 0;
  private readonly still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  constructor() {
    super();
    this.vitals = {};
  }

  private get wave(): WaveVitals {
    const v = this.vitals;
    const num = (key: string) => (typeof v[key] === 'number' ? (v[key] as number) : 0);
    return {
      heartRate: num('heart_rate'),
      respirationRate: num('respiration_rate'),
      etco2: num('etco2'),
      pulsePressure: num('systolic_bp') - num('diastolic_bp'),
      arrest: v['arrest'] === true,
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.still) this.frame = requestAnimationFrame((now) => this.tick(now));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
  }

  protected override updated(): void {
    if (this.still) {
      this.samples = [[], [], []];
      this.advance(WINDOW_S);
      this.draw();
    }
  }

  /** Move the phases on by `seconds`, appending samples. */
  private advance(seconds: number): void {
    const w = this.wave;
    const rr = w.heartRate > 0 ? 60 / w.heartRate : 1;
    const period = w.respirationRate > 0 ? 60 / w.respirationRate : 1;
    const steps = Math.round(seconds * RATE);
    for (let i = 0; i < steps; i++) {
      this.beat = (this.beat + 1 / RATE) % rr;
      this.breath = (this.breath + 1 / RATE) % period;
      const values = sample(w, this.beat, this.breath);
      values.forEach((value, k) => this.samples[k]?.push(value));
    }
    for (const strip of this.samples) strip.splice(0, Math.max(0, strip.length - WINDOW_S * RATE));
  }

  private tick(now: number): void {
    const dt = this.last ? Math.min(0.25, (now - this.last) / 1000) : 0;
    this.last = now;
    this.advance(dt);
    this.draw();
    this.frame = requestAnimationFrame((next) => this.tick(next));
  }

  private draw(): void {
    this.querySelectorAll('canvas').forEach((canvas, k) => {
      const strip = STRIPS[k];
      const points = this.samples[k] ?? [];
      const width = canvas.clientWidth || 300;
      if (canvas.width !== width) canvas.width = width;
      const height = canvas.height;
      const g = canvas.getContext('2d');
      if (!g || !strip) return;
      g.fillStyle = '#0f1c22';
      g.fillRect(0, 0, width, height);
      g.strokeStyle = strip.colour;
      g.lineWidth = 1.5;
      g.beginPath();
      const full = WINDOW_S * RATE;
      points.forEach((value, i) => {
        const x = ((i + full - points.length) / full) * width;
        const y = height - ((value - strip.low) / (strip.high - strip.low)) * height;
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      });
      g.stroke();
    });
  }

  override render() {
    return html`<div class="lab-waves" role="img" aria-label=${t('lab.waves')}>
      ${STRIPS.map(
        (strip) => html`<p class="lab-waves__name" aria-hidden="true">${t(`lab.wave.${strip.key}`)}</p>
          <canvas class="lab-waves__strip" data-wave=${strip.key} height="56"></canvas>`,
      )}
    </div>`;
  }
}

customElements.define('cv-lab-waveforms', LabWaveforms);

declare global {
  interface HTMLElementTagNameMap {
    'cv-lab-waveforms': LabWaveforms;
  }
}
