/**
 * What the monitoring screens know about each vital sign (by LOINC code): its names, how its
 * unit is written, how precisely to show it, and the sentences that explain readings, targets
 * and NEWS2 in plain words.
 */
import type { Comparison, News2, RiskBand, Rule, Severity } from '../../api/monitoring';
import { currentLocale, t, type MessageKey } from '../../i18n';
import { formattingLocale } from '../../i18n/format';

interface VitalSign {
  readonly code: string;
  /** The clinician's short name ("SpO₂"). */
  readonly name: MessageKey;
  /** The everyday name, inside a sentence ("oxygen level"). */
  readonly plain: MessageKey;
  readonly decimals: number;
}

function vital(code: string, key: string, decimals: number): VitalSign {
  return {
    code,
    name: `vital.${key}.name` as MessageKey,
    plain: `vital.${key}.plain` as MessageKey,
    decimals,
  };
}

export const HEART_RATE = '8867-4';
export const SPO2 = '59408-5';
export const SYSTOLIC = '8480-6';
export const DIASTOLIC = '8462-4';
export const TEMPERATURE = '8310-5';
export const RESPIRATORY_RATE = '9279-1';
export const STEPS = '55423-8';
export const WEIGHT = '29463-7';
export const GLUCOSE = '2339-0';
export const OXYGEN_FLOW = '3151-8';

const SIGNS: readonly VitalSign[] = [
  vital(HEART_RATE, 'heartRate', 0),
  vital(SPO2, 'spo2', 0),
  vital(SYSTOLIC, 'systolic', 0),
  vital(DIASTOLIC, 'diastolic', 0),
  vital(RESPIRATORY_RATE, 'respiratoryRate', 0),
  vital(TEMPERATURE, 'temperature', 1),
  vital(WEIGHT, 'weight', 1),
  vital(GLUCOSE, 'glucose', 1),
  vital(STEPS, 'steps', 0),
  vital(OXYGEN_FLOW, 'oxygenFlow', 1),
];

const BY_CODE = new Map(SIGNS.map((sign) => [sign.code, sign]));

/** The codes the screens know, in the order they show them. */
export const VITAL_CODES: readonly string[] = SIGNS.map((sign) => sign.code);

/** The five vital signs of the panel's sparklines (and of NEWS2, with consciousness). */
export const SPARKLINE_CODES = [HEART_RATE, SPO2, SYSTOLIC, RESPIRATORY_RATE, TEMPERATURE] as const;

export function isKnownCode(code: string): boolean {
  return BY_CODE.has(code);
}

/** "Heart rate", "SpO₂", …, or the server's label, or the code itself. */
export function vitalName(code: string, fallback?: string): string {
  const sign = BY_CODE.get(code);
  return sign ? t(sign.name) : fallback || code;
}

/** "heart rate", "oxygen level", … for the middle of a sentence. */
export function plainName(code: string, fallback?: string): string {
  const sign = BY_CODE.get(code);
  return sign ? t(sign.plain) : fallback || code;
}

const UNIT_KEYS: Record<string, MessageKey> = {
  '%': 'unit.percent',
  '/min': 'unit.perMinute',
  'mm[Hg]': 'unit.mmHg',
  Cel: 'unit.celsius',
  kg: 'unit.kg',
  'mmol/L': 'unit.mmolL',
  'L/min': 'unit.litresPerMinute',
  '{steps}': 'unit.steps',
};

/** How people write a UCUM unit: `mm[Hg]` → "mmHg", `Cel` → "°C". */
export function unitText(unit: string): string {
  const key = UNIT_KEYS[unit];
  return key ? t(key) : unit;
}

export function formatNumber(code: string, value: number): string {
  const decimals = BY_CODE.get(code)?.decimals ?? 1;
  return new Intl.NumberFormat(formattingLocale(), {
    maximumFractionDigits: decimals,
    minimumFractionDigits: 0,
  }).format(value);
}

/** "95 %", "37.8 °C", "120 mmHg". */
export function formatValue(code: string, value: number, unit: string): string {
  return t('vitals.valueWithUnit', { value: formatNumber(code, value), unit: unitText(unit) });
}

/** The unit a code's values are stored in, when a reading does not say. */
export function defaultUnit(code: string): string {
  switch (code) {
    case HEART_RATE:
    case RESPIRATORY_RATE:
      return '/min';
    case SPO2:
      return '%';
    case SYSTOLIC:
    case DIASTOLIC:
      return 'mm[Hg]';
    case TEMPERATURE:
      return 'Cel';
    case WEIGHT:
      return 'kg';
    case GLUCOSE:
      return 'mmol/L';
    case STEPS:
      return '{steps}';
    case OXYGEN_FLOW:
      return 'L/min';
    default:
      return '';
  }
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "5 minutes ago", "yesterday", "just now". */
export function formatAgo(value: string | Date, now = Date.now()): string {
  const at = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 45) return t('time.justNow');
  const format = new Intl.RelativeTimeFormat(formattingLocale(), { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds / 60), 'minute');
}

// ---- NEWS2 --------------------------------------------------------------------------------

const RISK_KEYS: Record<RiskBand, MessageKey> = {
  low: 'news2.risk.low',
  'low-medium': 'news2.risk.lowMedium',
  medium: 'news2.risk.medium',
  high: 'news2.risk.high',
};

/** "Low risk", "High risk", … (never colour alone). */
export function riskText(risk: RiskBand | null): string {
  return risk ? t(RISK_KEYS[risk]) : t('news2.risk.unknown');
}

