/**
 * Remote monitoring (`/api/monitoring/...`): the clinician's panel, NEWS2, vitals, care-plan
 * rules ("targets" for the patient), alerts and their live stream, and devices with pairing.
 */
import { mayHaveSession, refreshSession, request } from './http';

const BASE = '/api/monitoring';

function patientPath(patientId: string, rest: string): string {
  return `${BASE}/patients/${encodeURIComponent(patientId)}/${rest}`;
}

// ---- NEWS2 and readings -------------------------------------------------------------------

export type RiskBand = 'low' | 'low-medium' | 'medium' | 'high';
export type Severity = 'low' | 'medium' | 'high';

/** The National Early Warning Score 2 from each parameter's latest reading. */
export interface News2 {
  total: number | null;
  risk: RiskBand | null;
  /** Some parameters had no recent value: the score is of the others. */
  partial: boolean;
  /** The parameters with no recent value (`temperature`, `consciousness`, …). */
  missing: string[];
  at: string | null;
  /** Points per parameter. */
  scores: Record<string, number>;
  /** The SpO2 scale used (1, or 2 for hypercapnic respiratory failure), when the server says. */
  spo2_scale?: number;
}

export interface LatestValue {
  value: number;
  unit: string;
  /** ISO 8601, UTC. */
  at: string;
  label?: string;
}

/** Newest reading per LOINC code. */
export async function latestReadings(patientId: string): Promise<Record<string, LatestValue>> {
  const body = await request<{ readings: Record<string, LatestValue> }>(
    'GET',
    patientPath(patientId, 'readings/latest'),
  );
  return body.readings ?? {};
}

export function news2(patientId: string): Promise<News2> {
  return request<News2>('GET', patientPath(patientId, 'news2'));
}

export interface VitalsBucket {
  t: string;
  min: number;
  max: number;
  mean: number;
  n: number;
}

export interface VitalsSeries {
  code: string;
  label: string;
  unit: string;
  points: VitalsBucket[];
}

/** One code's readings between `start` and `end`, as min/max/mean per time bucket. */
export function vitals(
  patientId: string,
  code: string,
  start: Date,
  end: Date,
  buckets = 200,
): Promise<VitalsSeries> {
  const query = new URLSearchParams({
    code,
    start: start.toISOString(),
    end: end.toISOString(),
    buckets: String(buckets),
  });
  return request<VitalsSeries>('GET', `${patientPath(patientId, 'vitals')}?${query}`);
}

// ---- the clinician's panel ----------------------------------------------------------------

export interface PanelPatient {
  patient_id: string;
  name: string;
  news2: News2;
  latest: Record<string, LatestValue>;
  /** Last 24 hours per code: `[epoch seconds, value]`. */
  sparklines: Record<string, [number, number][]>;
  open_alerts: Alert[];
}

/** The clinician's patients, most at risk first. */
export async function panel(): Promise<PanelPatient[]> {
  const body = await request<{ patients: PanelPatient[] }>('GET', `${BASE}/panel`);
  return body.patients ?? [];
}

// ---- alerts -------------------------------------------------------------------------------

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  id: string;
  patient_id: string;
  patient_name: string;
  source: 'news2' | 'rule';
  rule_id?: string | null;
  severity: Severity;
  status: AlertStatus;
  /** Short, e.g. "NEWS2 7 — high risk". */
  title: string;
  /** Which values fired it, in a sentence. */
  why: string;
  opened_at: string;
  updated_at: string;
  acknowledged_at?: string | null;
  acknowledged_by?: string | null;
  escalated_to?: string | null;
  escalated_at?: string | null;
  /** How many times the condition fired again while the alert was open. */
  count: number;
  /** On the live stream: what just happened (`opened`, `updated`, `escalated`, …). */
  change?: string | null;
}

export async function alerts(status?: AlertStatus): Promise<Alert[]> {
  const query = status ? `?status=${status}` : '';
  const body = await request<{ alerts: Alert[] }>('GET', `${BASE}/alerts${query}`);
  return body.alerts ?? [];
}

export function acknowledgeAlert(id: string): Promise<Alert> {
  return request<Alert>('POST', `${BASE}/alerts/${encodeURIComponent(id)}/acknowledge`);
}

export function resolveAlert(id: string): Promise<Alert> {
  return request<Alert>('POST', `${BASE}/alerts/${encodeURIComponent(id)}/resolve`);
}

// ---- the live alert stream (Server-Sent Events) ------------------------------------------

export interface AlertStreamListener {
  /** An alert opened, changed, escalated, was acknowledged or resolved. */
  alert?: (alert: Alert) => void;
  /** The stream (re)connected: anything missed while it was down should be loaded again. */
  connected?: () => void;
}

const STREAM_PATH = `${BASE}/alerts/stream`;
const streamListeners = new Set<AlertStreamListener>();
let source: EventSource | null = null;
let reconnectTimer: number | null = null;
let retryDelay = 1000;

