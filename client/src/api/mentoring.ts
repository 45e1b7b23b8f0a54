/** Mentoring and peer educators (`/api/mentoring/...`, docs/mentoring.md). */
import { api, type Schema, type Sent } from './typed';

export type Mentor = Sent<Schema<'MentoringMentorOut'>>;
export type Match = Sent<Schema<'MentoringMatchOut'>>;
export type Module = Sent<Schema<'MentoringModuleOut'>>;
export type QuizResult = Sent<Schema<'MentoringQuizOut'>>;
export type Relationship = Sent<Schema<'MentoringRelationshipOut'>>;
export type Need = Schema<'MentoringNeedIn'>;
export type Application = Schema<'MentoringApplyIn'>;

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const GENDERS = ['woman', 'man', 'nonbinary', 'unspecified'] as const;
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const PARTS = ['am', 'pm', 'eve'] as const;

export function trainingModule(): Promise<Module> {
  return api.get('/api/mentoring/module');
}

export function apply(community: string, body: Application): Promise<Mentor> {
  return api.post('/api/mentoring/communities/{community}/apply', { path: { community }, body });
}

export function takeQuiz(community: string, answers: number[][]): Promise<QuizResult> {
  return api.post('/api/mentoring/communities/{community}/quiz', {
    path: { community },
    body: { answers },
  });
}

export async function myApplications(): Promise<Mentor[]> {
  return (await api.get('/api/mentoring/me')).mentors;
}

export async function findMatches(community: string, need: Need): Promise<Match[]> {
  return (
    await api.post('/api/mentoring/communities/{community}/matches', {
      path: { community },
      body: need,
    })
  ).matches;
}

export function askMentor(
  community: string,
  mentorId: string,
  need: Need,
  goals: string[],
): Promise<Relationship> {
  return api.post('/api/mentoring/communities/{community}/relationships', {
    path: { community },
    body: { mentor_id: mentorId, need, goals },
  });
}

export async function relationships(): Promise<Relationship[]> {
  return (await api.get('/api/mentoring/relationships')).relationships;
}

export function relationship(id: string): Promise<Relationship> {
  return api.get('/api/mentoring/relationships/{relationship_id}', {
    path: { relationship_id: id },
  });
}

export async function addGoal(id: string, text: string): Promise<void> {
  await api.post('/api/mentoring/relationships/{relationship_id}/goals', {
    path: { relationship_id: id },
    body: { text },
  });
}

export async function markGoal(id: string, goalId: string, done: boolean): Promise<void> {
  await api.put('/api/mentoring/relationships/{relationship_id}/goals/{goal_id}', {
    path: { relationship_id: id, goal_id: goalId },
    body: { done },
  });
}

export async function scheduleMeeting(id: string, startsAt: string, minutes: number) {
  await api.post('/api/mentoring/relationships/{relationship_id}/meetings', {
    path: { relationship_id: id },
    body: { starts_at: startsAt, duration_minutes: minutes },
  });
}

export async function sendMessage(id: string, body: string): Promise<void> {
  await api.post('/api/mentoring/relationships/{relationship_id}/messages', {
    path: { relationship_id: id },
    body: { body },
  });
}

export async function endRelationship(id: string): Promise<void> {
  await api.post('/api/mentoring/relationships/{relationship_id}/end', {
    path: { relationship_id: id },
  });
}

export async function reportRelationship(id: string, reason: string): Promise<void> {
  await api.post('/api/mentoring/relationships/{relationship_id}/report', {
    path: { relationship_id: id },
    body: { reason },
  });
}

// ---- organisers and mentors' own standing --------------------------------------------------

export type Report = Sent<Schema<'MentoringReportOut'>>;
export type Standing = 'approved' | 'paused' | 'withdrawn';

/** Applications waiting for a decision in a community the caller organises. */
export async function applications(community: string): Promise<Mentor[]> {
  return (
    await api.get('/api/mentoring/communities/{community}/applications', { path: { community } })
  ).mentors;
}

export function decideApplication(community: string, id: string, approve: boolean) {
  return api.post('/api/mentoring/communities/{community}/applications/{mentor_id}', {
    path: { community, mentor_id: id },
    body: { approve },
  });
}

/** A mentor pauses, resumes or withdraws their own approval, and sets their capacity. */
export function setStanding(id: string, status: Standing, capacity: number): Promise<Mentor> {
  return api.put('/api/mentoring/me/{mentor_id}', {
    path: { mentor_id: id },
    body: { status, capacity },
  });
}

/** The latest reports (the site's moderators and admins). */
export async function reports(): Promise<Report[]> {
  return (await api.get('/api/mentoring/reports')).reports;
}
