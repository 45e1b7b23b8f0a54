/** Machine translation of a chat line or message for the reader (`POST /api/translate`). */
import { api, type Schema, type Sent } from './typed';

export type Translation = Sent<Schema<'TranslationOut'>>;

/** `text` in `target` (default: the account's language); null when no translator applies. */
export async function translate(text: string, target?: string): Promise<Translation | null> {
  return (await api.post('/api/translate', { body: { text, target: target ?? null } })).translation ?? null;
}
