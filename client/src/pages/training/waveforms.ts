/**
 * Bedside monitor waveforms drawn from the engine's numbers (the engine has no within-beat
 * dynamics, docs/training.md): shapes made here, timed and scaled by the vitals.
 *
 * - ECG (lead II-like, normal sinus): P, Q, R, S and T as Gaussian bumps in each beat of
 *   60/HR s; QT shortens with rate (Bazett: QT = 0.40 √RR). Flat in arrest or at HR 0.
 * - Plethysmogram: a fast upstroke, a dicrotic notch, a slow run-off, 0.25 s after the R wave;
 *   its height follows the pulse pressure (stroke volume): flat when there is none.
 * - Capnogram: per breath of 60/RR s, baseline 0 in inspiration, a steep expiratory upstroke to
 *   an alveolar plateau rising slightly to EtCO2, a steep fall when inspiration starts. Flat
 *   without breaths (apnoea).
 *
 * Teaching shapes, not a rhythm model: no arrhythmias, no ST changes.
 */

export interface WaveVitals {
  heartRate: number;
  respirationRate: number;
  etco2: number;
  pulsePressure: number;
  arrest: boolean;
}

const bump = (x: number, centre: number, width: number, height: number): number =>
  height * Math.exp(-((x - centre) ** 2) / (2 * width * width));

/** ECG in mV-like units at `s` seconds into a beat lasting `rr` seconds. */
export function ecgAt(s: number, rr: number): number {
  const qt = 0.4 * Math.sqrt(rr);
  const r = Math.min(0.2, rr * 0.25);
  return (
    bump(s, r - 0.14, 0.025, 0.12) + // P
    bump(s, r - 0.03, 0.008, -0.12) + // Q
    bump(s, r, 0.011, 1.0) + // R
    bump(s, r + 0.03, 0.009, -0.25) + // S
    bump(s, r - 0.03 + qt - 0.08, 0.045, 0.3) // T ends at Q + QT
  );
}

/** Pleth (0..1 of its height) at `s` seconds into a beat of `rr` seconds. */
export function plethAt(s: number, rr: number): number {
  const start = Math.min(0.2, rr * 0.25) + 0.25; // the pulse reaches the finger after the R wave
  const x = (((s - start) % rr) + rr) % rr; // seconds since this pulse began
  const rise = 0.12;
  if (x < rise) return Math.sin((x / rise) * (Math.PI / 2)) ** 2;
  const fall = x - rise;
  return Math.exp(-fall / (rr * 0.45)) * (1 - bump(fall, 0.16, 0.03, 0.12)) + bump(fall, 0.22, 0.04, 0.08);
}

/** CO2 (mmHg) at `s` seconds into a breath of `period` seconds with end-tidal `etco2`. */
export function capnoAt(s: number, period: number, etco2: number): number {
  const expiry = period * 0.55;
  if (s > expiry) return etco2 * Math.exp(-(s - expiry) / 0.08); // inspiration washes it out
  const upstroke = 1 / (1 + Math.exp(-(s - 0.12) / 0.03));
  return etco2 * upstroke * (0.9 + (0.1 * s) / expiry);
}

/**
 * The three strips' samples for a moment: `beat` and `breath` are the phases (seconds into the
 * current beat and breath, kept by the caller so a change of rate does not jump).
 */
export function sample(v: WaveVitals, beat: number, breath: number): [number, number, number] {
  const beating = !v.arrest && v.heartRate > 0;
  const rr = beating ? 60 / v.heartRate : 1;
  const period = v.respirationRate > 0 ? 60 / v.respirationRate : 1;
  const pulse = Math.max(0, Math.min(1, v.pulsePressure / 40));
  return [
    beating ? ecgAt(beat, rr) : 0,
    beating ? plethAt(beat, rr) * pulse : 0,
    v.respirationRate > 0 && !v.arrest ? capnoAt(breath, period, v.etco2) : 0,
  ];
}
