/**
 * The translation layer. Every user-facing string goes through `t(key, params)`.
 *
 * Messages are ICU MessageFormat (`{count, plural, one {# day} other {# days}}`, `{kind, select, …}`)
 * rendered by i18next with i18next-icu (intl-messageformat, Intl.PluralRules underneath). A locale is a
 * catalogue keyed like `en.ts`; missing keys fall back to English. `setLocale()` picks the best
 * supported locale for the wanted language tags and sets `<html lang dir>`, so a right-to-left
 * language only needs a catalogue. See docs/i18n.md.
 */
import i18next from 'i18next';
import ICU from 'i18next-icu';
import ar from './ar';
import en from './en';
import es from './es';
import fr from './fr';
import zh from './zh';

export type MessageKey = keyof typeof en;
export type Message = string;
export type Catalogue = Partial<Record<MessageKey, Message>>;
export type Params = Record<string, string | number>;

interface LocaleDefinition {
  /** The language's own name for itself, shown in language pickers. */
  readonly nativeName: string;
  readonly messages: Readonly<Record<string, string>>;
}

/** Locales the client ships, in the picker's order. Add a catalogue here to offer a language. */
const LOCALES: Record<string, LocaleDefinition> = {
  en: { nativeName: 'English', messages: en },
  es: { nativeName: 'Español', messages: es },
  fr: { nativeName: 'Français', messages: fr },
  ar: { nativeName: 'العربية', messages: ar },
  'zh-Hans': { nativeName: '简体中文', messages: zh },
};

/** Tags that name a shipped locale by another spelling (`zh`, `zh-CN`, `zh-SG` write Simplified). */
const ALIASES: Record<string, string> = {
  zh: 'zh-Hans',
  'zh-cn': 'zh-Hans',
  'zh-sg': 'zh-Hans',
  'zh-my': 'zh-Hans',
  'zh-hans-cn': 'zh-Hans',
};

export const DEFAULT_LOCALE = 'en';

/** Where a chosen language is kept in this browser (signed out, or before the account loads). */
export const LANGUAGE_STORAGE_KEY = 'careverse.language';

/** Scripts written right to left, by primary language subtag. */
const RTL_LANGUAGES = new Set(['ar', 'dv', 'fa', 'he', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

const i18n = i18next.createInstance();
void i18n.use(new ICU({ memoize: true })).init({
  initAsync: false,
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: Object.keys(LOCALES),
  // Keys are flat and dotted ('nav.home'); they are not paths into nested objects.
  keySeparator: false,
  nsSeparator: false,
  // A key a catalogue lacks (or leaves empty) falls back to English.
  returnEmptyString: false,
  returnNull: false,
  interpolation: { escapeValue: false },
  resources: Object.fromEntries(
    Object.entries(LOCALES).map(([code, def]) => [code, { translation: def.messages }]),
  ),
});

let current = DEFAULT_LOCALE;
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
    const exact = available.find((code) => code.toLowerCase() === wanted) ?? ALIASES[wanted];
    if (exact) return exact;
    // zh-TW / zh-Hant write Traditional Chinese: not Simplified, so no partial match for them.
    if (/^zh-(hant|tw|hk|mo)\b/.test(wanted)) continue;
    const base = wanted.split('-')[0] ?? '';
    const partial = available.find((code) => code.toLowerCase().split('-')[0] === base);
    if (partial) return partial;
  }
  return DEFAULT_LOCALE;
}

/** The language chosen in this browser, if any (private browsing may refuse storage). */
export function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Remember (or, with null, forget) the language chosen in this browser. */
export function storeLanguage(code: string | null): void {
  try {
    if (code) localStorage.setItem(LANGUAGE_STORAGE_KEY, code);
    else localStorage.removeItem(LANGUAGE_STORAGE_KEY);
  } catch {
    // Not stored: the choice lasts for this page only.
  }
}

/**
 * Switch language: chooses from the account's preference, then this browser's stored choice,
 * then the browser's languages, then English.
 */
export function setLocale(preferred?: string | null): string {
  const next = negotiateLocale([
    preferred,
    storedLanguage(),
    ...(navigator.languages ?? []),
    navigator.language,
  ]);
  current = next;
  void i18n.changeLanguage(next);
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

/** Whether the message gives `name` a type (`{name, plural, …}`), so it needs the raw value. */
function typedArgument(message: string, name: string): boolean {
  return new RegExp(`\\{\\s*${name}\\s*,`).test(message);
}

/** Translate `key`, filling `{placeholders}` from `params` (plurals and selects by ICU rules). */
export function t(key: MessageKey, params?: Params): string {
  if (!params) return i18n.t(key);
  const message = String(i18n.getResource(current, 'translation', key) || en[key]);
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    // A plain `{n}` is written the reader's way (1,234.5 / 1 234,5); plural, select and number
    // arguments keep the number for ICU to choose and format.
    values[name] =
      typeof value === 'number' && !typedArgument(message, name)
        ? value.toLocaleString(current)
        : value;
  }
  return i18n.t(key, values);
}
