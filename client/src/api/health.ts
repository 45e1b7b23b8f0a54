/**
 * The patient's health record (`/api/care/patients/{patient_id}/health`, docs/health-record.md)
 * and readings the patient types in, sent through monitoring's ingest
 * (`POST /api/monitoring/readings` as Open mHealth data points, docs/monitoring.md).
 */
import { api, type Schema, type Sent } from './typed';

export type HealthRecord = Sent<Schema<'HealthRecordOut'>>;
export type Condition = Sent<Schema<'ConditionOut'>>;
export type Medication = Sent<Schema<'MedicationOut'>>;
export type Allergy = Sent<Schema<'AllergyOut'>>;
export type CarePlan = Sent<Schema<'CarePlanOut'>>;
export type Goal = Sent<Schema<'GoalOut'>>;
export type ReadingsAnswer = Sent<Schema<'BatchOut'>>;

export function healthRecord(patientId: string): Promise<HealthRecord> {
  return api.get('/api/care/patients/{patient_id}/health', { path: { patient_id: patientId } });
}

/** One Open mHealth data point: its schema name and body (the time is added when sent). */
export interface DataPoint {
  readonly id: string;
  readonly schema: string;
  readonly body: Record<string, unknown>;
}

/** Send one reading the patient typed in; the answer says stored, duplicate or rejected (why). */
export function sendReading(patientId: string, point: DataPoint, at: Date): Promise<ReadingsAnswer> {
  return api.post('/api/monitoring/readings', {
    body: {
      patient_id: patientId,
      data_points: [
        {
          header: { id: point.id, schema_id: { namespace: 'omh', name: point.schema, version: '1.0' } },
          body: { ...point.body, effective_time_frame: { date_time: at.toISOString() } },
        },
      ],
    },
  });
}