/** A sortable rank of a risk band: high first. */
export function riskRank(risk: RiskBand | null): number {
  return risk ? { high: 4, medium: 3, 'low-medium': 2, low: 1 }[risk] : 0;
}

const PARAMETER_KEYS: Record<string, MessageKey> = {
  respiration_rate: 'news2.param.respirationRate',
  respiratory_rate: 'news2.param.respirationRate',
  spo2: 'news2.param.spo2',
  on_oxygen: 'news2.param.onOxygen',
  air_or_oxygen: 'news2.param.onOxygen',
  systolic_bp: 'news2.param.systolicBp',
  pulse: 'news2.param.pulse',
  heart_rate: 'news2.param.pulse',
  consciousness: 'news2.param.consciousness',
  temperature: 'news2.param.temperature',
};

/** A NEWS2 parameter's name ("temperature", "consciousness") in the reader's words. */
export function parameterName(parameter: string): string {
  const key = PARAMETER_KEYS[parameter];
  return key ? t(key) : parameter.replace(/_/g, ' ');
}

/** "oxygen level" → "Oxygen level" (for a heading or a table cell). */
export function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase(currentLocale()) + text.slice(1);
}

export function listOf(items: readonly string[]): string {
  return new Intl.ListFormat(formattingLocale(), { style: 'long', type: 'conjunction' }).format(
    items,
  );
}

/** "oxygen use, consciousness": a short list for a label. */
export function shortListOf(items: readonly string[]): string {
  return new Intl.ListFormat(formattingLocale(), { style: 'short', type: 'unit' }).format(items);
}

/**
 * What the latest score means, without jargon: to the patient ("Your early warning score is
 * 7"), or, when `person` is named, to someone who supports them, in the third person ("The
 * early warning score of Amara Nwosu is 7").
 */
export function explainNews2(score: News2, person?: string | null): string[] {
  const prefix = person ? 'news2.plainOther' : 'news2.plain';
  const say = (key: string, params: Record<string, string | number> = {}) =>
    t(`${prefix}.${key}` as MessageKey, { person: person ?? '', ...params });
  if (score.total === null) return [say('none')];
  const sentences = [
    say('score', { total: score.total }),
    say(score.risk === 'low-medium' ? 'lowMedium' : (score.risk ?? 'low')),
  ];
  if (score.partial && score.missing.length > 0) {
    sentences.push(say('partial', { missing: listOf(score.missing.map(parameterName)) }));
  }
  return sentences;
}

// ---- rules and targets --------------------------------------------------------------------

const SEVERITY_KEYS: Record<Severity, MessageKey> = {
  low: 'severity.low',
  medium: 'severity.medium',
  high: 'severity.high',
};

export function severityText(severity: Severity): string {
  return t(SEVERITY_KEYS[severity] ?? 'severity.medium');
}

const OP_KEYS: Record<Comparison, MessageKey> = {
  '<': 'rule.op.below',
  '<=': 'rule.op.atOrBelow',
  '>': 'rule.op.above',
  '>=': 'rule.op.atOrAbove',
};

function comparison(op: Comparison, code: string, value: number): string {
  const unit = defaultUnit(code);
  return t(OP_KEYS[op] ?? 'rule.op.below', { value: formatValue(code, value, unit) });
}

/** "goes below 92 %", "stays above 120 /min for 10 minutes", "rises by more than 2 kg in 3 days". */
export function ruleCondition(rule: Rule): string {
  switch (rule.kind) {
    case 'threshold':
      return comparison(rule.op, rule.code, rule.value);
    case 'sustained':
      return t('rule.sustained', {
        comparison: comparison(rule.op, rule.code, rule.value),
        count: rule.minutes,
      });
    case 'trend': {
      const amount = formatValue(rule.code, Math.abs(rule.change), defaultUnit(rule.code));
      return t(rule.change >= 0 ? 'rule.trend.rise' : 'rule.trend.fall', {
        amount,
        count: rule.days,
      });
    }
    case 'no_data':
      return t('rule.noData.condition', { count: rule.hours });
    default:
      return '';
  }
}

/** For the clinician: "SpO₂ goes below 92 %" (or "No readings for 6 hours"). */
export function ruleSummary(rule: Rule): string {
  if (rule.kind === 'no_data') {
    return rule.code
      ? t('rule.noData.code', { name: vitalName(rule.code), count: rule.hours })
      : t('rule.noData.any', { count: rule.hours });
  }
  return t('rule.summary', { name: vitalName(rule.code), condition: ruleCondition(rule) });
}

/** For the patient: "Your care team asked to be told if it goes below 92 %." */
export function targetSentence(rule: Rule, other = false): string {
  // Said to the patient ("Your care team…") or, `other`, to someone supporting them ("Their…").
  const key = (name: string) => `target.${name}${other ? 'Other' : ''}` as MessageKey;
  if (rule.kind === 'no_data') {
    return rule.code
      ? t(key('noDataCode'), { name: plainName(rule.code), count: rule.hours })
      : t(key('noDataAny'), { count: rule.hours });
  }
  return t(key('sentence'), { condition: ruleCondition(rule) });
}

/** The rules about one code (no-data rules without a code are about every code). */
export function rulesFor(rules: readonly Rule[], code: string): Rule[] {
  return rules.filter((rule) => rule.kind !== 'no_data' && rule.code === code);
}
