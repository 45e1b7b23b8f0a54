/**
 * The realtime connection to a space (docs/protocol.md): one WebSocket on `/ws/world`, JSON text
 * frames tagged by `t`. The browser authenticates with its session cookie (same origin), so
 * `hello` carries only the space id.
 *
 * A dropped connection is retried with backoff (the server keeps the avatar for a grace period
 * and answers a fresh `welcome`); close codes that mean "you may not be here" stop the retries.
 */
import { refreshSession, sessionGeneration } from '../api/http';

export type Vec3 = [number, number, number];
export type Quat = [number, number, number, number];

export interface AvatarState {
  id: string;
  name: string;
  role: string;
  p: Vec3;
  yaw?: number;
  head?: Quat;
  lh?: Vec3;
  rh?: Vec3;
  anim?: string;
  muted?: boolean;
  away?: boolean;
  /** In the call. */
  call?: boolean;
}

/** A compact pose update: [id, x, y, z, yaw, anim, seq]. */
export type AvatarUpdate = [string, number, number, number, number, string, number];

/** A persistent object: a poster, a note or a simple model. */
export interface WorldObject {
  id: string;
  kind: string;
  p: Vec3;
  yaw?: number;
  rot?: Quat;
  title?: string;
  text?: string;
  url?: string | null;
  model?: string | null;
  scale?: number;
  shared?: boolean;
  by?: string | null;
}

export interface WelcomeMessage {
  t: 'welcome';
  you: string;
  space: string;
  instance: string;
  template: string;
  tick_hz: number;
  server_time: number;
  avatars: AvatarState[];
  spectator?: boolean;
  objects?: WorldObject[];
  /** The space's shared breathing pacer, while it runs. */
  pacer?: PacerMessage | null;
  /** The training lab's run, with its whole event log. */
  lab?: LabMessage | null;
  /** The lab's group anatomy lesson, while open. */
  lesson?: LessonMessage | null;
}

export interface DeltaMessage {
  t: 'delta';
  tick: number;
  now: number;
  enter?: AvatarState[];
  upd?: AvatarUpdate[];
  leave?: string[];
}

export type ChatScope = 'space' | 'nearby' | 'private';

export interface ChatMessage {
  t: 'chat';
  id: string;
  name: string;
  text: string;
  scope: ChatScope;
  at: number;
}

export interface EmoteMessage {
  t: 'emote';
  id: string;
  name: string;
}

export interface SignalMessage {
  t: 'signal';
  peer: string;
  kind: string;
  data: string;
}

/** The circle tools' client messages (support groups). */
export type CircleMessage =
  | { t: 'hand'; action: 'raise' | 'lower' | 'pass' }
  | { t: 'floor'; action: 'next' | 'clear' }
  | { t: 'checkin'; phase: 'start' | 'end'; score: number }
  | { t: 'need_support' }
  | { t: 'support_ack'; target: string }
  | { t: 'agenda'; items: string[] }
  | { t: 'timer'; seconds: number; label?: string }
  | { t: 'breakout'; action: 'propose' | 'start' | 'end'; minutes?: number; pairs?: string[][] };

/** An event's stage (hosts; `asked` from anyone): docs/protocol.md "Stage (events)". */
export type StageMessage =
  | { t: 'stage'; action: 'start'; speakers?: string[] }
  | { t: 'stage'; action: 'end' | 'asked' }
  | { t: 'stage'; action: 'slide'; slide: number }
  | { t: 'stage'; action: 'up' | 'down' | 'approve' | 'answer' | 'dismiss'; target: string };

export interface EventMessage {
  t: 'event';
  kind: string;
  target?: string | null;
  detail?: string | null;
}

export interface ErrorMessage {
  t: 'error';
  code: string;
  message: string;
}

export interface PongMessage {
  t: 'pong';
  c: number;
  s: number;
}

export interface ObjectMessage {
  t: 'obj';
  op: 'add' | 'move' | 'del' | string;
  id: string;
  by?: string | null;
  o?: WorldObject | null;
}

export interface PointMessage {
  t: 'point';
  id: string;
  p?: Vec3 | null;
  obj?: string | null;
}

/** The shared breathing pacer started (`on`, from `start` on the server clock) or stopped. */
export interface PacerMessage {
  t: 'pacer';
  on: boolean;
  start?: number;
  rate?: number;
  seconds?: number;
  by?: string | null;
}

/** The group's anonymous calm ratings: counts, and means once enough people have rated. */
export interface CalmMessage {
  t: 'calm';
  before?: number;
  after?: number;
  before_mean?: number | null;
  after_mean?: number | null;
}

/** The clinician admitted your visit: you are called into its consult room. */
export interface CalledMessage {
  t: 'called';
  space: string;
  appointment: string;
}

/** One entry of a lab run's event log (`t`: scenario seconds; `by`: who, for actions). */
export interface LabLogEntry {
  t: number;
  kind: string;
  name: string;
  params?: Record<string, number | string>;
  by?: string | null;
  note?: string;
  [key: string]: unknown;
}

