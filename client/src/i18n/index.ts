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
import en from './en';

export type MessageKey = keyof typeof en;
export type Message = string;
export type Catalogue = Partial<Record<MessageKey, Message>>;
export type Params = Record<string, string | number>;

type Messages = Readonly<Record<string, string>>;

interface LocaleDefinition {
  /** The language's own name for itself, shown in language pickers. */
  readonly nativeName: string;
  /**
   * English is bundled (it is every other locale's fallback); the others are fetched as their own
   * chunk the first time they are chosen, so the first load carries one catalogue, not five.
   */
  readonly load: () => Promise<{ default: Messages }>;
}

/** Locales the client ships, in the picker's order. Add a catalogue here to offer a language. */
const LOCALES: Record<string, LocaleDefinition> = {
  en: { nativeName: 'English', load: () => Promise.resolve({ default: en }) },
  es: { nativeName: 'Español', load: () => import('./es') },
  fr: { nativeName: 'Français', load: () => import('./fr') },
  ar: { nativeName: 'العربية', load: () => import('./ar') },
  'zh-Hans': { nativeName: '简体中文', load: () => import('./zh') },
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
  resources: { [DEFAULT_LOCALE]: { translation: en } },
});

let current = DEFAULT_LOCALE;
const listeners = new Set<() => void>();
/** Catalogues in the i18next instance (English from the start), and those on their way. */
const loaded = new Set<string>([DEFAULT_LOCALE]);
const loading = new Map<string, Promise<void>>();

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

/** Fetch a locale's catalogue chunk once and add it to the i18next instance. */
function loadCatalogue(code: string): Promise<void> {
  if (loaded.has(code)) return Promise.resolve();
  let pending = loading.get(code);
  if (!pending) {
    const definition = LOCALES[code];
    if (!definition) return Promise.resolve();
    pending = definition
      .load()
      .then((module) => {
        i18n.addResourceBundle(code, 'translation', module.default, true, true);
        loaded.add(code);
      })
      .finally(() => loading.delete(code));
    loading.set(code, pending);
  }
  return pending;
}

/** Make `code` the page's language: i18next, `<html lang dir>`, and a re-render of every listener. */
function apply(code: string): void {
  current = code;
  void i18n.changeLanguage(code);
  const root = document.documentElement;
  root.lang = code;
  root.dir = directionOf(code);
  for (const listener of listeners) listener();
}

let latest = DEFAULT_LOCALE;
let settled: Promise<string> = Promise.resolve(DEFAULT_LOCALE);

/**
 * Switch language: chooses from the account's preference, then this browser's stored choice,
 * then the browser's languages, then English. Returns the chosen locale at once; if its catalogue
 * is not loaded yet, the page keeps its present language until the chunk arrives, then switches
 * and re-renders (`localeReady()` resolves then). If the chunk cannot be fetched (offline), the
 * page stays as it is and the next `setLocale` tries again.
 */
export function setLocale(preferred?: string | null): string {
  const next = negotiateLocale([
    preferred,
    storedLanguage(),
    ...(navigator.languages ?? []),
    navigator.language,
  ]);
  latest = next;
  if (loaded.has(next)) {
    apply(next);
    settled = Promise.resolve(next);
    return next;
  }
  settled = loadCatalogue(next).then(
    () => {
      // A later choice wins over a slower download of an earlier one.
      if (latest === next) apply(next);
      return current;
    },
    () => current,
  );
  return next;
}

/** Resolves with the page's locale once the last `setLocale` has taken effect (or failed). */
export function localeReady(): Promise<string> {
  return settled;
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
