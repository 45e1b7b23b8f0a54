/**
 * Virtual consultations (`/api/care/...`): clinicians and free slots, booking, the waiting room,
 * the clinician's queue, encounters with their notes, and the patient's visit summary.
 * Times come as UTC ISO plus the viewer's wall clock (`local`, `label`).
 */
import { download, request, type DownloadedFile } from './http';

export type VisitType = 'new' | 'follow-up' | 'group';

export interface When {
  utc: string;
  local: string;
  label: string;
}

export interface Slot {
  start: string;
  end: string;
  start_local: string;
  label: string;
  visit_type: VisitType;
}

export interface Clinician {
  id: string;
  name: string;
  languages: string[];
  specialties: string[];
  time_zone: string;
  next_free_slot: Slot | null;
}

export interface Appointment {
  id: string;
  clinician_id: string;
  clinician_name: string;
  patient_id: string;
  patient_name: string;
  patient_language: string | null;
  visit_type: VisitType;
  start: When;
  end: When;
  time_zone: string;
  status: 'booked' | 'checked_in' | 'in_progress' | 'completed' | 'cancelled';
  reason: string | null;
  checked_in_at: string | null;
  check_in_opens: string;
  space_id: string | null;
  invitees?: { account_id: string; name: string; role: string }[];
}

export type DeviceResult = 'ok' | 'failed' | 'skipped';
export interface DeviceCheck {
  camera: DeviceResult;
  microphone: DeviceResult;
  speaker: DeviceResult;
  connection: 'ok' | 'poor' | 'failed';
}

export interface WaitState {
  appointment_id: string;
  status: Appointment['status'];
  start: string;
  clinician_name: string;
  clinician_status: 'online' | 'in_another_visit' | 'away' | 'offline';
  late_minutes: number;
  queue_position: number | null;
  queue_length: number;
  waiting_space_id: string | null;
  space_id: string | null;
  encounter_id: string | null;
  poll_seconds: number;
}

export interface QueueEntry {
  appointment_id: string;
  patient_id: string;
  patient_name: string;
  patient_language: string | null;
  visit_type: VisitType;
  start: When;
  status: Appointment['status'];
  reason: string | null;
  waiting_minutes: number | null;
  device_check: DeviceCheck | null;
  space_id: string | null;
  encounter_id: string | null;
}

export interface Problem {
  id: string;
  text: string;
  plain_text: string | null;
  system: string | null;
  code: string | null;
}

export interface Option {
  id: string;
  name: string;
  benefits: string;
  risks: string;
}

export interface Choice {
  what_matters: string | null;
  option_id: string | null;
  recorded_at: string;
}

export interface Note {
  subjective?: string;
  objective?: string;
  assessment?: string;
  plan?: string;
  follow_up?: string;
  patient_summary?: string;
}

export interface Encounter extends Required<{ [K in keyof Note]: string | null }> {
  id: string;
  appointment_id: string;
  patient_id: string;
  patient_name: string;
  patient_language: string | null;
  clinician_name: string;
  status: string;
  space_id: string | null;
  problems: Problem[];
  signed_at: string | null;
  signed_by_name: string | null;
  addenda: { id: string; text: string; author_name: string; signed_at: string }[];
  options: Option[];
  choice: Choice | null;
  editable: boolean;
}

export interface Summary {
  encounter_id: string;
  clinician_name: string;
  date: string;
  summary: string | null;
  follow_up: string | null;
  problems: string[];
  options: Option[];
  choice: Choice | null;
  signed: boolean;
}

/** The browser's own IANA time zone, so times show as the person's wall clock. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

let preferredZone: string | null = null;

/** The zone times are shown in: the person's saved preference, else the browser's own. */
export function displayZone(): string {
  return preferredZone ?? browserZone();
}

const tz = (): string => `tz=${encodeURIComponent(displayZone())}`;

/** The saved time-zone preference (null: none, times follow the browser). */
export async function preferences(): Promise<string | null> {
  const answer = await request<{ time_zone: string | null }>('GET', '/api/care/preferences');
  preferredZone = answer.time_zone;
  return preferredZone;
}

export async function setPreferences(timeZone: string): Promise<string> {
  const answer = await request<{ time_zone: string }>('PUT', '/api/care/preferences', {
    time_zone: timeZone,
  });
  preferredZone = answer.time_zone;
  return preferredZone;
}

/** IANA zones the browser knows, for a picker (the browser's own first). */
export function knownZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const all = intl.supportedValuesOf?.('timeZone') ?? [];
  const own = browserZone();
  return [own, ...all.filter((zone) => zone !== own && zone !== 'UTC'), 'UTC'].filter(
    (zone, index, list) => list.indexOf(zone) === index,
  );
}

export function clinicians(): Promise<Clinician[]> {
  return request<Clinician[]>('GET', `/api/care/clinicians?${tz()}`);
}

export async function slots(clinicianId: string, visitType: VisitType, days = 14): Promise<Slot[]> {
  const start = new Date();
  const end = new Date(start.getTime() + days * 86_400_000);
  const query = new URLSearchParams({
    start: start.toISOString(),
    end: end.toISOString(),
    visit_type: visitType,
    tz: displayZone(),
  });
  const answer = await request<{ slots: Slot[] }>(
    'GET',
    `/api/care/clinicians/${clinicianId}/slots?${query.toString()}`,
  );
  return answer.slots;
}

export function book(body: {
  clinician_id: string;
  start: string;
  visit_type: VisitType;
  reason?: string;
  patient_id?: string;
}): Promise<Appointment> {
  return request<Appointment>('POST', `/api/care/appointments?${tz()}`, body);
}

