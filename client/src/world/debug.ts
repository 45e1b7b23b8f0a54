/**
 * What the space page exposes for tests and debugging (`window.careverseWorld`): the connection,
 * the call, the mode, who you are, where everyone is, and where each is drawn.
 */
import type { CallManager } from './calls';
import type { WorldConnection } from './connection';
import type { WorldMode } from './settings';
import type { WorldState } from './world-state';

export interface CareverseWorldDebug {
  connection: WorldConnection;
  readonly calls: CallManager | null;
  readonly mode: WorldMode;
  readonly you: string;
  avatars(): { id: string; name: string; p: [number, number, number] }[];
  /** Where someone is drawn now: between the poses the server sent, about 100 ms ago. */
  drawn(id: string): [number, number, number] | null;
}

declare global {
  interface Window {
    careverseWorld?: CareverseWorldDebug;
  }
}

/** Expose a space's connection and state; `live` answers what changes (the call, the mode). */
export function exposeWorld(
  connection: WorldConnection,
  state: WorldState,
  live: { readonly calls: CallManager | null; readonly mode: WorldMode },
): void {
  window.careverseWorld = {
    connection,
    get calls() {
      return live.calls;
    },
    get mode() {
      return live.mode;
    },
    get you() {
      return state.you;
    },
    avatars: () =>
      [...state.people.values()].map((p) => ({ id: p.id, name: p.name, p: [p.x, p.y, p.z] })),
    drawn: (id: string) => {
      const person = state.people.get(id);
      const out = { x: 0, y: 0, z: 0, yaw: 0 };
      if (!person?.buffer.sample(performance.now() - state.delayMs, out)) return null;
      return [out.x, out.y, out.z];
    },
  };
}

/** Take it away again, unless another page has exposed its own since. */
export function hideWorld(connection: WorldConnection | null): void {
  if (connection && window.careverseWorld?.connection === connection) delete window.careverseWorld;
}
