/**
 * Community moderation (`/api/community/moderation/...`, docs/moderation.md): the queue of held
 * and flagged posts, the actions on them (each with a reason), crisis cases and the message of
 * concern a writer sees when a post is held for crisis language.
 */
import { api, type Schema, type Sent } from './typed';

export type QueueItem = Sent<Schema<'QueueItem'>>;
export type CrisisCase = Sent<Schema<'CaseOut'>>;
export type PenaltyKind = Schema<'PenaltyIn'>['kind'];
/** What the writer sees at once when a post is held for crisis language. */
export interface Concern {
  message: string;
  resources: { name: string; contact: string; url: string }[];
}

/** The tag the crisis screen puts on a post that names a method (#chatsafe): shown behind a warning. */
export const METHOD_WARNING_TAG = 'cw-method';

export async function moderationQueue(): Promise<QueueItem[]> {
  return (await api.get('/api/community/moderation/queue')).items;
}

export function approvePost(postId: string, reason: string) {
  return api.post('/api/community/posts/{post_id}/moderation/approve', {
    path: { post_id: postId },
    body: { reason },
  });
}

/** One click for a crisis hold that was a false positive (audited as an approval). */
export function releasePost(postId: string, reason?: string) {
  return api.post('/api/community/posts/{post_id}/moderation/release', {
    path: { post_id: postId },
    body: reason ? { reason } : {},
  });
}

export function hidePost(postId: string, reason: string) {
  return api.post('/api/community/posts/{post_id}/moderation/hide', {
    path: { post_id: postId },
    body: { reason },
  });
}

export function editPost(postId: string, body: string, note: string, reason: string) {
  return api.post('/api/community/posts/{post_id}/moderation/edit', {
    path: { post_id: postId },
    body: { body, note, reason },
  });
}

export function penalise(postId: string, kind: PenaltyKind, reason: string, days?: number) {
  return api.post('/api/community/posts/{post_id}/moderation/penalty', {
    path: { post_id: postId },
    body: days ? { kind, reason, days } : { kind, reason },
  });
}

export function acknowledgeCase(caseId: string): Promise<CrisisCase> {
  return api.post('/api/community/moderation/crisis/{case_id}/acknowledge', {
    path: { case_id: caseId },
  });
}

/**
 * The composer's pre-post nudge: screen a draft before it is sent. With crisis language the
 * answer carries the message of concern to show (render `<cv-concern-message>`); nothing is
 * stored. The post, once sent, is still held for a human.
 */
export function nudge(text: string): Promise<Sent<Schema<'NudgeOut'>>> {
  return api.post('/api/community/moderation/nudge', { body: { text } });
}

export type FlagReason = Schema<'FlagIn'>['reason'];

/** A member reports a post to the community's moderators (once per post, not one's own). */
export function flagPost(postId: string, reason: FlagReason, note?: string) {
  return api.post('/api/community/posts/{post_id}/flags', {
    path: { post_id: postId },
    body: note ? { reason, note } : { reason },
  });
}
