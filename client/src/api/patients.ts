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
