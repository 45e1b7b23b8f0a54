/** The booking screen's interpreter offer (`GET /api/care/interpreter-offer`). */
import { api, type Schema, type Sent } from './typed';

export type InterpreterOffer = Sent<Schema<'OfferOut'>>;

/** Whether booking this clinician at this time needs an interpreter, and if one is free. */
export function interpreterOffer(
  clinicianId: string,
  start: string,
  end: string,
  patientId?: string,
): Promise<InterpreterOffer> {
  return api.get('/api/care/interpreter-offer', {
    query: { clinician_id: clinicianId, start, end, ...(patientId ? { patient_id: patientId } : {}) },
  });
}
