/**
 * Breathing and biofeedback (`/api/wellbeing/breathing/...`): sessions with stress before and
 * after, the resonance finder, and the live stream of the patient's own beats (RR intervals a
 * wearable sends through the monitoring ingest) with RMSSD computed by the server.
 */
import { liveStream } from './live';
import { api, apiUrl, type Schema, type Sent } from './typed';

export type BreathingSession = Sent<Schema<'BreathingSessionOut'>>;
export type BreathingMode = Schema<'BreathingSessionIn'>['mode'];

/** One update of the live stream: the window's RMSSD (ms) and heart rate, the new beats. */
export interface HrvUpdate {
  rmssd: number | null;
  heart_rate: number | null;
  beats: number;
  window_seconds: number;
  rr_ms: number[];
  rr_at: number[];
  at: string | null;
}

export function startSession(
  mode: NonNullable<BreathingMode>,
  rate: number,
  stressBefore: number,
  setting: 'page' | 'garden' = 'page',
): Promise<BreathingSession> {
  return api.post('/api/wellbeing/breathing/sessions', {
    body: { mode, rate, stress_before: stressBefore, setting },
  });
}

export function chooseResonance(
  id: string,
  trials: { rate: number; rr_ms: number[] }[],
): Promise<BreathingSession> {
  return api.post('/api/wellbeing/breathing/sessions/{session_id}/resonance', {
    path: { session_id: id },
    body: { trials },
  });
}

export function finishSession(id: string, stressAfter: number, rrMs: number[]): Promise<BreathingSession> {
  return api.post('/api/wellbeing/breathing/sessions/{session_id}/finish', {
    path: { session_id: id },
    body: { stress_after: stressAfter, rr_ms: rrMs },
  });
}

export async function mySessions(): Promise<BreathingSession[]> {
  return (await api.get('/api/wellbeing/breathing/sessions')).sessions;
}

// ---- the live beat stream (Server-Sent Events) ---------------------------------------------

export interface BeatStreamListener {
  update: (update: HrvUpdate) => void;
  /** The stream (re)connected. */
  connected?: () => void;
}

const STREAM_PATH = apiUrl('/api/wellbeing/breathing/stream');

/**
 * Listen to the signed-in patient's beats while the breathing page is open. A refused connection
 * (an expired access cookie answers 401) is closed for good by the browser: the session is
 * refreshed and a new one opened, waiting longer each time. Answers the way to stop.
 */
export function subscribeBeats(listener: BeatStreamListener): () => void {
  return liveStream<HrvUpdate>({
    url: STREAM_PATH,
    event: 'hrv',
    onData: (update) => listener.update(update),
    onOpen: () => listener.connected?.(),
    maxDelayMs: 30_000,
  });
}
