/**
 * Dates and times for people to read. The server speaks UTC (ISO 8601); these show the moment
 * in the browser's time zone, written the way the reader's region writes it.
 */
import { currentLocale } from './index';

/**
 * The locale to format with: the browser's own regional variant of the current language when
 * it has one (`en-GB` writes "3 May 2026" where `en` writes "May 3, 2026"), else the language.
 */
export function formattingLocale(): string {
  const current = currentLocale();
  const language = current.toLowerCase().split('-')[0];
  const preferred = [...(navigator.languages ?? []), navigator.language];
  for (const tag of preferred) {
    if (tag && tag.toLowerCase().split('-')[0] === language) {
      try {
        return Intl.DateTimeFormat.supportedLocalesOf([tag])[0] ?? current;
      } catch {
        // A malformed tag: keep looking.
      }
    }
  }
  return current;
}

function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "3 May 2026" (en-GB), "May 3, 2026" (en-US). */
export function formatDate(value: string | Date): string {
  return new Intl.DateTimeFormat(formattingLocale(), {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(toDate(value));
}

/** "14:05" (en-GB), "2:05 PM" (en-US). */
export function formatTime(value: string | Date): string {
  const locale = formattingLocale();
  // 24-hour clocks write "00:50", not "0:50"; 12-hour clocks keep "2:05 PM".
  const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return new Intl.DateTimeFormat(locale, {
    hour: cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric',
    minute: '2-digit',
  }).format(toDate(value));
}

/** A local calendar day as `<input type="date">` writes it: `YYYY-MM-DD`. */
export function toDateInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The last moment of a local calendar day (`YYYY-MM-DD`), or null if it is not a date. */
export function endOfLocalDay(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day, 23, 59, 59);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) {
    return null;
  }
  return date;
}

/** Tomorrow, as `<input type="date" min>` wants it. */
export function tomorrowInputValue(): string {
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  return toDateInputValue(tomorrow);
}

/** A number written the reader's way: "1,234.5" (en), "1 234,5" (fr), "١٬٢٣٤٫٥" (ar-EG). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(formattingLocale(), options).format(value);
}

/**
 * A measurement with a unit Intl knows (`kilogram`, `minute`, `percent`, `celsius`,
 * `kilometer-per-hour`…), in the reader's words: "5 min", "5 دقائق", "5分钟".
 */
export function formatUnit(
  value: number,
  unit: string,
  display: 'short' | 'long' | 'narrow' = 'short',
): string {
  try {
    return formatNumber(value, { style: 'unit', unit, unitDisplay: display });
  } catch {
    // A unit Intl does not know (e.g. mmHg): the number, then the unit's symbol.
    return `${formatNumber(value)} ${unit}`;
  }
}

/** "3 days ago", "in 2 hours" the reader's way (`unit` as Intl.RelativeTimeFormat takes it). */
export function formatRelative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return new Intl.RelativeTimeFormat(formattingLocale(), { numeric: 'auto' }).format(value, unit);
}
