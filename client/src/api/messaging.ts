/**
 * The notifications inbox and secure messages (`/api/me/notifications`, `/api/messages`).
 * Uploads go as multipart form data (the server reads the file's type from its bytes).
 */
import { request } from './http';
import { liveStream } from './live';
import { api, apiUrl, type PathWith, type Schema, type Sent } from './typed';

export type Notice = Sent<Schema<'NotificationOut'>>;
export type Thread = Sent<Schema<'MessageThreadOut'>>;
export type ThreadMessage = Sent<Schema<'MessageOut'>>;
export type Triage = 'all' | 'unassigned' | 'mine';

export const PAGE_SIZE = 20;

export function notifications(offset = 0, limit = PAGE_SIZE): Promise<Notice[]> {
  return api.get('/api/me/notifications', { query: { limit, offset } });
}

export async function unreadCount(): Promise<number> {
  return (await api.get('/api/me/notifications/unread-count')).unread;
}

export function markRead(id: string): Promise<void> {
  return api.post('/api/me/notifications/{notification_id}/read', { path: { notification_id: id } });
}

export function markAllRead(): Promise<void> {
  return api.post('/api/me/notifications/read');
}

export async function threads(
  query: { patient?: string; triage?: Triage; handled?: boolean } = {},
): Promise<Thread[]> {
  return (await api.get('/api/messages/threads', { query })).threads;
}

export function thread(id: string): Promise<Thread> {
  return api.get('/api/messages/threads/{thread_id}', { path: { thread_id: id } });
}

export function markThreadRead(id: string): Promise<void> {
  return api.post('/api/messages/threads/{thread_id}/read', { path: { thread_id: id } });
}

function form(fields: Record<string, string | undefined>, file: File | null): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) if (value) data.append(key, value);
  if (file) data.append('file', file, file.name);
  return data;
}

export function startThread(
  subject: string,
  body: string,
  file: File | null,
  patientId?: string,
): Promise<Thread> {
  const path = '/api/messages/threads' satisfies PathWith<'post'>;
  return request('POST', path, form({ subject, body, patient_id: patientId }, file));
}

export function reply(threadId: string, body: string, file: File | null): Promise<Thread> {
  const path = '/api/messages/threads/{thread_id}/messages' satisfies PathWith<'post'>;
  const filled = path.replace('{thread_id}', encodeURIComponent(threadId));
  return request('POST', filled, form({ body }, file));
}

export function assign(threadId: string, clinicianId: string | null): Promise<Thread> {
  return api.put('/api/messages/threads/{thread_id}/assignee', {
    path: { thread_id: threadId },
    body: { clinician_id: clinicianId },
  });
}

export function setHandled(threadId: string, handled: boolean): Promise<Thread> {
  return api.put('/api/messages/threads/{thread_id}/handled', {
    path: { thread_id: threadId },
    body: { handled },
  });
}

// ---- live notices -------------------------------------------------------------------------

export interface LiveNotice {
  kind: string;
  title: string;
  link: string | null;
}

/**
 * Listen to the signed-in person's new notices as they arrive (server-sent events), reconnecting
 * with a growing delay after a refused connection. Answers the way to stop.
 */
export function subscribeNotices(listener: {
  notice: (notice: LiveNotice) => void;
  connected?: () => void;
}): () => void {
  return liveStream<LiveNotice>({
    url: apiUrl('/api/me/notifications/stream'),
    event: 'notification',
    onData: (notice) => listener.notice(notice),
    onOpen: () => listener.connected?.(),
  });
}
