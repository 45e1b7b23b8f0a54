/**
 * Health information quality (`/api/community/...`, docs/community.md): clinicians' quality
 * marks on posts and each community's education library. Item `html` is sanitised on the server
 * (markdown-it + nh3), as posts are.
 */
import { request } from '../../api/http';
import { api, type PathWith, type Schema, type Sent } from '../../api/typed';

export type QualityMark = Sent<Schema<'QualityMarkOut'>>;
export type QualityMarks = Sent<Schema<'QualityMarksOut'>>;
export type Verdict = QualityMark['verdict'];
export type LibraryItems = Sent<Schema<'LibraryItemsOut'>>;
export type LibraryItemSummary = Sent<Schema<'LibraryItemSummaryOut'>>;
export type LibraryItem = Sent<Schema<'LibraryItemOut'>>;
export type LibraryItemInput = Schema<'LibraryItemIn'>;
export type QuizResult = Sent<Schema<'QuizResultOut'>>;

/** One request per thread for the posts of a page being shown (kept a few seconds only). */
const threadMarks = new Map<string, { at: number; marks: Promise<QualityMarks> }>();
const SHARED_MS = 5000;

export function marksOf(threadId: string, fresh = false): Promise<QualityMarks> {
  const cached = threadMarks.get(threadId);
  if (cached && !fresh && Date.now() - cached.at < SHARED_MS) return cached.marks;
  const marks = api.get('/api/community/threads/{thread_id}/quality-marks', {
    path: { thread_id: threadId },
  });
  threadMarks.set(threadId, { at: Date.now(), marks });
  marks.catch(() => threadMarks.delete(threadId));
  return marks;
}

export function setMark(
  postId: string,
  body: { verdict: Verdict; source_url: string; source_title: string; note: string; reason: string },
): Promise<QualityMark> {
  return api.put('/api/community/posts/{post_id}/quality-mark', { path: { post_id: postId }, body });
}

export function removeMark(postId: string, reason: string): Promise<void> {
  return api.delete('/api/community/posts/{post_id}/quality-mark', {
    path: { post_id: postId },
    body: { reason },
  });
}

export function library(slug: string): Promise<LibraryItems> {
  return api.get('/api/community/communities/{slug}/library', { path: { slug } });
}

export function libraryItem(id: string): Promise<LibraryItem> {
  return api.get('/api/community/library/{item_id}', { path: { item_id: id } });
}

export function createItem(slug: string, body: LibraryItemInput): Promise<LibraryItem> {
  return api.post('/api/community/communities/{slug}/library', { path: { slug }, body });
}

export function editItem(id: string, body: LibraryItemInput): Promise<LibraryItem> {
  return api.put('/api/community/library/{item_id}', { path: { item_id: id }, body });
}

export function setItemState(id: string, state: 'draft' | 'published'): Promise<LibraryItem> {
  return api.put('/api/community/library/{item_id}/state', {
    path: { item_id: id },
    body: { state },
  });
}

export function reviewItem(id: string): Promise<LibraryItem> {
  return api.post('/api/community/library/{item_id}/review', { path: { item_id: id } });
}

export function uploadImage(id: string, file: File): Promise<LibraryItem> {
  const path = '/api/community/library/{item_id}/image' satisfies PathWith<'put'>;
  const data = new FormData();
  data.append('file', file, file.name);
  return request('PUT', path.replace('{item_id}', encodeURIComponent(id)), data);
}

export function imageUrl(id: string): string {
  return `/api/community/library/${encodeURIComponent(id)}/image`;
}

export function answerQuiz(id: string, answers: number[][]): Promise<QuizResult> {
  return api.post('/api/community/library/{item_id}/answers', {
    path: { item_id: id },
    body: { answers },
  });
}

export function forgetResult(id: string): Promise<void> {
  return api.delete('/api/community/library/{item_id}/answers', { path: { item_id: id } });
}
