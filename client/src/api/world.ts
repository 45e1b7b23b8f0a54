/** Spaces over HTTP (`/api/spaces`): the list a person may enter, one space, creating one. */
import { api, type Schema, type Sent } from './typed';

/** The templates a space is made from (`careverse.world.templates`), in the order offered. */
export const TEMPLATE_KEYS = [
  'clinic-lobby',
  'consult-room',
  'support-circle',
  'therapy-garden',
  'training-lab',
  'rehab-gym',
  'gallery',
  'auditorium',
  'therapy-room',
  'mindfulness',
] as const;

export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/** Who may enter: any member of Careverse, invited people, or listed participants only. */
export type SpaceAccess = NonNullable<Schema<'SpaceIn'>['access']>;

/**
 * A space the caller may enter, with `present` (people inside now, on this server) and
 * `facilitator` (the caller can mute, remove, lock, end).
 */
export type Space = Sent<Schema<'SpaceOut'>>;

export type NewSpace = Schema<'SpaceIn'>;

/** Roles that may create spaces (the server decides; this only hides the form from others). */
export const SPACE_CREATORS = ['clinician', 'moderator', 'admin'];

export function listSpaces(): Promise<Space[]> {
  return api.get('/api/spaces');
}

export function getSpace(id: string): Promise<Space> {
  return api.get('/api/spaces/{space_id}', { path: { space_id: id } });
}

export function createSpace(space: NewSpace): Promise<Space> {
  return api.post('/api/spaces', { body: space });
}

/**
 * The STUN/TURN servers for calls (`CAREVERSE_ICE_SERVERS`, with per-person TURN credentials);
 * empty works on a LAN.
 */
export async function iceServers(): Promise<RTCIceServer[]> {
  const servers = await api.get('/api/world/ice-servers');
  return servers.map(({ urls, username, credential }) => ({
    urls,
    ...(username ? { username } : {}),
    ...(credential ? { credential } : {}),
  }));
}

/** Floor half-extents (metres) of each template, as the server clamps positions. */
export const HALF_EXTENT: Record<string, number> = {
  'clinic-lobby': 30,
  'consult-room': 6,
  'support-circle': 12,
  'therapy-garden': 40,
  'training-lab': 15,
  'rehab-gym': 20,
  gallery: 40,
  auditorium: 60,
  'therapy-room': 10,
  mindfulness: 30,
};

/** Templates with the shared breathing pacer (`careverse.world.templates`, `pacer`). */
export const PACER_TEMPLATES: readonly string[] = ['support-circle', 'therapy-garden', 'therapy-room', 'mindfulness'];

export function isTemplateKey(value: string): value is TemplateKey {
  return (TEMPLATE_KEYS as readonly string[]).includes(value);
}

// TEMPLATE_KEYS lists exactly the server's templates: a template added or removed there fails
// the build here until the list (and its messages) follow.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const templatesMatchServer: Same<TemplateKey, Schema<'SpaceIn'>['template']> = true;
void templatesMatchServer;
