/** Events and campaigns (`/api/events/...`, docs/events.md). */
import { request } from './http';
import { api, apiUrl, type Schema, type Sent } from './typed';

export type EventInfo = Sent<Schema<'EventOut'>>;
export type NewEvent = Schema<'EventIn'>;
export type Slide = Sent<Schema<'EventSlideOut'>>;
export type Question = Sent<Schema<'EventQuestionOut'>>;
export type Asked = Sent<Schema<'EventQuestionAskedOut'>>;
export type Recording = Sent<Schema<'EventRecordingOut'>>;
export type Decision = 'approve' | 'answer' | 'dismiss';

export async function events(past = false): Promise<EventInfo[]> {
  return (await api.get('/api/events', { query: { past } })).events;
}

export function eventInfo(slug: string): Promise<EventInfo> {
  return api.get('/api/events/{slug}', { path: { slug } });
}

/** The event held in a space, or null (none, or not one's to see). */
export async function eventOfSpace(spaceId: string): Promise<EventInfo | null> {
  return (await api.get('/api/events/spaces/{space_id}', { path: { space_id: spaceId } })).event;
}

export function createEvent(body: NewEvent): Promise<EventInfo> {
  return api.post('/api/events', { body });
}

export function register(slug: string): Promise<EventInfo> {
  return api.post('/api/events/{slug}/register', { path: { slug } });
}

export function cancel(slug: string): Promise<EventInfo> {
  return api.post('/api/events/{slug}/cancel', { path: { slug } });
}

export function joinEvent(slug: string): Promise<Sent<Schema<'EventJoinedOut'>>> {
  return api.post('/api/events/{slug}/join', { path: { slug } });
}

export function calendarUrl(slug: string): string {
  return apiUrl('/api/events/{slug}/event.ics', { path: { slug } });
}

export function slideImageUrl(slug: string, slideId: string): string {
  return apiUrl('/api/events/{slug}/slides/{slide_id}/image', {
    path: { slug, slide_id: slideId },
  });
}

export async function slides(slug: string): Promise<Slide[]> {
  return (await api.get('/api/events/{slug}/slides', { path: { slug } })).slides;
}

export async function setSlides(slug: string, texts: string[]): Promise<Slide[]> {
  return (await api.put('/api/events/{slug}/slides', { path: { slug }, body: { texts } })).slides;
}

/** Append an image slide (a PNG or JPEG the host chose). */
export function addSlideImage(slug: string, file: File, caption = ''): Promise<Slide> {
  const form = new FormData();
  form.append('file', file);
  form.append('caption', caption);
  return request<Slide>('POST', `/api/events/${encodeURIComponent(slug)}/slides/image`, form);
}

export function questions(slug: string): Promise<Sent<Schema<'EventQuestionsOut'>>> {
  return api.get('/api/events/{slug}/questions', { path: { slug } });
}

export function ask(slug: string, text: string): Promise<Asked> {
  return api.post('/api/events/{slug}/questions', { path: { slug }, body: { text } });
}

export function decide(slug: string, id: string, decision: Decision): Promise<Question> {
  return api.post('/api/events/{slug}/questions/{question_id}', {
    path: { slug, question_id: id },
    body: { decision },
  });
}

export function recording(slug: string): Promise<Recording> {
  return api.get('/api/events/{slug}/recording', { path: { slug } });
}
