/**
 * Communities (`/api/community/...`, docs/community.md): communities and joining, threads and
 * posts, reactions, and live updates of an open thread (server-sent events). Post `html` is
 * sanitised on the server (markdown-it + nh3); the client shows only that.
 */
import { api, type Schema, type Sent } from './typed';

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

/** Live posts of a thread: calls `onPost` for each; answers a function that closes the stream. */
export function watchThread(id: string, onPost: (post: Post) => void): () => void {
  const stream = new EventSource(`/api/community/threads/${encodeURIComponent(id)}/stream`, {
    withCredentials: true,
  });
  stream.addEventListener('post', (event) => {
    onPost(JSON.parse((event as MessageEvent<string>).data) as Post);
  });
  return () => stream.close();
}

/** Slow mode for a topic (community staff): one post per member every `seconds`; 0 turns it off. */
export function setThreadSlowMode(threadId: string, seconds: number, reason: string) {
  return api.put('/api/community/threads/{thread_id}/slow-mode', {
    path: { thread_id: threadId },
    body: { seconds, reason },
  });
}
