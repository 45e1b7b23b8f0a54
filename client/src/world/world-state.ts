/**
 * What this client knows of the space: the people in its area of interest (from `welcome` and
 * each `delta`), persistent objects, and room state. Shared by the 3D scene, the 2D view and
 * the panels; it knows nothing of three.js.
 */
import type {
  AvatarState,
  DeltaMessage,
  EventMessage,
  ObjectMessage,
  WelcomeMessage,
  WorldObject,
} from './connection';
import { InterpolationBuffer, ServerClock } from './interpolation';

export interface Person {
  readonly id: string;
  name: string;
  role: string;
  self: boolean;
  /** The latest known position and heading (for self: the local pose). */
  x: number;
  y: number;
  z: number;
  yaw: number;
  anim: string;
  head: [number, number, number, number] | null;
  muted: boolean;
  away: boolean;
  speaking: boolean;
  /** In the voice/video call (from `AvatarState.call` and `call` signals). */
  inCall: boolean;
  /** Recent poses for smooth drawing (others only). */
  readonly buffer: InterpolationBuffer;
}

export interface WorldStateEvents {
  /** Someone came into this client's area (`initial` for those in the welcome snapshot). */
  arrive: { person: Person; initial: boolean };
  /** Someone left the area (or the space). */
  depart: { person: Person };
  /** The list of people or their status changed (not just positions): re-render lists. */
  people: null;
  /** Positions changed (at most once per delta). */
  moved: null;
  objects: null;
  /** Room events of interest to the UI (muted, locked, ended…), with the person if known. */
  room: { kind: string; person: Person | null; detail: string | null };
}

export class WorldState extends EventTarget {
  you = '';
  template = '';
  instance = '';
  tickHz = 10;
  spectator = false;
  locked = false;
  /** Who this client is, for the viewpoint a spectator gets instead of an avatar. */
  selfName = '';
  selfRole = '';
  readonly people = new Map<string, Person>();
  readonly objects = new Map<string, WorldObject>();
  private readonly clock = new ServerClock();

  on<K extends keyof WorldStateEvents>(
    type: K,
    listener: (detail: WorldStateEvents[K]) => void,
  ): () => void {
    const handler = (event: Event) => listener((event as CustomEvent<WorldStateEvents[K]>).detail);
    this.addEventListener(type, handler);
    return () => this.removeEventListener(type, handler);
  }

