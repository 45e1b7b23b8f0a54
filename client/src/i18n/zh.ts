/**
 * Stub: the translators' catalogue replaces this file at merge (every key of en, ICU messages).
 * Until then every key falls back to English.
 */
const messages: Record<string, string> = {};
export default messages;
