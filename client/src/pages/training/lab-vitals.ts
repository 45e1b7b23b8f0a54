/**
 * The virtual patient's vitals as the monitoring screens know them: each engine vital mapped to
 * its LOINC code and unit, so the lab's monitor and the debrief reuse the vitals chart.
 */
import type { VitalsSeries } from '../../api/monitoring';
import type { LabLogEntry } from '../../world/connection';
import { t } from '../../i18n';
import {
  HEART_RATE,
  RESPIRATORY_RATE,
  SPO2,
  SYSTOLIC,
  TEMPERATURE,
  vitalName,
} from '../monitoring/vitals';
import type { ChartMarker } from '../monitoring/vitals-chart';

export interface MonitorSign {
  key: string;
  code: string;
  unit: string;
}

/** The monitor's numbers, in the order a bedside monitor shows them. */
export const MONITOR_SIGNS: readonly MonitorSign[] = [
  { key: 'heart_rate', code: HEART_RATE, unit: '/min' },
  { key: 'spo2', code: SPO2, unit: '%' },
  { key: 'systolic_bp', code: SYSTOLIC, unit: 'mm[Hg]' },
  { key: 'respiration_rate', code: RESPIRATORY_RATE, unit: '/min' },
  { key: 'temperature', code: TEMPERATURE, unit: 'Cel' },
];

export type VitalsRow = Record<string, number | string | boolean>;

/**
 * One sign over a run as the chart's series: one point per sample, at `base` + scenario
 * seconds (the chart's time axis is wall time).
 */
export function seriesOf(sign: MonitorSign, rows: readonly VitalsRow[], base: number): VitalsSeries {
  const points = rows
    .filter((row) => typeof row[sign.key] === 'number')
    .map((row) => {
      const value = row[sign.key] as number;
      const at = base + Number(row['time_s'] ?? 0);
      return { t: new Date(at * 1000).toISOString(), min: value, max: value, mean: value, n: 1 };
    });
  return { code: sign.code, label: vitalName(sign.code), unit: sign.unit, points };
}

/** The trainees' actions as chart markers. */
export function markersOf(log: readonly LabLogEntry[], base: number): ChartMarker[] {
  return log
    .filter((entry) => entry.kind === 'action')
    .map((entry) => ({ at: base + entry.t, label: actionLabel(entry.name) }));
}

/** "Oxygen", "Fluid bolus", … from the engine's action names. */
export function actionLabel(name: string): string {
  const words = name.replace(/_/g, ' ');
  return t('training.action', { name: words.charAt(0).toUpperCase() + words.slice(1) });
}

/** "2:05" from scenario seconds. */
export function clockText(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const s = String(whole % 60).padStart(2, '0');
  return `${Math.floor(whole / 60)}:${s}`;
}

/** An entry's parameters in words: "flow_l_min 15, route im". */
export function paramsText(params: LabLogEntry['params']): string {
  if (!params) return '';
  return Object.entries(params)
    .map(([key, value]) => `${key.replace(/_/g, ' ')} ${value}`)
    .join(', ');
}
