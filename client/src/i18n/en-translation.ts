/** English messages of chat translation and interpreters (spread into en.ts). */
const translation = {
  'translation.translate': 'Translate',
  'translation.working': 'Translating…',
  'translation.machine': 'Machine translation, may be wrong:',
  'translation.none': 'No translation is available for this text.',
  'translation.failed': 'The translation could not be fetched. Try again.',
} as const;

export default translation;
