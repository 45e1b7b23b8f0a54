/** English messages of chat translation and interpreters (spread into en.ts). */
const translation = {
  'translation.translate': 'Translate',
  'translation.working': 'Translating…',
  'translation.machine': 'Machine translation, may be wrong:',
  'translation.none': 'No translation is available for this text.',
  'translation.failed': 'The translation could not be fetched. Try again.',
  'care.interpreter.offer': 'Book an interpreter for {language}',
  'care.interpreter.hint':
    'This clinician does not speak your language. An interpreter will be invited into your consult room.',
  'care.interpreter.noneFree':
    'No {language} interpreter is free at this time. Choose another time, or book without an interpreter.',
} as const;

export default translation;
