/**
 * Remote monitoring (`/api/monitoring/...`): the clinician's panel, NEWS2, vitals, care-plan
 * rules ("targets" for the patient), alerts and their live stream, and devices with pairing.
 */
import { mayHaveSession, refreshSession, sessionGeneration } from './http';
import { api, apiUrl, type Schema, type Sent } from './typed';

// ---- NEWS2 and readings -------------------------------------------------------------------

export type RiskBand = NonNullable<Schema<'News2Out'>['risk']>;
export type Severity = Schema<'AlertOut'>['severity'];

/**
 * The National Early Warning Score 2 from each parameter's latest reading: `partial` when some
 * parameters (listed in `missing`) had no recent value, points per parameter in `scores`, and the
 * SpO2 scale used (1, or 2 for hypercapnic respiratory failure).
 */
export type News2 = Sent<Schema<'News2Out'>>;

/**
 * A parameter's newest value. The server has two models of this name (the readings endpoint's,
 * with a `label`, and the panel's, without), which the schema tells apart by module path.
 */
export type LatestValue = Schema<'PanelLatestValue'> &
  Partial<Pick<Schema<'LatestValue'>, 'label'>>;

/** Newest reading per LOINC code. */
export async function latestReadings(patientId: string): Promise<Record<string, LatestValue>> {
  const body = await api.get('/api/monitoring/patients/{patient_id}/readings/latest', {
    path: { patient_id: patientId },
  });
  return body.readings;
}

export function news2(patientId: string): Promise<News2> {
  return api.get('/api/monitoring/patients/{patient_id}/news2', { path: { patient_id: patientId } });
}

export type VitalsBucket = Sent<Schema<'VitalsPoint'>>;

export type VitalsSeries = Sent<Schema<'VitalsOut'>>;

/** One code's readings between `start` and `end`, as min/max/mean per time bucket. */
export function vitals(
  patientId: string,
  code: string,
  start: Date,
  end: Date,
  buckets = 200,
): Promise<VitalsSeries> {
  return api.get('/api/monitoring/patients/{patient_id}/vitals', {
    path: { patient_id: patientId },
    query: { code, start: start.toISOString(), end: end.toISOString(), buckets },
  });
}

// ---- the clinician's panel ----------------------------------------------------------------

/** A patient on the panel: NEWS2, latest values, 24 h sparklines (`[epoch s, value]`), alerts. */
export type PanelPatient = Sent<Schema<'PanelPatient'>>;

/** The clinician's patients, most at risk first. */
export async function panel(): Promise<PanelPatient[]> {
  const body = await api.get('/api/monitoring/panel');
  return body.patients;
}

// ---- alerts -------------------------------------------------------------------------------

export type AlertStatus = Schema<'AlertOut'>['status'];

/**
 * An alert: `title` is short ("NEWS2 7 — high risk"), `why` says which values fired it (and,
 * for NEWS2, when they were measured), `count` how often the condition fired while it was live
 * and `updated_at` when it last changed. On the live stream it also carries `change`: what just
 * happened (`opened`, `updated`, `raised` or `reopened` when its severity rose, `escalated`, …)
 * and, on a rise, `previous_severity`; the stream is not part of the OpenAPI schema, so those
 * fields are declared here.
 */
export type Alert = Sent<Schema<'AlertOut'>> & {
  change?: string | null;
  previous_severity?: Severity | null;
};

export async function alerts(status?: AlertStatus): Promise<Alert[]> {
  const body = await api.get('/api/monitoring/alerts', { query: { status } });
  return body.alerts;
}

export function acknowledgeAlert(id: string): Promise<Alert> {
  return api.post('/api/monitoring/alerts/{alert_id}/acknowledge', { path: { alert_id: id } });
}

export function resolveAlert(id: string): Promise<Alert> {
  return api.post('/api/monitoring/alerts/{alert_id}/resolve', { path: { alert_id: id } });
}

// ---- the live alert stream (Server-Sent Events) ------------------------------------------

export interface AlertStreamListener {
  /** An alert opened, changed, escalated, was acknowledged or resolved. */
  alert?: (alert: Alert) => void;
  /** The stream (re)connected: anything missed while it was down should be loaded again. */
  connected?: () => void;
}