export function appointments(): Promise<Appointment[]> {
  return request<Appointment[]>('GET', `/api/care/appointments?${tz()}`);
}

export function cancel(id: string, note?: string): Promise<Appointment> {
  return request<Appointment>('POST', `/api/care/appointments/${id}/cancel?${tz()}`, note ? { note } : {});
}

export function calendarFile(id: string): Promise<DownloadedFile> {
  return download(`/api/care/appointments/${id}/calendar.ics`, 'careverse-appointment.ics');
}

export function checkIn(id: string, device_check: DeviceCheck): Promise<WaitState> {
  return request<WaitState>('POST', `/api/care/appointments/${id}/check-in`, { device_check });
}

export function waitState(id: string): Promise<WaitState> {
  return request<WaitState>('GET', `/api/care/appointments/${id}/wait`);
}

export function queue(): Promise<QueueEntry[]> {
  return request<QueueEntry[]>('GET', `/api/care/queue?${tz()}`);
}

export function admit(id: string): Promise<{ space_id: string; encounter_id: string }> {
  return request('POST', `/api/care/appointments/${id}/admit`);
}

export function encounter(id: string): Promise<Encounter> {
  return request<Encounter>('GET', `/api/care/encounters/${id}`);
}

export function writeNote(id: string, note: Note): Promise<Encounter> {
  return request<Encounter>('PUT', `/api/care/encounters/${id}/note`, note);
}

export function addProblem(
  id: string,
  body: { text: string; system?: string; code?: string; plain_text?: string },
): Promise<Problem> {
  return request<Problem>('POST', `/api/care/encounters/${id}/problems`, body);
}

export function sign(id: string): Promise<Encounter> {
  return request<Encounter>('POST', `/api/care/encounters/${id}/sign`);
}

export function addAddendum(id: string, text: string): Promise<unknown> {
  return request('POST', `/api/care/encounters/${id}/addenda`, { text });
}

export function finish(id: string): Promise<void> {
  return request<void>('POST', `/api/care/encounters/${id}/finish`);
}

export function summary(id: string): Promise<Summary> {
  return request<Summary>('GET', `/api/care/encounters/${id}/summary`);
}

export function setStatus(status: 'online' | 'away' | 'offline', lateMinutes: number): Promise<void> {
  return request<void>('PUT', '/api/care/status', {
    status,
    running_late_minutes: lateMinutes,
  });
}

export interface WeeklyHours {
  weekday: number;
  start: string;
  end: string;
}

export interface Override {
  id: string;
  day: string;
  kind: 'extra' | 'off';
  start: string | null;
  end: string | null;
}

export interface Availability {
  time_zone: string;
  buffer_minutes: number;
  languages: string[];
  specialties: string[];
  weekly: WeeklyHours[];
  overrides?: Override[];
}

export function availability(): Promise<Availability> {
  return request<Availability>('GET', '/api/care/availability');
}

export function setAvailability(body: Availability): Promise<Availability> {
  const { time_zone, buffer_minutes, languages, specialties, weekly } = body;
  return request<Availability>('PUT', '/api/care/availability', {
    time_zone,
    buffer_minutes,
    languages,
    specialties,
    weekly,
  });
}

export function addOverride(body: {
  day: string;
  kind: 'extra' | 'off';
  start?: string;
  end?: string;
}): Promise<Override> {
  return request<Override>('POST', '/api/care/availability/overrides', body);
}

export function removeOverride(id: string): Promise<void> {
  return request<void>('DELETE', `/api/care/availability/overrides/${id}`);
}

// ---- shared decisions, invitations, the consult room ----------------------------------------

export function addOption(
  encounterId: string,
  body: { name: string; benefits: string; risks: string },
): Promise<Option> {
  return request<Option>('POST', `/api/care/encounters/${encounterId}/options`, body);
}

export function decide(
  encounterId: string,
  body: { what_matters?: string; option_id?: string | null },
): Promise<Choice> {
  return request<Choice>('PUT', `/api/care/encounters/${encounterId}/decision`, body);
}

export type InviteRole = 'caregiver' | 'interpreter' | 'clinician';

export function invite(
  appointmentId: string,
  body: { role: InviteRole; email?: string; account_id?: string },
): Promise<void> {
  return request<void>('POST', `/api/care/appointments/${appointmentId}/invite`, body);
}

export function appointment(id: string): Promise<Appointment> {
  return request<Appointment>('GET', `/api/care/appointments/${id}?${tz()}`);
}

export type RoomRole = 'clinician' | 'patient' | 'caregiver' | 'interpreter' | 'guest-clinician';

/** Which visit a consult room belongs to (404 unless you are in it). */
export interface Room {
  encounter_id: string | null;
  appointment_id: string;
  patient_id: string;
  patient_name: string;
  preferred_language: string | null;
  role_in_room: RoomRole;
  status: Appointment['status'];
}

export function room(spaceId: string): Promise<Room> {
  return request<Room>('GET', `/api/care/rooms/${spaceId}`);
}

export interface ChatMessage {
  id: string;
  author_id: string | null;
  author_name: string;
  body: string;
  at: string;
}

export function chat(encounterId: string): Promise<ChatMessage[]> {
  return request<ChatMessage[]>('GET', `/api/care/encounters/${encounterId}/chat`);
}

export function say(encounterId: string, body: string): Promise<ChatMessage> {
  return request<ChatMessage>('POST', `/api/care/encounters/${encounterId}/chat`, { body });
}
