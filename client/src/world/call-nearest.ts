/**
 * Whom a call connects to: the nearest people in the call within range, at most `maxPeers` (a
 * peer-to-peer mesh carries a handful). Those already connected are favoured a little, at the
 * range's edge and against someone just as near, so that small steps do not hang up and redial.
 */

/** Hysteresis at the range's edge, metres. */
const RANGE_SLACK = 2;
/** A connected person keeps their place among the nearest until someone is this much closer. */
const NEAREST_SLACK = 1;

export interface NearestInput {
  /** Where you stand. */
  self: { x: number; z: number };
  /** People in the call (not yourself). */
  inCall: Iterable<string>;
  /** Where the people you can see stand; someone not placed is not chosen. */
  positions: ReadonlyMap<string, { x: number; z: number }>;
  /** Whether you are connected to someone now. */
  connected: (id: string) => boolean;
  range: number;
  maxPeers: number;
}

/** The people to be connected to, nearest first, and how many more in range wait beyond them. */
export function nearestInCall(input: NearestInput): { chosen: string[]; waiting: number } {
  const { x, z } = input.self;
  const candidates: { id: string; distance: number }[] = [];
  for (const id of input.inCall) {
    const where = input.positions.get(id);
    if (!where) continue;
    const distance = Math.hypot(where.x - x, where.z - z);
    const connected = input.connected(id);
    if (distance > input.range + (connected ? RANGE_SLACK : 0)) continue;
    candidates.push({ id, distance: distance - (connected ? NEAREST_SLACK : 0) });
  }
  candidates.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
  const chosen = candidates.slice(0, input.maxPeers).map((c) => c.id);
  return { chosen, waiting: Math.max(0, candidates.length - chosen.length) };
}