const STREAM_PATH = apiUrl('/api/monitoring/alerts/stream');
const streamListeners = new Set<AlertStreamListener>();
let source: EventSource | null = null;
let reconnectTimer: number | null = null;
let retryDelay = 1000;

function openStream(): void {
  if (source || streamListeners.size === 0 || !mayHaveSession()) return;
  const seen = sessionGeneration();
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
      await refreshSession(seen);
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

export type Comparison = Schema<'ThresholdRuleIn'>['op'];

/** A new care-plan rule, one shape per kind. */
export type RuleBody =
  | Schema<'ThresholdRuleIn'>
  | Schema<'SustainedRuleIn'>
  | Schema<'TrendRuleIn'>
  | Schema<'NoDataRuleIn'>;

/**
 * A stored rule. The server answers every kind in one flat model (`RuleOut`: `kind` a string, the
 * other kinds' fields null); the pages need the shape of its kind, so it is typed as the rule it
 * was created from plus what the server adds.
 */
export type Rule = RuleBody &
  Pick<Sent<Schema<'RuleOut'>>, 'id' | 'patient_id' | 'title' | 'created_at' | 'created_by'>;

/** Stored rules as the kind-by-kind union (see Rule). */
function asRule(rule: Sent<Schema<'RuleOut'>>): Rule {
  return rule as unknown as Rule;
}

/** A patient's care-plan rules (for the patient or a caregiver: their targets). */
export async function rules(patientId: string): Promise<Rule[]> {
  const body = await api.get('/api/monitoring/patients/{patient_id}/rules', {
    path: { patient_id: patientId },
  });
  return body.rules.map(asRule);
}

export async function addRule(patientId: string, rule: RuleBody): Promise<Rule> {
  const stored = await api.post('/api/monitoring/patients/{patient_id}/rules', {
    path: { patient_id: patientId },
    body: rule,
  });
  return asRule(stored);
}

export async function deleteRule(id: string): Promise<void> {
  await api.delete('/api/monitoring/rules/{rule_id}', { path: { rule_id: id } });
}

// ---- clinician-observed NEWS2 inputs -----------------------------------------------------

export type Consciousness = NonNullable<Schema<'ObservationIn'>['consciousness']>;

export function setSpo2Scale(
  patientId: string,
  scale: Schema<'News2SettingsIn'>['spo2_scale'],
): Promise<Sent<Schema<'News2SettingsOut'>>> {
  return api.put('/api/monitoring/patients/{patient_id}/news2-settings', {
    path: { patient_id: patientId },
    body: { spo2_scale: scale },
  });
}

export function recordObservation(
  patientId: string,
  observation: Schema<'ObservationIn'>,
): Promise<Sent<Schema<'ObservationOut'>>> {
  return api.post('/api/monitoring/patients/{patient_id}/observations', {
    path: { patient_id: patientId },
    body: observation,
  });
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

/**
 * A patient's device: `pending` until paired, then `active`; `revoked` once removed.
 * `last_seen_at` is not sent by the server (its `DeviceOut` has none); it stays declared, always
 * absent, because pages/monitoring/devices.ts reads it.
 */
export type Device = Sent<Schema<'DeviceOut'>> & { last_seen_at?: string | null };

export type PairingCode = Sent<Schema<'PairingCodeOut'>>;

export function devices(patientId: string): Promise<Device[]> {
  return api.get('/api/monitoring/patients/{patient_id}/devices', {
    path: { patient_id: patientId },
  });
}

export function addDevice(patientId: string, kind: DeviceKind, label: string): Promise<Device> {
  return api.post('/api/monitoring/devices', { body: { patient_id: patientId, kind, label } });
}

/** A short-lived code to type into the device, which exchanges it for its own credential. */
export function pairingCode(deviceId: string): Promise<PairingCode> {
  return api.post('/api/monitoring/devices/{device_id}/pairing-code', {
    path: { device_id: deviceId },
  });
}

export function removeDevice(deviceId: string): Promise<void> {
  return api.delete('/api/monitoring/devices/{device_id}', { path: { device_id: deviceId } });
}

// DEVICE_KINDS lists exactly the server's kinds: one added or removed there fails the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const deviceKindsMatchServer: Same<DeviceKind, Schema<'DeviceIn'>['kind']> = true;
void deviceKindsMatchServer;
