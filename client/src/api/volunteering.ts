/** Volunteering (`/api/volunteering/...`, docs/mentoring.md "Volunteering"). */
import { api, apiUrl, type Schema, type Sent } from './typed';

export type Opportunity = Sent<Schema<'VolunteerBoardItemOut'>>;
export type OpportunityDetail = Sent<Schema<'VolunteerDetailOut'>>;
export type Hours = Sent<Schema<'VolunteerHoursOut'>>;
export type RecordLine = Sent<Schema<'VolunteerRecordLineOut'>>;

/** Opportunities in every community the caller may read, searched by `q`. */
export async function opportunities(q = ''): Promise<Opportunity[]> {
  const query = q ? { q } : {};
  return (await api.get('/api/volunteering/opportunities', { query })).opportunities;
}

export function opportunity(id: string): Promise<OpportunityDetail> {
  return api.get('/api/volunteering/opportunities/{opportunity_id}', {
    path: { opportunity_id: id },
  });
}

export function postOpportunity(community: string, title: string, description: string) {
  return api.post('/api/volunteering/communities/{community}', {
    path: { community },
    body: { title, description },
  });
}

export async function signUp(id: string): Promise<void> {
  await api.post('/api/volunteering/opportunities/{opportunity_id}/sign-up', {
    path: { opportunity_id: id },
  });
}

export async function logHours(id: string, day: string, minutes: number, note: string) {
  await api.post('/api/volunteering/opportunities/{opportunity_id}/hours', {
    path: { opportunity_id: id },
    body: { day, minutes, note },
  });
}

/** Hours waiting for the organiser's decision (organisers only). */
export async function pendingHours(id: string): Promise<Hours[]> {
  return (
    await api.get('/api/volunteering/opportunities/{opportunity_id}/hours', {
      path: { opportunity_id: id },
    })
  ).hours;
}

export async function decideHours(id: string, hoursId: string, confirm: boolean): Promise<void> {
  await api.post('/api/volunteering/opportunities/{opportunity_id}/hours/{hours_id}', {
    path: { opportunity_id: id, hours_id: hoursId },
    body: { confirm },
  });
}

/** The caller's confirmed minutes per opportunity. */
export async function myRecord(): Promise<RecordLine[]> {
  return (await api.get('/api/volunteering/me')).lines;
}

export function certificateUrl(): string {
  return apiUrl('/api/volunteering/me/certificate.pdf');
}
