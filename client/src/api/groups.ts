/** Live support groups (`/api/groups/...`, docs/groups.md). */
import { api, apiUrl, type Schema, type Sent } from './typed';

export type Group = Sent<Schema<'GroupOut'>>;
export type Joined = Sent<Schema<'GroupJoinedOut'>>;
export type SessionMode = 'full' | 'voice' | 'text';

/** The member's own time zone (the browser's), for showing session times. */
export function myZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export async function groups(q = '', caregiver?: boolean): Promise<Group[]> {
  const query: { tz: string; q?: string; caregiver?: boolean } = { tz: myZone() };
  if (q) query.q = q;
  if (caregiver !== undefined) query.caregiver = caregiver;
  return (await api.get('/api/groups', { query })).groups;
}

/** For caregivers: caregiver groups they are not in yet (empty for other roles). */
export async function suggestedGroups(): Promise<Group[]> {
  return (await api.get('/api/groups/suggested', { query: { tz: myZone() } })).groups;
}

export function group(slug: string): Promise<Group> {
  return api.get('/api/groups/{slug}', { path: { slug }, query: { tz: myZone() } });
}

export function joinGroup(slug: string, rulesVersion: number): Promise<Group> {
  return api.post('/api/groups/{slug}/join', {
    path: { slug },
    body: { accept_rules: true, rules_version: rulesVersion },
  });
}

export async function leaveGroup(slug: string): Promise<void> {
  await api.post('/api/groups/{slug}/leave', { path: { slug } });
}

export function joinSession(slug: string, mode: SessionMode, pseudonym: boolean): Promise<Joined> {
  return api.post('/api/groups/{slug}/session/join', { path: { slug }, body: { mode, pseudonym } });
}

export async function setSharing(slug: string, share: boolean): Promise<boolean> {
  return (await api.put('/api/groups/{slug}/sharing', { path: { slug }, body: { share } })).share;
}

export function calendarUrl(slug: string): string {
  return apiUrl('/api/groups/{slug}/sessions.ics', { path: { slug } });
}

// ---- facilitators and clinicians -----------------------------------------------------------

export type GroupRequest = Sent<Schema<'GroupMemberOut'>>;
export type GroupSession = Sent<Schema<'GroupSessionOut'>>;
export type GroupNote = Sent<Schema<'GroupNoteOut'>>;
export type GroupRecord = Sent<Schema<'GroupRecordOut'>>;

/** Join requests and the waitlist, in order (facilitators). */
export async function joinRequests(slug: string): Promise<GroupRequest[]> {
  return (await api.get('/api/groups/{slug}/requests', { path: { slug } })).members;
}

export async function approveRequest(slug: string, memberId: string): Promise<void> {
  await api.post('/api/groups/{slug}/requests/{member_id}/approve', {
    path: { slug, member_id: memberId },
  });
}

/** A clinician refers a patient in their care. */
export async function refer(slug: string, patientId: string): Promise<void> {
  await api.post('/api/groups/{slug}/referrals', { path: { slug }, body: { patient_id: patientId } });
}

/** The sessions that have opened, newest first (the group's facilitators). */
export async function openedSessions(slug: string): Promise<GroupSession[]> {
  return (await api.get('/api/groups/{slug}/sessions', { path: { slug } })).sessions;
}

export async function sessionNotes(slug: string, sessionId: string): Promise<GroupNote[]> {
  return (
    await api.get('/api/groups/{slug}/sessions/{session_id}/notes', {
      path: { slug, session_id: sessionId },
    })
  ).notes;
}

export async function addSessionNote(slug: string, sessionId: string, body: string) {
  await api.post('/api/groups/{slug}/sessions/{session_id}/notes', {
    path: { slug, session_id: sessionId },
    body: { body },
  });
}

/** A clinician's view of a patient's group record (404 without care and the patient's consent). */
export async function patientGroupRecord(patientId: string): Promise<GroupRecord[]> {
  return (
    await api.get('/api/groups/patients/{patient_id}/record', { path: { patient_id: patientId } })
  ).groups;
}
