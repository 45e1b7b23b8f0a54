/**
 * Wellbeing (`/api/wellbeing/...`): the questionnaires, answering one, and results over time.
 * A crisis answer comes back with the site's crisis resources in `crisis` (docs/wellbeing.md).
 */
import { api, type Schema, type Sent } from './typed';

export type Instrument = Sent<Schema<'InstrumentOut'>>;
export type InstrumentCode = Instrument['code'];
export type WellbeingResult = Sent<Schema<'WellbeingResultOut'>>;
export type CrisisPath = Sent<Schema<'CrisisPathOut'>>;
/** Item scores in item order (`null` unanswered), or the C-SSRS screener's yes/no answers. */
export type Answers = (number | null)[] | Record<string, boolean | null>;

export async function instruments(): Promise<Instrument[]> {
  return (await api.get('/api/wellbeing/instruments')).instruments;
}

export function submitAnswers(instrument: InstrumentCode, answers: Answers): Promise<WellbeingResult> {
  return api.post('/api/wellbeing/responses', { body: { instrument, answers } });
}

export async function myResults(): Promise<WellbeingResult[]> {
  return (await api.get('/api/wellbeing/me/results')).results;
}

/** A patient's results over time (their clinicians; a caregiver with `wellbeing:read`). */
export async function patientResults(patientId: string): Promise<WellbeingResult[]> {
  const body = await api.get('/api/wellbeing/patients/{patient_id}/results', {
    path: { patient_id: patientId },
  });
  return body.results;
}
