/** The gallery (`/api/gallery/...`, docs/gallery.md). Images go as multipart form data. */
import { request } from './http';
import { api, type PathWith, type Schema, type Sent } from './typed';

export type Work = Sent<Schema<'WorkOut'>>;
export type Submitted = Sent<Schema<'WorkSubmittedOut'>>;
export type ReportReason = 'inappropriate' | 'spam' | 'off_topic' | 'crisis' | 'patient_details' | 'other';
export const REPORT_REASONS: ReportReason[] = ['inappropriate', 'spam', 'off_topic', 'crisis', 'patient_details', 'other'];

export async function galleryWorks(slug: string): Promise<Work[]> {
  return (await api.get('/api/gallery/communities/{slug}/works', { path: { slug } })).works;
}

export function groupWorks(slug: string): Promise<Sent<Schema<'GroupWorksOut'>>> {
  return api.get('/api/gallery/groups/{slug}/works', { path: { slug } });
}

export async function myWorks(): Promise<Work[]> {
  return (await api.get('/api/gallery/me/works')).works;
}

export async function moderationQueue(): Promise<Work[]> {
  return (await api.get('/api/gallery/moderation/queue')).works;
}

export function submitText(slug: string, title: string, body: string, caption: string, group: string | null): Promise<Submitted> {
  return api.post('/api/gallery/communities/{slug}/works/text', {
    path: { slug },
    body: { title, body, caption, group },
  });
}

export function submitImage(
  slug: string,
  fields: { title: string; alt_text: string; caption: string; group: string | null },
  image: File,
): Promise<Submitted> {
  const path = '/api/gallery/communities/{slug}/works/image' satisfies PathWith<'post'>;
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) if (value) data.append(key, value);
  data.append('image', image, image.name);
  return request('POST', path.replace('{slug}', encodeURIComponent(slug)), data);
}

export async function removeWork(id: string): Promise<void> {
  await api.delete('/api/gallery/works/{work_id}', { path: { work_id: id } });
}

export async function reportWork(id: string, reason: ReportReason, note: string): Promise<void> {
  await api.post('/api/gallery/works/{work_id}/reports', {
    path: { work_id: id },
    body: { reason, note: note || null },
  });
}

export function decideWork(id: string, action: 'approve' | 'decline', reason: string): Promise<Work> {
  const path = action === 'approve' ? '/api/gallery/works/{work_id}/approve' : '/api/gallery/works/{work_id}/decline';
  return api.post(path, { path: { work_id: id }, body: { reason: reason || null } });
}

export function acknowledgeWork(id: string): Promise<Work> {
  return api.post('/api/gallery/works/{work_id}/acknowledge', { path: { work_id: id } });
}

export async function gallerySpace(slug: string): Promise<string> {
  return (await api.post('/api/gallery/communities/{slug}/space', { path: { slug } })).space_id;
}