  private emit<K extends keyof WorldStateEvents>(type: K, detail: WorldStateEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  get me(): Person | undefined {
    return this.people.get(this.you);
  }

  /** The interpolation delay (ms): about 100 ms, and always more than one tick. */
  get delayMs(): number {
    return Math.max(100, 1000 / this.tickHz + 30);
  }

  /** A fresh snapshot (first join or reconnect): replaces everything known. */
  applyWelcome(welcome: WelcomeMessage): void {
    const first = this.you === '';
    this.you = welcome.you;
    this.template = welcome.template;
    this.instance = welcome.instance;
    this.tickHz = welcome.tick_hz || 10;
    this.spectator = welcome.spectator ?? false;
    const seen = new Set<string>();
    const now = performance.now();
    for (const state of welcome.avatars) {
      seen.add(state.id);
      const known = this.people.get(state.id);
      if (known) {
        this.refresh(known, state);
        known.buffer.reset(now, known.x, known.y, known.z, known.yaw);
      } else {
        const person = this.add(state, now);
        if (!person.self || first) this.emit('arrive', { person, initial: true });
      }
    }
    if (this.spectator && !seen.has(welcome.you)) {
      // A spectator has no avatar, only a viewpoint: keep one locally (at the centre).
      seen.add(welcome.you);
      if (!this.people.has(welcome.you)) {
        this.add({ id: welcome.you, name: this.selfName, role: this.selfRole, p: [0, 0, 0] }, now);
      }
    }
    for (const [id, person] of this.people) {
      if (!seen.has(id)) {
        this.people.delete(id);
        this.emit('depart', { person });
      }
    }
    this.objects.clear();
    for (const object of welcome.objects ?? []) this.objects.set(object.id, object);
    this.emit('people', null);
    this.emit('objects', null);
  }

  private add(state: AvatarState, time: number): Person {
    const person: Person = {
      id: state.id,
      name: state.name,
      role: state.role,
      self: state.id === this.you,
      x: state.p[0],
      y: state.p[1],
      z: state.p[2],
      yaw: state.yaw ?? 0,
      anim: state.anim ?? 'idle',
      head: state.head ?? null,
      muted: state.muted ?? false,
      away: state.away ?? false,
      speaking: false,
      inCall: state.call ?? false,
      buffer: new InterpolationBuffer(1000 / this.tickHz),
    };
    person.buffer.reset(time, person.x, person.y, person.z, person.yaw);
    this.people.set(person.id, person);
    return person;
  }

  private refresh(person: Person, state: AvatarState): void {
    person.name = state.name;
    person.role = state.role;
    person.x = state.p[0];
    person.y = state.p[1];
    person.z = state.p[2];
    person.yaw = state.yaw ?? 0;
    person.anim = state.anim ?? 'idle';
    person.head = state.head ?? null;
    person.muted = state.muted ?? false;
    person.away = state.away ?? false;
    person.inCall = state.call ?? person.inCall;
  }

  applyDelta(delta: DeltaMessage): void {
    const time = this.clock.localTime(delta.now);
    let listChanged = false;
    for (const state of delta.enter ?? []) {
      if (state.id === this.you) continue;
      const known = this.people.get(state.id);
      if (known) {
        this.refresh(known, state);
        known.buffer.reset(time, known.x, known.y, known.z, known.yaw);
      } else {
        this.emit('arrive', { person: this.add(state, time), initial: false });
      }
      listChanged = true;
    }
    for (const update of delta.upd ?? []) {
      const [id, x, y, z, yaw, anim] = update;
      const person = this.people.get(id);
      if (!person || person.self) continue;
      person.x = x;
      person.y = y;
      person.z = z;
      person.yaw = yaw;
      person.anim = anim;
      person.buffer.push(time, x, y, z, yaw);
    }
    for (const id of delta.leave ?? []) {
      const person = this.people.get(id);
      if (!person || person.self) continue;
      this.people.delete(id);
      this.emit('depart', { person });
      listChanged = true;
    }
    if (listChanged) this.emit('people', null);
    if ((delta.upd?.length ?? 0) > 0) this.emit('moved', null);
  }

  applyEvent(event: EventMessage): void {
    const person = event.target ? (this.people.get(event.target) ?? null) : null;
    switch (event.kind) {
      case 'muted':
      case 'unmuted':
        if (person) person.muted = event.kind === 'muted';
        break;
      case 'away':
      case 'back':
        if (person) person.away = event.kind === 'away';
        break;
      case 'removed':
        if (person && !person.self) {
          this.people.delete(person.id);
          this.emit('depart', { person });
        }
        break;
      case 'locked':
      case 'unlocked':
        this.locked = event.kind === 'locked';
        break;
      default:
        break;
    }
    this.emit('room', { kind: event.kind, person, detail: event.detail ?? null });
    this.emit('people', null);
  }

  applyObject(message: ObjectMessage): void {
    if (message.op === 'del') this.objects.delete(message.id);
    else if (message.o) this.objects.set(message.id, message.o);
    this.emit('objects', null);
  }

  setSpeaking(id: string, speaking: boolean): void {
    const person = this.people.get(id);
    if (!person || person.speaking === speaking) return;
    person.speaking = speaking;
    this.emit('people', null);
  }

  /** Who is in the call: one person (`call` signal) or the whole roster (`calls`). */
  setInCall(ids: string[], on: boolean, roster = false): void {
    if (roster) for (const person of this.people.values()) person.inCall = false;
    for (const id of ids) {
      const person = this.people.get(id);
      if (person) person.inCall = on;
    }
    this.emit('people', null);
  }

  /** Move this client's own avatar (the local pose is the truth for self). */
  setSelf(x: number, y: number, z: number, yaw: number): void {
    const me = this.me;
    if (!me) return;
    me.x = x;
    me.y = y;
    me.z = z;
    me.yaw = yaw;
  }

  /** Metres on the floor between me and a point. */
  distanceTo(x: number, z: number): number {
    const me = this.me;
    if (!me) return Infinity;
    return Math.hypot(x - me.x, z - me.z);
  }

  /** Everyone but me, nearest first. */
  others(): Person[] {
    const list = [...this.people.values()].filter((p) => !p.self);
    list.sort((a, b) => this.distanceTo(a.x, a.z) - this.distanceTo(b.x, b.z));
    return list;
  }
}

/** Within talking distance: "nearby" in lists and for nearby chat, in metres. */
export const NEARBY_METRES = 5;
