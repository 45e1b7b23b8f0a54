/** Words for the world's UI shared by the 3D and 2D views: roles, emotes, distances. */
import { t, type MessageKey } from '../i18n';
import type { WorldObject } from './connection';

const ROLES = ['patient', 'caregiver', 'clinician', 'moderator', 'researcher', 'admin'];

/** The role's name in the reader's language (the raw role for one this client does not know). */
export function roleName(role: string): string {
  return ROLES.includes(role) ? t(`role.${role}` as MessageKey) : role;
}

/** Emotes offered and shown; others (such as the call's own signals) are ignored. */
export const EMOTES = ['wave', 'nod', 'thumbs-up', 'clap'] as const;
export type EmoteName = (typeof EMOTES)[number];

const EMOTE_SIGNS: Record<EmoteName, string> = {
  wave: '👋',
  nod: '🙂',
  'thumbs-up': '👍',
  clap: '👏',
};

export function isEmote(name: string): name is EmoteName {
  return (EMOTES as readonly string[]).includes(name);
}

export function emoteSign(name: EmoteName): string {
  return EMOTE_SIGNS[name];
}

/** "Wave", "Nod"… (the button's name). */
export function emoteLabel(name: EmoteName): string {
  return t(`world.emote.${name}` as MessageKey);
}

/** "Ana waves." (announced and written in the chat log). */
export function emoteSentence(name: EmoteName, person: string): string {
  return t(`world.emote.${name}.did` as MessageKey, { name: person });
}

/** Whole metres, for people reading a list ("3 m away"). */
export function metres(distance: number): number {
  return Math.max(0, Math.round(distance));
}

export const OBJECT_KINDS = ['poster', 'note', 'model', 'notice-board', 'artwork'] as const;

/** Models the server offers (`careverse.world.templates.MODELS`). */
export const MODEL_KEYS = [
  'heart', 'lungs', 'brain', 'spine', 'knee', 'hand', 'skeleton', 'plant', 'screen',
];

/** A name for an object people can read: its title, else its model or kind ("Poster"). */
export function objectName(object: WorldObject): string {
  if (object.title) return object.title;
  if (object.kind === 'model' && object.model) {
    const key = `world.model.${object.model}` as MessageKey;
    return MODEL_KEYS.includes(object.model) ? t(key) : object.model;
  }
  return kindName(object.kind);
}

export function kindName(kind: string): string {
  return (OBJECT_KINDS as readonly string[]).includes(kind) ? t(`world.object.${kind}` as MessageKey) : kind;
}

/** The community page a notice board opens: a path under /community only (the server checks
 * it too), else '' (never a URL elsewhere). */
export function communityPath(object: WorldObject): string {
  if (object.kind !== 'notice-board' || !object.url) return '';
  return /^\/community(?:\/[a-z0-9-]{1,60}){0,3}$/.test(object.url) ? object.url : '';
}
