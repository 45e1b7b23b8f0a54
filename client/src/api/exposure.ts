/**
 * Exposure therapy (`/api/wellbeing/exposure/...`): fear hierarchies, exposure sessions, SUDS,
 * commands, the simulator sickness questionnaire, and the live stream of a patient's session
 * changes (docs/wellbeing.md, "Exposure therapy"). The stream says which session changed and
 * how, never a rating: listeners read the session over HTTP.
 */
import { liveStream } from './live';
import { api, apiUrl, type Schema, type Sent } from './typed';

export type Hierarchy = Sent<Schema<'HierarchyOut'>>;
export type HierarchyBody = Schema<'HierarchyIn'>;
export type Step = Schema<'StepIn'>;
export type Scene = Step['scene'];
export type ExposureSession = Sent<Schema<'ExposureSessionOut'>>;
export type SceneParameters = ExposureSession['scene'];
export type SudsPhase = Schema<'SudsIn'>['phase'];
export type Command = Schema<'ControlIn'>['action'];

const BASE = '/api/wellbeing/exposure';

export async function myHierarchies(): Promise<Hierarchy[]> {
  return (await api.get(`${BASE}/me/hierarchies`)).hierarchies;
}

export async function patientHierarchies(patientId: string): Promise<Hierarchy[]> {
  const body = await api.get(`${BASE}/patients/{patient_id}/hierarchies`, {
    path: { patient_id: patientId },
  });
  return body.hierarchies;
}

export function createHierarchy(patientId: string, body: HierarchyBody): Promise<Hierarchy> {
  return api.post(`${BASE}/patients/{patient_id}/hierarchies`, {
    path: { patient_id: patientId },
    body,
  });
}

export function updateHierarchy(hierarchyId: string, body: HierarchyBody): Promise<Hierarchy> {
  return api.put(`${BASE}/hierarchies/{hierarchy_id}`, { path: { hierarchy_id: hierarchyId }, body });
}

export async function mySessions(): Promise<ExposureSession[]> {
  return (await api.get(`${BASE}/me/sessions`)).sessions;
}

export async function patientSessions(patientId: string): Promise<ExposureSession[]> {
  const body = await api.get(`${BASE}/patients/{patient_id}/sessions`, {
    path: { patient_id: patientId },
  });
  return body.sessions;
}

export function getSession(sessionId: string): Promise<ExposureSession> {
  return api.get(`${BASE}/sessions/{session_id}`, { path: { session_id: sessionId } });
}

export function startSession(hierarchyId: string, step: number, intensity = 50): Promise<ExposureSession> {
  return api.post(`${BASE}/sessions`, { body: { hierarchy_id: hierarchyId, step, intensity } });
}

export function rateSuds(sessionId: string, phase: SudsPhase, value: number): Promise<ExposureSession> {
  return api.post(`${BASE}/sessions/{session_id}/suds`, {
    path: { session_id: sessionId },
    body: { phase, value },
  });
}

export function command(sessionId: string, action: Command, value?: number): Promise<ExposureSession> {
  return api.post(`${BASE}/sessions/{session_id}/control`, {
    path: { session_id: sessionId },
    body: { action, value: value ?? null },
  });
}

export function answerSsq(sessionId: string, answers: number[]): Promise<ExposureSession> {
  return api.post(`${BASE}/sessions/{session_id}/ssq`, {
    path: { session_id: sessionId },
    body: { answers },
  });
}

export interface ExposureChange {
  readonly session_id: string;
  readonly kind: string;
}

/**
 * Listen to the changes of a patient's exposure sessions (the patient's own page, their
 * therapist's). One EventSource per call; a refused stream (expired access cookie) refreshes
 * the session and reconnects, waiting longer each time. Answers the way to stop.
 */
export function watchExposure(
  patientId: string,
  onChange: (change: ExposureChange) => void,
  onOpen?: () => void,
): () => void {
  return liveStream<ExposureChange>({
    url: apiUrl(`${BASE}/patients/{patient_id}/stream`, { path: { patient_id: patientId } }),
    event: 'exposure',
    onData: onChange,
    onOpen: () => onOpen?.(),
    maxDelayMs: 30_000,
  });
}