/** The training lab's run: status, scenario clock, the monitor and the log's new entries. */
export interface LabMessage {
  t: 'lab';
  run: string;
  scenario: string;
  title: string;
  status: 'running' | 'paused' | 'ended';
  clock: number;
  speed: number;
  instructor: string;
  vitals?: Record<string, number | string | boolean>;
  log?: LabLogEntry[];
  result?: { outcome: string; score: Record<string, unknown> } | null;
  /** What examining the patient and asking them find now (training/findings.py). */
  bedside?: {
    examine: { key: string; params?: Record<string, string | number> }[];
    ask: { key: string; params?: Record<string, string | number> };
  } | null;
}

/** What everyone in the lab sees of a group anatomy lesson (world/lab.py). */
export interface LessonView {
  model: 'heart' | 'spine' | 'knee';
  layers: string[];
  label: string;
}

/** The lab's group anatomy lesson opened, changed (`view`) or closed (no `view`). */
export interface LessonMessage {
  t: 'lesson';
  view?: LessonView | null;
  by?: string;
}

/** The instructor's controls (world/lab.py). */
export type LabControl =
  | { action: 'start'; scenario: string; speed?: number; seed?: number }
  | { action: 'start'; draft: Record<string, unknown>; speed?: number; seed?: number }
  | { action: 'pause' | 'resume' | 'stop' }
  | { action: 'speed'; speed: number }
  | { action: 'inject'; name: string; params: Record<string, number | string> }
  | { action: 'lesson'; lesson: LessonView | null };

export type ServerMessage =
  | LabMessage
  | LessonMessage
  | CalledMessage
  | WelcomeMessage
  | DeltaMessage
  | ChatMessage
  | EmoteMessage
  | SignalMessage
  | EventMessage
  | ErrorMessage
  | PongMessage
  | ObjectMessage
  | PointMessage
  | PacerMessage
  | CalmMessage;

export interface PoseOut {
  p: Vec3;
  yaw: number;
  head?: Quat;
  lh?: Vec3;
  rh?: Vec3;
  anim: string;
}

/** What `obj_add` carries. */
export interface NewObject {
  kind: 'poster' | 'note' | 'model' | 'notice-board';
  p: Vec3;
  yaw?: number;
  title?: string;
  text?: string;
  url?: string;
  model?: string;
  scale?: number;
  shared?: boolean;
}

export type ModAction = 'mute' | 'unmute' | 'remove' | 'lock' | 'unlock' | 'end';

/** Where the connection stands, for the status line. */
export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; inSeconds: number }
  /** Closed for good: `code` says why (4000 removed, 4001 ended, 4002 uninvited, 4403, 4404, 4010, 4401). */
  | { kind: 'closed'; code: number; reason: string };

/** Close codes after which trying again would not help (or would be wrong). */
const FINAL_CODES = new Set([1000, 4000, 4001, 4002, 4010, 4403, 4404]);
const UNAUTHENTICATED = 4401;
const MAX_BACKOFF_MS = 10_000;

export type ConnectionEvents = {
  state: ConnectionState;
  message: ServerMessage;
} & { [K in ServerMessage['t']]: Extract<ServerMessage, { t: K }> };

/**
 * A typed WebSocket client for one space. Listen with `on('welcome', …)`, `on('delta', …)`,
 * `on('state', …)` and so on; send with the methods below.
 */
export class WorldConnection extends EventTarget {
  readonly spaceId: string;
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: number | null = null;
  private pingTimer: number | null = null;
  private closedByUs = false;
  private refreshedOnce = false;
  /** The session's rotation count when the socket opened (see `refreshSession`). */
  private seenGeneration = 0;
  private seq = 0;
  /** Estimated server clock minus `performance.now()`, in ms (from ping/pong). */
  private serverOffset = 0;
  /** Round-trip time of the last ping, ms. */
  rtt = 0;
  state: ConnectionState = { kind: 'connecting' };
  /** The last welcome: null until the first one arrives. */
  welcome: WelcomeMessage | null = null;

  private readonly url: string;

  constructor(spaceId: string, url = defaultUrl()) {
    super();
    this.spaceId = spaceId;
    this.url = url;
  }

  on<K extends keyof ConnectionEvents>(
    type: K,
    listener: (detail: ConnectionEvents[K]) => void,
  ): () => void {
    const handler = (event: Event) => listener((event as CustomEvent<ConnectionEvents[K]>).detail);
    this.addEventListener(type, handler);
    return () => this.removeEventListener(type, handler);
  }

  private emit<K extends keyof ConnectionEvents>(type: K, detail: ConnectionEvents[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit('state', state);
  }

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN && this.welcome !== null;
  }

  /** The server's clock now, in seconds (estimated). */
  serverNow(): number {
    return (performance.now() + this.serverOffset) / 1000;
  }

  connect(): void {
    this.closedByUs = false;
    this.open_();
  }

