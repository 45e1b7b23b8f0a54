/**
 * How the virtual patient looks from the vitals: skin tint from oxygen saturation and perfusion
 * (pale when the pressure falls, blue-grey when SpO2 does), breathing pace from the rate. Used
 * by the lab's 2D patient (a breathing figure); the words say the same for screen readers.
 */
import { t } from '../../i18n';

export interface PatientLook {
  skin: string;
  breathSeconds: number;
  words: string;
}

function mix(a: readonly number[], b: readonly number[], f: number): number[] {
  return a.map((v, i) => Math.round(v + ((b[i] ?? v) - v) * f));
}

const PINK = [224, 172, 150];
const PALE = [226, 214, 204];
const BLUE = [150, 160, 190];

export function patientLook(vitals: Record<string, number | string | boolean>): PatientLook {
  const spo2 = Number(vitals['spo2'] ?? 97);
  const mean = Number(vitals['mean_bp'] ?? 90);
  const rate = Number(vitals['respiration_rate'] ?? 14);
  const arrest = vitals['arrest'] === true;
  const pallor = Math.min(1, Math.max(0, (75 - mean) / 35));
  const cyanosis = Math.min(1, Math.max(0, (94 - spo2) / 20));
  const [r, g, b] = mix(mix(PINK, PALE, pallor), BLUE, arrest ? 1 : cyanosis);
  const breathSeconds = arrest || rate < 2 ? 0 : Math.min(12, 60 / rate);
  const parts = [
    arrest ? t('lab.look.arrest') : rate < 2 ? t('lab.look.apnoea') : t('lab.look.breathing', { rate: Math.round(rate) }),
  ];
  if (!arrest && cyanosis > 0.2) parts.push(t('lab.look.blue'));
  else if (!arrest && pallor > 0.2) parts.push(t('lab.look.pale'));
  return { skin: `rgb(${r}, ${g}, ${b})`, breathSeconds, words: parts.join(' ') };
}
