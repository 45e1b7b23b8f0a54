/**
 * Virtual consultations (`/api/care/...`): clinicians and free slots, booking, the waiting room,
 * the clinician's queue, encounters with their notes, and the patient's visit summary.
 * Times come as UTC ISO plus the viewer's wall clock (`local`, `label`).
 */
import { download, type DownloadedFile } from './http';
import { api, apiUrl, type Schema, type Sent } from './typed';

export type VisitType = NonNullable<Schema<'AppointmentIn'>['visit_type']>;

/** A moment as UTC ISO, the viewer's wall clock (`local`) and a label to show. */
export type When = Schema<'When'>;

export type Slot = Sent<Schema<'SlotOut'>>;

export type Clinician = Sent<Schema<'ClinicianOut'>>;

export type Appointment = Sent<Schema<'AppointmentOut'>>;

export type DeviceCheck = Schema<'DeviceCheckIn'>;
export type DeviceResult = DeviceCheck['camera'];

export type WaitState = Sent<Schema<'WaitStateOut'>>;

/**
 * A patient in the clinician's queue. The server declares `device_check` as a plain object; what
 * it holds is the check the patient sent (`DeviceCheckIn`), so it is typed as that here.
 */
export type QueueEntry = Omit<Sent<Schema<'QueueEntryOut'>>, 'device_check'> & {
  device_check: DeviceCheck | null;
};

export type Problem = Sent<Schema<'ProblemOut'>>;

export type Option = Sent<Schema<'OptionOut'>>;

export type Choice = Sent<Schema<'ChoiceOut'>>;

/** The parts of a note to change; a part left out stays as it is. */
export type Note = Schema<'NoteIn'>;

export type Encounter = Sent<Schema<'EncounterOut'>>;

export type Summary = Sent<Schema<'SummaryOut'>>;

/** The browser's own IANA time zone, so times show as the person's wall clock. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

let preferredZone: string | null = null;

/** The zone times are shown in: the person's saved preference, else the browser's own. */
export function displayZone(): string {
  return preferredZone ?? browserZone();
}

/** The `tz` query parameter: times in the answer are shown in the display zone. */
const tz = (): { tz: string } => ({ tz: displayZone() });

/** The saved time-zone preference (null: none, times follow the browser). */
export async function preferences(): Promise<string | null> {
  const answer = await api.get('/api/care/preferences');
  preferredZone = answer.time_zone;
  return preferredZone;
}

export async function setPreferences(timeZone: string): Promise<string> {
  const answer = await api.put('/api/care/preferences', { body: { time_zone: timeZone } });
  preferredZone = answer.time_zone ?? timeZone;
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
  return api.get('/api/care/clinicians', { query: tz() });
}

/** Free times from `from` (default now) for `days` days (the server answers up to 31). */
export async function slots(
  clinicianId: string,
  visitType: VisitType,
  days = 14,
  from: Date = new Date(),
): Promise<Slot[]> {
  const start = from;
  const end = new Date(start.getTime() + days * 86_400_000);
  const answer = await api.get('/api/care/clinicians/{clinician_id}/slots', {
    path: { clinician_id: clinicianId },
    query: {
      start: start.toISOString(),
      end: end.toISOString(),
      visit_type: visitType,
      ...tz(),
    },
  });
  return answer.slots;
}

export function book(body: Schema<'AppointmentIn'>): Promise<Appointment> {
  return api.post('/api/care/appointments', { query: tz(), body });
}

/** Move a visit to another free time (a note is needed close to the visit). */
export function reschedule(id: string, start: string, note?: string): Promise<Appointment> {
  return api.post('/api/care/appointments/{appointment_id}/reschedule', {
    path: { appointment_id: id },
    query: tz(),
    body: { start, ...(note ? { note } : {}) },
  });
}

export function appointments(): Promise<Appointment[]> {
  return api.get('/api/care/appointments', { query: tz() });
}

export function cancel(id: string, note?: string): Promise<Appointment> {
  return api.post('/api/care/appointments/{appointment_id}/cancel', {
    path: { appointment_id: id },
    query: tz(),
    body: note ? { note } : {},
  });
}

export function calendarFile(id: string): Promise<DownloadedFile> {
  const url = apiUrl('/api/care/appointments/{appointment_id}/calendar.ics', {
    path: { appointment_id: id },
  });
  return download(url, 'careverse-appointment.ics');
}

export function checkIn(id: string, device_check: DeviceCheck): Promise<WaitState> {
  return api.post('/api/care/appointments/{appointment_id}/check-in', {
    path: { appointment_id: id },
    body: { device_check },
  });
}

export function waitState(id: string): Promise<WaitState> {
  return api.get('/api/care/appointments/{appointment_id}/wait', { path: { appointment_id: id } });
}

export function queue(): Promise<QueueEntry[]> {
  return api.get('/api/care/queue', { query: tz() }) as Promise<QueueEntry[]>;
}

export function admit(id: string): Promise<Sent<Schema<'AdmitOut'>>> {
  return api.post('/api/care/appointments/{appointment_id}/admit', {
    path: { appointment_id: id },
  });
}

export function encounter(id: string): Promise<Encounter> {
  return api.get('/api/care/encounters/{encounter_id}', { path: { encounter_id: id } });
}