function openStream(): void {
  if (source || streamListeners.size === 0 || !mayHaveSession()) return;
  const stream = new EventSource(STREAM_PATH, { withCredentials: true });
  source = stream;
  stream.addEventListener('open', () => {
    retryDelay = 1000;
    for (const listener of [...streamListeners]) listener.connected?.();
  });
  stream.addEventListener('alert', (event) => {
    let alert: Alert;
    try {
      alert = JSON.parse((event as MessageEvent<string>).data) as Alert;
    } catch {
      return;
    }
    for (const listener of [...streamListeners]) listener.alert?.(alert);
  });
  stream.addEventListener('error', () => {
    // The browser retries by itself while the connection is merely interrupted; a refused
    // connection (an expired access cookie answers 401) is closed for good: refresh the
    // session and open a new one, waiting longer each time.
    if (stream.readyState !== EventSource.CLOSED) return;
    closeStream();
    reconnectTimer = window.setTimeout(async () => {
      reconnectTimer = null;
      await refreshSession();
      openStream();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30_000);
  });
}

function closeStream(): void {
  source?.close();
  source = null;
}

/**
 * Listen to the signed-in clinician's alerts as they happen. All listeners on a page share one
 * connection, opened with the first and closed with the last. Answers the way to stop.
 */
export function subscribeAlerts(listener: AlertStreamListener): () => void {
  streamListeners.add(listener);
  if (source?.readyState === EventSource.OPEN) listener.connected?.();
  openStream();
  return () => {
    streamListeners.delete(listener);
    if (streamListeners.size > 0) return;
    closeStream();
    if (reconnectTimer !== null) window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
  };
}

// ---- care-plan rules ----------------------------------------------------------------------

export type Comparison = '<' | '<=' | '>' | '>=';

export type RuleBody =
  | {
      kind: 'threshold';
      code: string;
      op: Comparison;
      value: number;
      severity: Severity;
      label?: string;
    }
  | {
      kind: 'sustained';
      code: string;
      op: Comparison;
      value: number;
      minutes: number;
      severity: Severity;
      label?: string;
    }
  | {
      kind: 'trend';
      code: string;
      change: number;
      days: number;
      severity: Severity;
      label?: string;
    }
  | { kind: 'no_data'; hours: number; code?: string | null; severity: Severity; label?: string };

export type Rule = RuleBody & { id: string; created_at: string; created_by?: string | null };

/** A patient's care-plan rules (for the patient or a caregiver: their targets). */
export async function rules(patientId: string): Promise<Rule[]> {
  const body = await request<Rule[] | { rules: Rule[] }>('GET', patientPath(patientId, 'rules'));
  return Array.isArray(body) ? body : (body?.rules ?? []);
}

export function addRule(patientId: string, rule: RuleBody): Promise<Rule> {
  return request<Rule>('POST', patientPath(patientId, 'rules'), rule);
}

export function deleteRule(id: string): Promise<void> {
  return request<void>('DELETE', `${BASE}/rules/${encodeURIComponent(id)}`);
}

// ---- clinician-observed NEWS2 inputs -----------------------------------------------------

export type Consciousness = 'A' | 'C' | 'V' | 'P' | 'U';

export function setSpo2Scale(patientId: string, scale: 1 | 2): Promise<unknown> {
  return request<unknown>('PUT', patientPath(patientId, 'news2-settings'), { spo2_scale: scale });
}

export function recordObservation(
  patientId: string,
  observation: { consciousness: Consciousness; on_oxygen?: boolean },
): Promise<unknown> {
  return request<unknown>('POST', patientPath(patientId, 'observations'), observation);
}

// ---- devices ------------------------------------------------------------------------------

export const DEVICE_KINDS = [
  'wearable',
  'pulse_oximeter',
  'bp_cuff',
  'thermometer',
  'scale',
  'glucometer',
  'other',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface Device {
  id: string;
  patient_id: string;
  kind: DeviceKind | string;
  label: string;
  /** `pending` until paired, then `active`; `revoked` once removed. */
  status: string;
  created_at: string;
  last_seen_at?: string | null;
}

export interface PairingCode {
  code: string;
  expires_at: string;
}

export async function devices(patientId: string): Promise<Device[]> {
  const body = await request<Device[] | { devices: Device[] }>(
    'GET',
    patientPath(patientId, 'devices'),
  );
  return Array.isArray(body) ? body : (body?.devices ?? []);
}

export function addDevice(patientId: string, kind: DeviceKind, label: string): Promise<Device> {
  return request<Device>('POST', `${BASE}/devices`, { patient_id: patientId, kind, label });
}

/** A short-lived code to type into the device, which exchanges it for its own credential. */
export function pairingCode(deviceId: string): Promise<PairingCode> {
  return request<PairingCode>(
    'POST',
    `${BASE}/devices/${encodeURIComponent(deviceId)}/pairing-code`,
  );
}

export function removeDevice(deviceId: string): Promise<void> {
  return request<void>('DELETE', `${BASE}/devices/${encodeURIComponent(deviceId)}`);
}
