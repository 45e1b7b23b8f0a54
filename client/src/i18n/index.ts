/**
 * The translation layer. Every user-facing string goes through `t(key, params)`.
 *
 * A locale is a catalogue of messages keyed like `en.ts`; missing keys fall back to English.
 * `setLocale()` picks the best supported locale for a requested language tag and sets
 * `<html lang dir>`, so right-to-left languages only need a catalogue to work.
 */
import en from './en';

export type MessageKey = keyof typeof en;
type PluralForms = { readonly other: string } & Readonly<
  Partial<Record<Intl.LDMLPluralRule, string>>
>;
export type Message = string | PluralForms;
export type Catalogue = Partial<Record<MessageKey, Message>>;
export type Params = Record<string, string | number>;

interface LocaleDefinition {
  /** The language's own name for itself, shown in language pickers. */
  readonly nativeName: string;
  readonly messages: Catalogue;
}

/** Locales the client ships. Add a catalogue here to offer a language. */
const LOCALES: Record<string, LocaleDefinition> = {
  en: { nativeName: 'English', messages: en },
};

export const DEFAULT_LOCALE = 'en';

/** Scripts written right to left, by primary language subtag. */
const RTL_LANGUAGES = new Set(['ar', 'dv', 'fa', 'he', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

let current = DEFAULT_LOCALE;
let plurals = new Intl.PluralRules(current);
const listeners = new Set<() => void>();

export function supportedLocales(): { code: string; nativeName: string }[] {
  return Object.entries(LOCALES).map(([code, def]) => ({ code, nativeName: def.nativeName }));
}

export function currentLocale(): string {
  return current;
}

export function directionOf(locale: string): 'ltr' | 'rtl' {
  const language = locale.toLowerCase().split('-')[0] ?? '';
  return RTL_LANGUAGES.has(language) ? 'rtl' : 'ltr';
}

/** The best supported locale for the given language tags, in order of preference. */
export function negotiateLocale(requested: readonly (string | null | undefined)[]): string {
  const available = Object.keys(LOCALES);
  for (const tag of requested) {
    if (!tag) continue;
    const wanted = tag.toLowerCase();
    const exact = available.find((code) => code.toLowerCase() === wanted);
    if (exact) return exact;
    const base = wanted.split('-')[0];
    const partial = available.find((code) => code.toLowerCase().split('-')[0] === base);
    if (partial) return partial;
  }
  return DEFAULT_LOCALE;
}

/** Switch language: chooses from the account's preference, then the browser's, then English. */
export function setLocale(preferred?: string | null): string {
  const next = negotiateLocale([preferred, ...(navigator.languages ?? []), navigator.language]);
  current = next;
  plurals = new Intl.PluralRules(next);
  const root = document.documentElement;
  root.lang = next;
  root.dir = directionOf(next);
  for (const listener of listeners) listener();
  return next;
}

export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function lookup(key: MessageKey): Message {
  return LOCALES[current]?.messages[key] ?? en[key];
}

function interpolate(template: string, params: Params | undefined, locale: string): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? value.toLocaleString(locale) : value;
  });
}

/** Translate `key`, filling `{placeholders}` from `params` (and choosing plurals by `count`). */
export function t(key: MessageKey, params?: Params): string {
  const message = lookup(key);
  let template: string;
  if (typeof message === 'string') {
    template = message;
  } else {
    const count = Number(params?.count ?? 0);
    template = message[plurals.select(count)] ?? message.other;
  }
  return interpolate(template, params, current);
}