export function writeNote(id: string, note: Note): Promise<Encounter> {
  return api.put('/api/care/encounters/{encounter_id}/note', {
    path: { encounter_id: id },
    body: note,
  });
}

/** The coding systems the server accepts for a coded problem. */
export type ProblemSystem = NonNullable<Schema<'ProblemIn'>['system']>;

/**
 * A problem to add. `system` takes any string here because the schedule page passes its form's
 * value unchecked; the server answers 422 for anything but a ProblemSystem.
 */
export type NewProblem = Omit<Schema<'ProblemIn'>, 'system'> & { system?: string | null };

export function addProblem(id: string, body: NewProblem): Promise<Problem> {
  return api.post('/api/care/encounters/{encounter_id}/problems', {
    path: { encounter_id: id },
    body: body as Schema<'ProblemIn'>,
  });
}

export function sign(id: string): Promise<Encounter> {
  return api.post('/api/care/encounters/{encounter_id}/sign', { path: { encounter_id: id } });
}

export function addAddendum(id: string, text: string): Promise<Sent<Schema<'AddendumOut'>>> {
  return api.post('/api/care/encounters/{encounter_id}/addenda', {
    path: { encounter_id: id },
    body: { text },
  });
}

export function finish(id: string): Promise<void> {
  return api.post('/api/care/encounters/{encounter_id}/finish', { path: { encounter_id: id } });
}

export function summary(id: string): Promise<Summary> {
  return api.get('/api/care/encounters/{encounter_id}/summary', { path: { encounter_id: id } });
}

export type ClinicianStatus = NonNullable<Schema<'StatusIn'>['status']>;

export function setStatus(status: ClinicianStatus, lateMinutes: number): Promise<void> {
  return api.put('/api/care/status', { body: { status, running_late_minutes: lateMinutes } });
}

export type WeeklyHours = Schema<'HoursIn'>;

export type Override = Sent<Schema<'OverrideOut'>>;

export type Availability = Sent<Schema<'AvailabilityOut'>>;

export function availability(): Promise<Availability> {
  return api.get('/api/care/availability');
}

/** Replace the weekly hours, languages, specialties, buffer and zone (overrides stay). */
export function setAvailability(body: Schema<'AvailabilityIn'>): Promise<Availability> {
  const { time_zone, buffer_minutes, languages, specialties, weekly } = body;
  return api.put('/api/care/availability', {
    body: { time_zone, buffer_minutes, languages, specialties, weekly },
  });
}

export function addOverride(body: Schema<'OverrideIn'>): Promise<Override> {
  return api.post('/api/care/availability/overrides', { body });
}

export function removeOverride(id: string): Promise<void> {
  return api.delete('/api/care/availability/overrides/{override_id}', {
    path: { override_id: id },
  });
}

// ---- shared decisions, invitations, the consult room ----------------------------------------

export function addOption(encounterId: string, body: Schema<'OptionIn'>): Promise<Option> {
  return api.post('/api/care/encounters/{encounter_id}/options', {
    path: { encounter_id: encounterId },
    body,
  });
}

export function decide(encounterId: string, body: Schema<'ChoiceIn'>): Promise<Choice> {
  return api.put('/api/care/encounters/{encounter_id}/decision', {
    path: { encounter_id: encounterId },
    body,
  });
}

export type InviteRole = Schema<'InviteIn'>['role'];

export function invite(appointmentId: string, body: Schema<'InviteIn'>): Promise<void> {
  return api.post('/api/care/appointments/{appointment_id}/invite', {
    path: { appointment_id: appointmentId },
    body,
  });
}

/** Take a guest off a visit (the clinician or the patient): they leave the consult room at once. */
export function removeInvitee(appointmentId: string, accountId: string): Promise<void> {
  return api.delete('/api/care/appointments/{appointment_id}/invitees/{account_id}', {
    path: { appointment_id: appointmentId, account_id: accountId },
  });
}

export function appointment(id: string): Promise<Appointment> {
  return api.get('/api/care/appointments/{appointment_id}', {
    path: { appointment_id: id },
    query: tz(),
  });
}

export type RoomRole = Schema<'RoomOut'>['role_in_room'];

/** Which visit a consult room belongs to (404 unless you are in it). */
export type Room = Sent<Schema<'RoomOut'>>;

export function room(spaceId: string): Promise<Room> {
  return api.get('/api/care/rooms/{space_id}', { path: { space_id: spaceId } });
}

export type ChatMessage = Sent<Schema<'ChatOut'>>;

export function chat(encounterId: string): Promise<ChatMessage[]> {
  return api.get('/api/care/encounters/{encounter_id}/chat', {
    path: { encounter_id: encounterId },
  });
}

export function say(encounterId: string, body: string): Promise<ChatMessage> {
  return api.post('/api/care/encounters/{encounter_id}/chat', {
    path: { encounter_id: encounterId },
    body: { body },
  });
}

/** For the visit's clinician: the reason for the visit and the problems recorded for the patient. */
export type VisitContext = Sent<Schema<'VisitContextOut'>>;

export type RecordedProblem = Sent<Schema<'RecordedProblemOut'>>;

export function visitContext(encounterId: string): Promise<VisitContext> {
  return api.get('/api/care/encounters/{encounter_id}/context', {
    path: { encounter_id: encounterId },
  });
}
