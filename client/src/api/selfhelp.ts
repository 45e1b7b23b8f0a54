/**
 * Self-help (`/api/wellbeing/self-help/...`): psychoeducation modules and progress, thought
 * records, the behavioural activation planner, and the clinician's summary (docs/wellbeing.md).
 * Thought records and activity notes are screened for crisis language: a positive screen comes
 * back with the site's crisis resources in `crisis`.
 */
import { api, type Schema, type Sent } from './typed';

export type ModuleProgress = Sent<Schema<'ModuleProgressOut'>>;
export type SelfHelpModule = Sent<Schema<'ModuleOut'>>;
export type ThoughtRecord = Sent<Schema<'ThoughtRecordOut'>>;
export type ThoughtRecordInput = Schema<'ThoughtRecordIn'>;
export type Activity = Sent<Schema<'ActivityOut'>>;
export type ActivityUpdate = Schema<'ActivityUpdateIn'>;
export type Week = Sent<Schema<'WeekOut'>>;
export type SelfHelpSummary = Sent<Schema<'SelfHelpSummaryOut'>>;

export async function modules(): Promise<{ modules: ModuleProgress[]; thinking_traps: string[] }> {
  return api.get('/api/wellbeing/self-help/modules');
}

/** Every module's code, title and summary (anyone signed in). */
export async function catalogue(): Promise<{ module: string; title: string }[]> {
  return (await api.get('/api/wellbeing/self-help/catalogue')).modules;
}

export function readModule(code: string): Promise<SelfHelpModule> {
  return api.get('/api/wellbeing/self-help/modules/{code}', { path: { code } });
}

export function markRead(code: string, section: string): Promise<ModuleProgress> {
  return api.post('/api/wellbeing/self-help/modules/{code}/read', { path: { code }, body: { section } });
}

export function writeThoughtRecord(record: ThoughtRecordInput): Promise<ThoughtRecord> {
  return api.post('/api/wellbeing/self-help/thought-records', { body: record });
}

export async function thoughtRecords(): Promise<ThoughtRecord[]> {
  return (await api.get('/api/wellbeing/self-help/thought-records')).records;
}

export function shareRecord(recordId: string, shared: boolean): Promise<ThoughtRecord> {
  return api.put('/api/wellbeing/self-help/thought-records/{record_id}/shared', {
    path: { record_id: recordId },
    body: { shared },
  });
}

export function planActivity(body: Schema<'ActivityIn'>): Promise<Activity> {
  return api.post('/api/wellbeing/self-help/activities', { body });
}

export function updateActivity(activityId: string, body: ActivityUpdate): Promise<Activity> {
  return api.patch('/api/wellbeing/self-help/activities/{activity_id}', {
    path: { activity_id: activityId },
    body,
  });
}

export function week(start: string): Promise<Week> {
  return api.get('/api/wellbeing/self-help/activities', { query: { start } });
}

/** A patient's self-help at a glance (their clinicians; a caregiver with `wellbeing:read`). */
export function patientSummary(patientId: string): Promise<SelfHelpSummary> {
  return api.get('/api/wellbeing/self-help/patients/{patient_id}/summary', {
    path: { patient_id: patientId },
  });
}

export function recommend(patientId: string, module: string): Promise<ModuleProgress> {
  return api.post('/api/wellbeing/self-help/patients/{patient_id}/recommendations', {
    path: { patient_id: patientId },
    body: { module },
  });
}

/** The thought records a patient shared with their therapists (clinicians only). */
export async function sharedRecords(patientId: string): Promise<ThoughtRecord[]> {
  const body = await api.get('/api/wellbeing/self-help/patients/{patient_id}/thought-records', {
    path: { patient_id: patientId },
  });
  return body.records;
}
