/** Care programmes (`/api/care/programmes`, `/api/me/programmes`): docs/care.md. */
import { api, type Schema, type Sent } from './typed';

export type Programme = Sent<Schema<'ProgrammeOut'>>;
export type ProgrammeMember = Sent<Schema<'ProgrammeMemberOut'>>;
export type MyProgramme = Sent<Schema<'MyProgrammeOut'>>;

/** Every programme (clinicians and admins). */
export function programmes(): Promise<Programme[]> {
  return api.get('/api/care/programmes');
}

/** One programme; its leads get the members they may see. */
export function programme(id: string): Promise<Programme> {
  return api.get('/api/care/programmes/{programme_id}', { path: { programme_id: id } });
}

export function createProgramme(name: string, description: string): Promise<Programme> {
  return api.post('/api/care/programmes', { body: { name, description, lead_ids: [] } });
}

/** Enrol a patient the calling clinician cares for. */
export function enrol(programmeId: string, patientId: string): Promise<ProgrammeMember> {
  return api.post('/api/care/programmes/{programme_id}/enrolments', {
    path: { programme_id: programmeId },
    body: { patient_id: patientId },
  });
}

/** End a patient's enrolment. */
export function endEnrolment(programmeId: string, patientId: string): Promise<void> {
  return api.delete('/api/care/programmes/{programme_id}/enrolments/{patient_id}', {
    path: { programme_id: programmeId, patient_id: patientId },
  });
}

/** The calling patient's programmes, current and past. */
export function myProgrammes(): Promise<MyProgramme[]> {
  return api.get('/api/me/programmes');
}
