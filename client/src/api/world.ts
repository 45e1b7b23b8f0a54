/** Spaces over HTTP (`/api/spaces`): the list a person may enter, one space, creating one. */
import { request } from './http';

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
] as const;

export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/** Who may enter: any member of Careverse, invited people, or listed participants only. */
export type SpaceAccess = 'members' | 'invite' | 'listed';

export interface Space {
  id: string;
  name: string;
  template: string;
  access: SpaceAccess;
  capacity: number;
  owner_id: string;
  /** People inside now (on this server). */
  present: number;
  /** The caller facilitates this space (can mute, remove, lock, end). */
  facilitator: boolean;
}

export interface NewSpace {
  name: string;
  template: TemplateKey;
  access?: SpaceAccess;
  capacity?: number;
  listed?: boolean;
}

/** Roles that may create spaces (the server decides; this only hides the form from others). */
export const SPACE_CREATORS = ['clinician', 'moderator', 'admin'];

export function listSpaces(): Promise<Space[]> {
  return request<Space[]>('GET', '/api/spaces');
}

export function getSpace(id: string): Promise<Space> {
  return request<Space>('GET', `/api/spaces/${encodeURIComponent(id)}`);
}

export function createSpace(space: NewSpace): Promise<Space> {
  return request<Space>('POST', '/api/spaces', space);
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
};

export function isTemplateKey(value: string): value is TemplateKey {
  return (TEMPLATE_KEYS as readonly string[]).includes(value);
}