  private open_(): void {
    this.clearTimers();
    this.seenGeneration = sessionGeneration();
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ t: 'hello', space: this.spaceId }));
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.welcome = null; // nothing is sent until the next welcome
      void this.onClose(event.code, event.reason);
    });
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (message.t === 'welcome') {
      this.welcome = message;
      this.attempt = 0;
      this.refreshedOnce = false;
      this.serverOffset = message.server_time * 1000 - performance.now();
      this.setState({ kind: 'open' });
      this.startPings();
    } else if (message.t === 'pong') {
      const now = performance.now();
      this.rtt = now - message.c;
      // The server stamped `s` about half a round trip ago.
      this.serverOffset = message.s * 1000 + this.rtt / 2 - now;
    }
    this.emit('message', message);
    this.emit(message.t, message as never);
  }

  private async onClose(code: number, reason: string): Promise<void> {
    this.stopPings();
    if (this.closedByUs) return;
    if (code === UNAUTHENTICATED && !this.refreshedOnce) {
      // The access cookie may have expired: refresh it once and try again.
      this.refreshedOnce = true;
      if (await refreshSession(this.seenGeneration)) {
        this.open_();
        return;
      }
    }
    if (FINAL_CODES.has(code) || code === UNAUTHENTICATED) {
      this.setState({ kind: 'closed', code, reason });
      return;
    }
    this.attempt += 1;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.attempt - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    this.setState({ kind: 'reconnecting', attempt: this.attempt, inSeconds: Math.ceil(delay / 1000) });
    this.retryTimer = window.setTimeout(() => this.open_(), delay);
  }

  /** Try again now (the "Reconnect" button), skipping the wait. */
  retryNow(): void {
    if (this.closedByUs || this.socket) return;
    this.setState({ kind: 'connecting' });
    this.open_();
  }

  /** Leave the space: a clean close, so others see us go at once. */
  close(): void {
    this.closedByUs = true;
    this.clearTimers();
    this.socket?.close(1000, 'left');
    this.socket = null;
  }

  private startPings(): void {
    this.stopPings();
    this.ping();
    this.pingTimer = window.setInterval(() => this.ping(), 10_000);
  }

  private stopPings(): void {
    if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private clearTimers(): void {
    this.stopPings();
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private send(message: Record<string, unknown>): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.welcome === null) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  // ---- client → server ---------------------------------------------------------------------

  pose(pose: PoseOut): boolean {
    this.seq += 1;
    const message: Record<string, unknown> = {
      t: 'pose',
      p: pose.p,
      yaw: pose.yaw,
      anim: pose.anim,
      seq: this.seq,
    };
    if (pose.head) message.head = pose.head;
    if (pose.lh) message.lh = pose.lh;
    if (pose.rh) message.rh = pose.rh;
    return this.send(message);
  }

  chat(text: string, scope: ChatScope, to?: string): boolean {
    return this.send(scope === 'private' ? { t: 'chat', text, scope, to } : { t: 'chat', text, scope });
  }

  emote(name: string): boolean {
    return this.send({ t: 'emote', name });
  }

  /** WebRTC signalling to one peer (the CallManager's `send`). */
  signal = (to: string, kind: string, data: string): void => {
    this.send({ t: 'signal', to, kind, data });
  };

  moderate(action: ModAction, target?: string): boolean {
    return this.send(target ? { t: 'mod', action, target } : { t: 'mod', action });
  }

  block(target: string, on: boolean): boolean {
    return this.send({ t: 'block', target, on });
  }

  ping(): boolean {
    return this.send({ t: 'ping', c: performance.now() });
  }

  /** Place a poster, a note or a model (facilitators); the server answers with `obj` add. */
  addObject(object: NewObject): boolean {
    return this.send({ t: 'obj_add', ...object });
  }

  moveObject(id: string, p: Vec3, yaw = 0): boolean {
    return this.send({ t: 'obj_move', id, p, yaw });
  }

  deleteObject(id: string): boolean {
    return this.send({ t: 'obj_del', id });
  }

  /** A support circle's tool (docs/protocol.md "Circle tools"): hand, floor, checkin, … */
  circle(message: CircleMessage): boolean {
    return this.send({ ...message });
  }

  /** An event's stage: a host's controls, or telling the hosts a question was asked. */
  stage(message: StageMessage): boolean {
    return this.send({ ...message });
  }

  /** Point at a place or an object (shown to those nearby). */
  point(target: { p?: Vec3; obj?: string }): boolean {
    return this.send({ t: 'point', ...target });
  }

  /** Start (rate, minutes) or stop the space's shared breathing pacer (facilitators). */
  pacer(action: 'start' | 'stop', rate = 6, minutes = 5): boolean {
    return this.send(action === 'start' ? { t: 'pacer', action, rate, minutes } : { t: 'pacer', action });
  }

  /** The training lab's instructor controls: start, pause, resume, stop, speed, inject. */
  lab(control: LabControl): boolean {
    return this.send({ t: 'lab', ...control });
  }

  /** A trainee's intervention on the lab's patient (oxygen, fluids, a drug with dose and route …). */
  labAct(name: string, params: Record<string, number | string>): boolean {
    return this.send({ t: 'lab_act', name, params });
  }

  /** An anonymous calm rating (0 tense … 10 calm), before or after the group's breathing. */
  calm(when: 'before' | 'after', score: number): boolean {
    return this.send({ t: 'calm', when, score });
  }
}

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws/world`;
}
