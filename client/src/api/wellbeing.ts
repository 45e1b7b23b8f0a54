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

export type Schedule = Sent<Schema<'ScheduleOut'>>;

/** The questionnaires the patient's clinicians asked them to answer regularly, soonest due first. */
export async function mySchedules(): Promise<Schedule[]> {
  return (await api.get('/api/wellbeing/me/schedules')).schedules;
}

export async function patientSchedules(patientId: string): Promise<Schedule[]> {
  const body = await api.get('/api/wellbeing/patients/{patient_id}/schedules', {
    path: { patient_id: patientId },
  });
  return body.schedules;
}

/** Ask a patient to answer `instrument` every `everyDays` days (their clinicians). */
export function assignSchedule(patientId: string, instrument: InstrumentCode, everyDays: number): Promise<Schedule> {
  return api.post('/api/wellbeing/patients/{patient_id}/schedules', {
    path: { patient_id: patientId },
    body: { instrument, every_days: everyDays },
  });
}

export async function endSchedule(scheduleId: string): Promise<void> {
  await api.delete('/api/wellbeing/schedules/{schedule_id}', { path: { schedule_id: scheduleId } });
}
