/** Patient records (`/api/patients`): the people a clinician cares for. */
import { api, type Schema, type Sent } from './typed';

export type Patient = Sent<Schema<'PatientOut'>>;

/** One patient's record (404 unless the caller may see it). */
export function patient(id: string): Promise<Patient> {
  return api.get('/api/patients/{patient_id}', { path: { patient_id: id } });
}

/** The patients the caller may see. */
export function patients(): Promise<Patient[]> {
  return api.get('/api/patients');
}

// ---- the clinician's patient list and record summary (`/api/care/patients`) ----------------

/** A row of the clinician's list: NEWS2 (latest, with its time), open alerts, next visit. */
export type PatientRow = Sent<Schema<'PatientRowOut'>>;
export type PatientPage = Sent<Schema<'PatientPageOut'>>;
export type RecordSummary = Sent<Schema<'RecordSummaryOut'>>;
export type PatientRisk = PatientRow['risk'];
export type PatientSort = 'risk' | 'name' | 'next_visit' | 'alerts';

export interface PatientFilters {
  q?: string;
  risk?: PatientRisk[];
  has_open_alerts?: boolean;
  next_visit_within_days?: number;
  overdue_questionnaires?: boolean;
  sort?: PatientSort;
  page?: number;
  page_size?: number;
}

/** The calling clinician's patients, searched, filtered, sorted and paged by the server. */
export function patientList(filters: PatientFilters = {}): Promise<PatientPage> {
  return api.get('/api/care/patients', { query: filters });
}

/** One patient's record at a glance (404 unless the caller may see it). */
export function recordSummary(id: string): Promise<RecordSummary> {
  return api.get('/api/care/patients/{patient_id}/record-summary', { path: { patient_id: id } });
}
