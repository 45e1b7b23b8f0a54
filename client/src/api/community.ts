/**
 * Communities (`/api/community/...`, docs/community.md): communities and joining, threads and
 * posts, reactions, and live updates of an open thread (server-sent events). Post `html` is
 * sanitised on the server (markdown-it + nh3); the client shows only that.
 */
import { liveStream } from './live';
import { api, apiUrl, type Schema, type Sent } from './typed';

export type Community = Sent<Schema<'CommunityOut'>>;
export type Thread = Sent<Schema<'ThreadOut'>>;
export type Post = Sent<Schema<'PostOut'>>;
export type Posted = Sent<Schema<'PostedOut'>>;
export type ThreadPage = Sent<Schema<'ThreadPageOut'>>;
export type CommunityKind = Community['kind'];
export type Identity = 'pseudonym' | 'name';
export type ReactionKind = 'me_too' | 'thank_you' | 'helpful';

export async function communities(): Promise<Community[]> {
  return (await api.get('/api/community/communities')).communities;
}

export function community(slug: string): Promise<Community> {
  return api.get('/api/community/communities/{slug}', { path: { slug } });
}

export function joinCommunity(slug: string, guidelinesVersion: number, livedExperience: boolean) {
  return api.post('/api/community/communities/{slug}/join', {
    path: { slug },
    body: {
      accept_guidelines: true,
      guidelines_version: guidelinesVersion,
      lived_experience: livedExperience,
    },
  });
}

export async function threads(slug: string): Promise<Thread[]> {
  return (await api.get('/api/community/communities/{slug}/threads', { path: { slug } })).threads;
}

export function startThread(slug: string, title: string, body: string, identity: Identity) {
  return api.post('/api/community/communities/{slug}/threads', {
    path: { slug },
    body: { title, body, identity },
  });
}

export function thread(id: string, after = 0): Promise<ThreadPage> {
  return api.get('/api/community/threads/{thread_id}', {
    path: { thread_id: id },
    query: { after },
  });
}

export function replyTo(id: string, body: string, identity: Identity, quotePostId?: string) {
  return api.post('/api/community/threads/{thread_id}/posts', {
    path: { thread_id: id },
    body: { body, identity, quote_post_id: quotePostId ?? null },
  });
}

export function react(postId: string, kind: ReactionKind, on: boolean) {
  return on
    ? api.post('/api/community/posts/{post_id}/reactions', { path: { post_id: postId }, body: { kind } })
    : api.delete('/api/community/posts/{post_id}/reactions/{kind}', {
        path: { post_id: postId, kind },
      });
}

export async function search(slug: string, q: string) {
  return (await api.get('/api/community/communities/{slug}/search', { path: { slug }, query: { q } }))
    .hits;
}

/**
 * Live posts of a thread: calls `onPost` for each; answers a function that closes the stream.
 * Like the bell and alert streams, a stream the server closed (an expired access cookie answers
 * 401) refreshes the session once (`refreshSession(seen)`) and reopens, with a growing delay;
 * `resync` is called when a reopened stream is up, so the page can fetch what it missed.
 */
export function watchThread(
  id: string,
  onPost: (post: Post) => void,
  resync?: () => void,
): () => void {
  return liveStream<Post>({
    url: apiUrl('/api/community/threads/{thread_id}/stream', { path: { thread_id: id } }),
    event: 'post',
    onData: onPost,
    onOpen: (reopened) => {
      if (reopened) resync?.();
    },
    whenSignedIn: false,
  });
}

/** Slow mode for a topic (community staff): one post per member every `seconds`; 0 turns it off. */
export function setThreadSlowMode(threadId: string, seconds: number, reason: string) {
  return api.put('/api/community/threads/{thread_id}/slow-mode', {
    path: { thread_id: threadId },
    body: { seconds, reason },
  });
}

export type Member = Sent<Schema<'MemberOut'>>;
export type MemberRole = Schema<'RoleIn'>['role'];

/** A community's active members by name and role (community staff). */
export async function members(slug: string): Promise<Member[]> {
  return (
    await api.get('/api/community/communities/{slug}/members', {
      path: { slug },
      query: { status: 'active' },
    })
  ).members;
}

/** Set a member's role (the community's moderators and site admins; the server checks). */
export function setMemberRole(slug: string, membershipId: string, role: MemberRole): Promise<Member> {
  return api.put('/api/community/communities/{slug}/members/{membership_id}/role', {
    path: { slug, membership_id: membershipId },
    body: { role },
  });
}
