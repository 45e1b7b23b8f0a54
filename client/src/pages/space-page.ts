import { html, nothing } from 'lit';
import type { Account } from '../api/auth';
import { ApiError } from '../api/http';
import { getSpace, HALF_EXTENT, type Space } from '../api/world';
import { describeError } from '../components/errors';
import { LightElement } from '../components/light-element';
import { t } from '../i18n';
import '../world/call-panel';
import { CallManager, type PeerInfo } from '../world/calls';
import '../world/chat-panel';
import type { ChatEntry, ChatPanel, Recipient, SendChatDetail } from '../world/chat-panel';
import {
  WorldConnection,
  type ChatMessage,
  type ConnectionState,
  type EventMessage,
  type ModAction,
  type WelcomeMessage,
} from '../world/connection';
import { Controls } from '../world/controls';
import { emoteSentence, emoteSign, isEmote, kindName, objectName } from '../world/labels';
import '../world/objects-panel';
import type { NewObjectDetail } from '../world/objects-panel';
import '../world/people-panel';
import type { Scene3D } from '../world/scene3d';
import '../world/settings-panel';
import {
  chooseMode,
  hasWebGL2,
  onWorldSettings,
  updateWorldSettings,
  worldSettings,
  type WorldMode,
  type WorldSettings,
} from '../world/settings';
import '../world/view2d';
import { WorldState } from '../world/world-state';
import '../world/world.css';
import { templateName } from './spaces-page';
import './care/consult-panel'; // care: the consultation beside a consult room

/** What the space page exposes for tests and debugging (`window.careverseWorld`). */
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

const MAX_CHAT = 200;
/** Templates whose rooms are small enough that everyone hears everyone equally by default. */
const MEETING_TEMPLATES = ['consult-room', 'support-circle'];
const GO_NEAR_STOP = 1.5; // metres short of the person or object
const WALK_2D_SPEED = 8; // m/s: quick, and well within the server's 12 m/s limit
const WALK_3D_SPEED = 5;

/**
 * A space: the 3D scene (or the accessible 2D view), people, chat, the call and settings.
 * It owns the connection and the world state and wires everything together, including the
 * CallManager (created after `welcome`, fed every `signal`, told positions after each delta).
 */
export class SpacePage extends LightElement {
  static override properties = {
    spaceId: { type: String },
    account: { attribute: false },
    space: { state: true },
    mode: { state: true },
    loadError: { state: true },
    link: { state: true },
    closedMessage: { state: true },
    notices: { state: true },
    entries: { state: true },
    chatNotice: { state: true },
    announcement: { state: true },
    walkingTo: { state: true },
    blocked: { state: true },
    version: { state: true },
    sceneLoading: { state: true },
    sceneError: { state: true },
  };

  declare spaceId: string;
  declare account: Account | null;
  declare space: Space | null;
  declare mode: WorldMode;
  declare loadError: string;
  declare link: ConnectionState;
  declare closedMessage: string;
  declare notices: string[];
  declare entries: ChatEntry[];
  declare chatNotice: string;
  declare announcement: string;
  declare walkingTo: string;
  declare blocked: Map<string, string>;
  declare version: number;
  declare sceneLoading: boolean;
  declare sceneError: string;

  private socket: WorldConnection | null = null;
  private state = new WorldState();
  private controls = new Controls();
  private calls: CallManager | null = null;
  private scene: Scene3D | null = null;
  private sceneToken = 0;
  private stops: (() => void)[] = [];
  private poseTimer: number | null = null;
  private stepTimer: number | null = null;
  private renderTimer: number | null = null;
  private announceQueue: string[] = [];
  private announceTimer: number | null = null;
  private lastSent = { x: NaN, y: NaN, z: NaN, yaw: NaN, anim: '' };
  private resendUntil = 0;
  private lastResend = 0;
  private chatKey = 0;
  private privateTo: string[] = [];
  private welcomed = false;
  /** Bumped on each start and teardown: a start that finishes late does nothing. */
  private startToken = 0;
  private webgl = true;

  constructor() {
    super();
    this.spaceId = '';
    this.account = null;
    this.space = null;
    this.mode = '2d';
    this.loadError = '';
    this.link = { kind: 'connecting' };
    this.closedMessage = '';
    this.notices = [];
    this.entries = [];
    this.chatNotice = '';
    this.announcement = '';
    this.walkingTo = '';
    this.blocked = new Map();
    this.version = 0;
    this.sceneLoading = false;
    this.sceneError = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.mode = chooseMode(location.search);
    this.webgl = this.mode === '3d' || hasWebGL2();
    const settings = worldSettings();
    this.controls.snapTurn = settings.snapTurn;
    this.stops.push(onWorldSettings((s) => this.settingsChanged(s)));
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
  }

  /** Another space in the same page element (a link from one space to another). */
  override willUpdate(changed: Map<string, unknown>): void {
    const previous = changed.get('spaceId');
    if (changed.has('spaceId') && previous && previous !== this.spaceId && this.isConnected) {
      this.teardown();
      this.state = new WorldState();
      this.controls = new Controls();
      this.controls.snapTurn = worldSettings().snapTurn;
      this.space = null;
      this.loadError = '';
      this.closedMessage = '';
      this.notices = [];
      this.entries = [];
      this.blocked = new Map();
      this.walkingTo = '';
      this.welcomed = false;
      this.privateTo = [];
      this.stops.push(onWorldSettings((s) => this.settingsChanged(s)));
      void this.start();
    }
  }

  private teardown(): void {
    this.startToken += 1;
    for (const stop of this.stops) stop();
    this.stops = [];
    for (const timer of [this.poseTimer, this.stepTimer, this.renderTimer, this.announceTimer]) {
      if (timer !== null) window.clearInterval(timer);
    }
    this.poseTimer = this.stepTimer = this.renderTimer = this.announceTimer = null;
    this.calls?.leave();
    this.calls = null;
    this.disposeScene();
    this.controls.detach();
    if (this.socket && window.careverseWorld?.connection === this.socket) delete window.careverseWorld;
    this.socket?.close();
    this.socket = null;
  }

  // ---- start-up --------------------------------------------------------------------------------

  private async start(): Promise<void> {
    const token = ++this.startToken;
    let space: Space;
    try {
      space = await getSpace(this.spaceId);
    } catch (error) {
      if (token !== this.startToken) return;
      this.loadError =
        error instanceof ApiError && (error.status === 404 || error.status === 422)
          ? t('world.space.notFound')
          : describeError(error);
      return;
    }
    if (token !== this.startToken || !this.isConnected) return;
    this.space = space;
    document.title = t('app.pageTitle', { page: this.space.name });
    this.state.selfName = this.account?.display_name ?? '';
    this.state.selfRole = this.account?.role ?? '';
    const socket = new WorldConnection(this.spaceId);
    this.socket = socket;
    this.wire(socket);
    this.exposeForTests(socket);
    socket.connect();
    if (this.mode === '2d') this.startStepping();
  }

  private exposeForTests(socket: WorldConnection): void {
    const page = this;
    const state = this.state;
    window.careverseWorld = {
      connection: socket,
      get calls() {
        return page.calls;
      },
      get mode() {
        return page.mode;
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

  private wire(socket: WorldConnection): void {
    const state = this.state;
    this.stops.push(
      socket.on('state', (s) => this.connectionChanged(s)),
      socket.on('welcome', (m) => this.onWelcome(m)),
      socket.on('delta', (m) => {
        state.applyDelta(m);
        this.updateCalls();
      }),
      socket.on('chat', (m) => this.onChat(m)),
      socket.on('emote', (m) => {
        if (!isEmote(m.name) || this.blocked.has(m.id)) return;
        const person = state.people.get(m.id);
        this.scene?.showEmote(m.id, emoteSign(m.name));
        const who = person?.self ? t('world.chat.you') : (person?.name ?? t('world.chat.someone'));
        this.addEntry({ kind: 'emote', name: '', text: emoteSentence(m.name, who), self: false });
      }),
      socket.on('signal', (m) => {
        if (m.kind === 'call') state.setInCall([m.peer], m.data === 'on');
        else if (m.kind === 'calls') state.setInCall(parseIds(m.data), true, true);
        this.calls?.handleSignal(m.peer, m.kind, m.data);
      }),
      socket.on('event', (m) => this.onEvent(m)),
      socket.on('error', (m) => this.onServerError(m.code)),
      socket.on('obj', (m) => {
        const before = state.objects.get(m.id);
        state.applyObject(m);
        if (m.op === 'add' && m.o) {
          this.announce(t('world.announce.objectAdded', { kind: kindName(m.o.kind), name: objectName(m.o) }));
        } else if (m.op === 'del' && before) {
          this.announce(t('world.announce.objectRemoved', { name: objectName(before) }));
        }
      }),
      socket.on('point', (m) => {
        const target = m.obj ? state.objects.get(m.obj)?.p : m.p;
        if (target) this.scene?.showPoint(target);
      }),
      state.on('people', () => this.bump()),
      state.on('objects', () => this.bump()),
      state.on('moved', () => this.bumpSoon()),
      state.on('arrive', ({ person, initial }) => {
        if (!initial) this.announce(t('world.announce.arrived', { name: person.name }));
      }),
      state.on('depart', ({ person }) => {
        this.calls?.peerLeft(person.id);
        this.announce(t('world.announce.left', { name: person.name }));
      }),
    );
    this.controls.onArrive = (arrived) => {
      if (arrived && this.walkingTo) {
        this.announce(t('world.announce.arrivedNear', { name: this.walkingTo }));
      }
      this.walkingTo = '';
    };
  }

  private onWelcome(welcome: WelcomeMessage): void {
    const first = !this.welcomed;
    this.welcomed = true;
    this.state.applyWelcome(welcome);
    this.controls.bound = HALF_EXTENT[welcome.template] ?? 30;
    const me = this.state.me;
    if (me) this.controls.place(me.x, me.y, me.z, me.yaw);
    this.walkingTo = '';
    const pose = this.controls.pose;
    this.lastSent = { x: pose.x, y: pose.y, z: pose.z, yaw: pose.yaw, anim: pose.anim };
    // Blocks are kept per connection by the server: say them again after a reconnect.
    for (const id of this.blocked.keys()) this.socket?.block(id, true);
    this.startPoseTimer(welcome.tick_hz || 10);
    if (!this.calls && !welcome.spectator && this.socket) {
      this.calls = new CallManager({ selfId: welcome.you, send: this.socket.signal });
      this.calls.addEventListener('speaking', (event) => {
        const { id, speaking } = (event as CustomEvent<{ id: string; speaking: boolean }>).detail;
        this.state.setSpeaking(id, speaking);
      });
      this.applyVolume(worldSettings().volume);
    }
    const notices: string[] = [];
    if (welcome.spectator) notices.push(t('world.notice.spectator'));
    const copy = /#(\d+)$/.exec(welcome.instance)?.[1];
    if (copy && copy !== '1') notices.push(t('world.notice.overflow', { number: copy }));
    this.notices = notices;
    if (first) {
      const others = this.state.people.size - 1;
      this.announce(t('world.announce.entered', { space: this.space?.name ?? '', count: others }));
      if (this.mode === '3d') void this.ensureScene();
    } else {
      this.announce(t('world.announce.reconnected'));
    }
    this.updateCalls();
    this.bump();
  }

  // ---- modes -------------------------------------------------------------------------------------

  private settingsChanged(settings: WorldSettings): void {
    this.controls.snapTurn = settings.snapTurn;
    if (this.scene) this.scene.reducedMotion = settings.reducedMotion;
    this.applyVolume(settings.volume);
    if (settings.mode && settings.mode !== this.mode) void this.switchMode(settings.mode);
  }

  private applyVolume(volume: number): void {
    this.calls?.setMasterVolume(volume);
  }

  private async switchMode(mode: WorldMode): Promise<void> {
    if (mode === this.mode) return;
    this.mode = mode;
    // The address no longer forces a mode: the saved choice holds from now on.
    const url = new URL(location.href);
    if (url.searchParams.has('mode')) {
      url.searchParams.delete('mode');
      history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    }
    if (mode === '2d') {
      this.disposeScene();
      this.startStepping();
      this.announce(t('world.announce.mode2d'));
    } else {
      this.stopStepping();
      await this.ensureScene();
      this.announce(t('world.announce.mode3d'));
    }
  }

  private async ensureScene(): Promise<void> {
    if (this.scene || this.mode !== '3d' || !this.welcomed) return;
    const token = ++this.sceneToken;
    this.sceneLoading = true;
    this.sceneError = '';
    await this.updateComplete;
    try {
      const { Scene3D } = await import('../world/scene3d');
      const host = this.querySelector<HTMLElement>('.world-viewport');
      if (token !== this.sceneToken || this.mode !== '3d' || !host) return;
      this.controls.attach(host);
      const joystick = host.querySelector<HTMLElement>('.world-joystick');
      const knob = host.querySelector<HTMLElement>('.world-joystick__knob');
      if (joystick && knob) this.controls.attachJoystick(joystick, knob);
      this.scene = Scene3D.create({
        container: host.querySelector<HTMLElement>('.world-canvas-host') ?? host,
        vrSlot: this.querySelector<HTMLElement>('.world-vr-slot'),
        state: this.state,
        controls: this.controls,
        reducedMotion: worldSettings().reducedMotion,
      });
    } catch (error) {
      // No WebGL after all (or the download failed): the 2D view serves instead.
      this.controls.detach();
      this.webgl = false;
      this.sceneError = error instanceof Error && /import|fetch|module/i.test(error.message)
        ? t('world.scene.downloadFailed')
        : t('world.scene.unavailable');
      this.mode = '2d';
      this.startStepping();
    } finally {
      if (token === this.sceneToken) this.sceneLoading = false;
    }
  }

  private disposeScene(): void {
    this.sceneToken += 1;
    this.controls.detach();
    this.scene?.dispose();
    this.scene = null;
  }

  /** In 2D there is no frame loop: walking to someone is stepped here. */
  private startStepping(): void {
    if (this.stepTimer !== null) return;
    let last = performance.now();
    this.stepTimer = window.setInterval(() => {
      const now = performance.now();
      const dt = Math.min((now - last) / 1000, 0.25);
      last = now;
      if (this.controls.step(dt)) {
        const pose = this.controls.pose;
        this.state.setSelf(pose.x, pose.y, pose.z, pose.yaw);
        this.bumpSoon();
      }
    }, 50);
  }

  private stopStepping(): void {
    if (this.stepTimer !== null) window.clearInterval(this.stepTimer);
    this.stepTimer = null;
  }

  // ---- pose ------------------------------------------------------------------------------------

  /** Send one's pose at the server's tick rate, and only when it changed. */
  private startPoseTimer(hz: number): void {
    if (this.poseTimer !== null) window.clearInterval(this.poseTimer);
    this.poseTimer = window.setInterval(() => this.sendPose(), 1000 / Math.min(Math.max(hz, 1), 30));
  }

  private sendPose(): void {
    const socket = this.socket;
    if (!socket?.open) return;
    const pose = this.controls.pose;
    const last = this.lastSent;
    const xr = this.scene?.xrPose() ?? null;
    const now = performance.now();
    const changed =
      Math.abs(pose.x - last.x) > 0.005 ||
      Math.abs(pose.z - last.z) > 0.005 ||
      Math.abs(pose.y - last.y) > 0.005 ||
      Math.abs(pose.yaw - last.yaw) > 0.005 ||
      pose.anim !== last.anim;
    // After a refused move, repeat the pose now and then until the server takes it (the
    // distance it allows grows with the time since the last accepted pose).
    const resend = this.resendUntil > now && now - this.lastResend >= 500;
    if (resend) this.lastResend = now;
    if (!changed && !xr && !resend) return;
    const sent = socket.pose({
      p: [round(pose.x), round(pose.y), round(pose.z)],
      yaw: round(pose.yaw),
      anim: pose.anim,
      ...(xr ? { head: xr.head, lh: xr.lh, rh: xr.rh } : {}),
    });
    if (!sent) return;
    last.x = pose.x;
    last.y = pose.y;
    last.z = pose.z;
    last.yaw = pose.yaw;
    last.anim = pose.anim;
    if (changed) this.updateCalls();
  }

  private updateCalls(): void {
    const calls = this.calls;
    const me = this.state.me;
    if (!calls || !me) return;
    const peers: PeerInfo[] = [];
    for (const person of this.state.people.values()) {
      // A facilitator's mute holds in the call too; blocked people are never called.
      calls.setModerated(person.id, person.muted);
      if (person.self || this.blocked.has(person.id)) continue;
      peers.push({ id: person.id, name: person.name, x: person.x, y: person.y, z: person.z });
    }
    calls.update({ x: me.x, y: me.y, z: me.z, yaw: me.yaw }, peers);
  }

  // ---- messages ----------------------------------------------------------------------------------

  private addEntry(entry: Omit<ChatEntry, 'key' | 'at' | 'scope' | 'other'> & Partial<ChatEntry>): void {
    const full: ChatEntry = {
      key: ++this.chatKey,
      at: Date.now() / 1000,
      scope: 'space',
      other: '',
      ...entry,
    };
    const entries = this.entries.length >= MAX_CHAT ? this.entries.slice(1) : this.entries.slice();
    entries.push(full);
    this.entries = entries;
  }

  private onChat(message: ChatMessage): void {
    if (this.blocked.has(message.id)) return;
    const self = message.id === this.state.you;
    let other = '';
    if (message.scope === 'private' && self) {
      const to = this.privateTo.shift();
      other = (to && (this.state.people.get(to)?.name ?? this.blocked.get(to))) || '';
    }
    this.addEntry({
      kind: 'chat',
      name: message.name,
      text: message.text,
      scope: message.scope,
      at: message.at,
      other,
      self,
    });
    if (self) this.chatNotice = '';
  }

  private onEvent(event: EventMessage): void {
    this.state.applyEvent(event);
    const person = event.target ? this.state.people.get(event.target) : undefined;
    const isMe = event.target === this.state.you;
    const name = person?.name ?? '';
    switch (event.kind) {
      case 'muted':
        this.announce(isMe ? t('world.announce.youMuted') : t('world.announce.muted', { name }));
        this.updateCalls();
        break;
      case 'unmuted':
        this.announce(isMe ? t('world.announce.youUnmuted') : t('world.announce.unmuted', { name }));
        this.updateCalls();
        break;
      case 'away':
        if (name) this.announce(t('world.announce.away', { name }));
        break;
      case 'back':
        if (name) this.announce(t('world.announce.back', { name }));
        break;
      case 'removed':
        if (!isMe) this.announce(t('world.announce.removed', { name: name || t('world.chat.someone') }));
        break;
      case 'locked':
        this.announce(t('world.announce.locked'));
        break;
      case 'unlocked':
        this.announce(t('world.announce.unlocked'));
        break;
      case 'ended':
        this.announce(t('world.closed.ended'));
        break;
      default:
        break;
    }
  }

  private onServerError(code: string): void {
    switch (code) {
      case 'muted':
        this.chatNotice = t('world.chat.mutedNotice');
        break;
      case 'no_recipient':
        this.chatNotice = t('world.chat.noRecipient');
        break;
      case 'too_fast':
        this.resendUntil = performance.now() + 5000;
        break;
      case 'forbidden':
        this.announce(t('error.notAllowed'));
        break;
      default:
        break;
    }
  }

  private connectionChanged(state: ConnectionState): void {
    this.link = state;
    if (state.kind !== 'closed') return;
    this.calls?.leave();
    this.controls.stop();
    const messages: Record<number, string> = {
      4000: t('world.closed.removed'),
      4001: t('world.closed.ended'),
      4010: t('world.closed.replaced'),
      4401: t('world.closed.signedOut'),
      4403: t('world.closed.forbidden'),
      4404: t('world.space.notFound'),
    };
    this.closedMessage = messages[state.code] ?? t('world.closed.other');
    this.announce(this.closedMessage);
  }

  // ---- announcements and re-renders -------------------------------------------------------------

  /** Say something to screen readers (a few at a time; a crowd is summed up). */
  private announce(message: string): void {
    this.announceQueue.push(message);
    if (this.announceTimer !== null) return;
    this.announceTimer = window.setTimeout(() => {
      this.announceTimer = null;
      const queue = this.announceQueue;
      this.announceQueue = [];
      this.announcement =
        queue.length > 4 ? `${queue.slice(0, 3).join(' ')} ${t('world.announce.more', { count: queue.length - 3 })}` : queue.join(' ');
    }, 400);
  }

  private bump(): void {
    this.version += 1;
  }

  /** Positions change many times a second: lists are refreshed at most twice a second. */
  private bumpSoon(): void {
    if (this.renderTimer !== null) return;
    this.renderTimer = window.setTimeout(() => {
      this.renderTimer = null;
      this.bump();
    }, 500);
  }

  // ---- actions -----------------------------------------------------------------------------------

  private goNear(x: number, z: number, name: string): void {
    if (this.state.spectator) return;
    this.walkingTo = name;
    this.controls.walkTo(x, z, {
      speed: this.mode === '2d' ? WALK_2D_SPEED : WALK_3D_SPEED,
      stopAt: GO_NEAR_STOP,
    });
    if (this.state.distanceTo(x, z) <= GO_NEAR_STOP + 0.05) this.controls.stop(true);
  }

  private onGoNear(event: CustomEvent<{ id: string }>): void {
    const person = this.state.people.get(event.detail.id);
    if (person) this.goNear(person.x, person.z, person.name);
  }

  private onGoNearObject(event: CustomEvent<{ id: string }>): void {
    const object = this.state.objects.get(event.detail.id);
    if (object) this.goNear(object.p[0], object.p[2], objectName(object));
  }

  private onSendChat(event: CustomEvent<SendChatDetail>): void {
    const { text, scope, to } = event.detail;
    if (!this.socket?.chat(text, scope, to)) {
      this.chatNotice = t('world.chat.offline');
      return;
    }
    if (scope === 'private' && to) this.privateTo.push(to);
  }

  private onBlock(event: CustomEvent<{ id: string; name: string; on: boolean }>): void {
    const { id, name, on } = event.detail;
    this.socket?.block(id, on);
    const blocked = new Map(this.blocked);
    if (on) {
      blocked.set(id, name);
      this.announce(t('world.announce.blocked', { name }));
    } else {
      blocked.delete(id);
      this.announce(t('world.announce.unblocked', { name }));
    }
    this.blocked = blocked;
    this.updateCalls(); // a call with someone just blocked hangs up
  }

  private onModerate(event: CustomEvent<{ action: ModAction; target?: string }>): void {
    this.socket?.moderate(event.detail.action, event.detail.target);
  }

  /** Place a poster, note or model two metres in front of oneself, facing back. */
  private onAddObject(event: CustomEvent<NewObjectDetail>): void {
    const pose = this.controls.pose;
    const bound = this.controls.bound - 0.5;
    const clamp = (v: number) => Math.max(-bound, Math.min(bound, v));
    this.socket?.addObject({
      ...event.detail,
      p: [round(clamp(pose.x - Math.sin(pose.yaw) * 2)), 0, round(clamp(pose.z - Math.cos(pose.yaw) * 2))],
      yaw: round(pose.yaw),
    });
  }

  private onRemoveObject(event: CustomEvent<{ id: string; name: string }>): void {
    if (!confirm(t('world.objects.removeConfirm', { name: event.detail.name }))) return;
    this.socket?.deleteObject(event.detail.id);
  }

  private onWriteTo(event: CustomEvent<{ id: string }>): void {
    void this.querySelector<ChatPanel>('cv-chat-panel')?.writeTo(event.detail.id);
  }

  // ---- rendering ---------------------------------------------------------------------------------

  private statusLine() {
    const state = this.link;
    switch (state.kind) {
      case 'connecting':
        return html`<span class="world-status world-status--busy">${t('world.status.connecting')}</span>`;
      case 'open':
        return html`<span class="world-status world-status--ok">${t('world.status.connected')}</span>`;
      case 'reconnecting':
        return html`<span class="world-status world-status--warn">
            ${t('world.status.reconnecting', { count: state.inSeconds })}
          </span>
          <button class="button button--quiet" type="button" @click=${() => this.socket?.retryNow()}>
            ${t('world.status.retry')}
          </button>`;
      case 'closed':
        return html`<span class="world-status world-status--warn">${t('world.status.closed')}</span>`;
      default:
        return nothing;
    }
  }

  private renderStage() {
    if (this.mode === '2d') {
      return html`<cv-world-2d
        .state=${this.state}
        .spaceName=${this.space?.name ?? ''}
        .walkingTo=${this.walkingTo}
        .version=${this.version}
        .people=${this.renderPeople()}
        .objects=${this.renderObjects()}
        @stop-walking=${() => this.controls.stop()}
      ></cv-world-2d>`;
    }
    return html`
      <div class="world-stage">
        <div
          class="world-viewport"
          tabindex="0"
          role="application"
          aria-label=${t('world.view3d.label', { space: this.space?.name ?? '' })}
          aria-describedby="world-keys"
        >
          <div class="world-canvas-host"></div>
          <div class="world-joystick" aria-hidden="true"><div class="world-joystick__knob"></div></div>
        </div>
        ${this.sceneLoading ? html`<p class="loading" role="status">${t('world.scene.loading')}</p>` : nothing}
        <p id="world-keys" class="field-hint">${t('world.view3d.keys')}</p>
        ${this.walkingTo
          ? html`<p class="world-walking">
              ${t('world.view2d.walking', { name: this.walkingTo })}
              <button class="button button--quiet" type="button" @click=${() => this.controls.stop()}>
                ${t('world.view2d.stop')}
              </button>
            </p>`
          : nothing}
        <div class="world-vr-slot"></div>
      </div>
    `;
  }

  private renderObjects() {
    return html`<cv-world-objects
      .state=${this.state}
      .facilitator=${this.space?.facilitator ?? false}
      .version=${this.version}
      @go-near-object=${(e: CustomEvent<{ id: string }>) => this.onGoNearObject(e)}
      @add-object=${(e: CustomEvent<NewObjectDetail>) => this.onAddObject(e)}
      @remove-object=${(e: CustomEvent<{ id: string; name: string }>) => this.onRemoveObject(e)}
    ></cv-world-objects>`;
  }

  private renderPeople() {
    const state = this.state;
    return html`<cv-people-panel
      .people=${state.others().filter((p) => !this.blocked.has(p.id))}
      .me=${state.me ?? null}
      .blocked=${this.blocked}
      .facilitator=${this.space?.facilitator ?? false}
      .locked=${state.locked}
      .spectator=${state.spectator}
      .version=${this.version}
      @go-near=${(e: CustomEvent<{ id: string }>) => this.onGoNear(e)}
      @write-to=${(e: CustomEvent<{ id: string }>) => this.onWriteTo(e)}
      @block=${(e: CustomEvent<{ id: string; name: string; on: boolean }>) => this.onBlock(e)}
      @moderate=${(e: CustomEvent<{ action: ModAction; target?: string }>) => this.onModerate(e)}
    ></cv-people-panel>`;
  }

  override render() {
    if (this.loadError) {
      return html`<div class="panel">
        <h1>${t('world.space.title')}</h1>
        <div class="form-error" role="alert">${this.loadError}</div>
        <p><a class="button button--secondary" href="/spaces">${t('world.space.back')}</a></p>
      </div>`;
    }
    const space = this.space;
    if (!space) {
      return html`<div class="panel"><h1>${t('world.space.title')}</h1><p class="loading" role="status">${t('app.loading')}</p></div>`;
    }
    const people = [...this.state.people.values()];
    const recipients: Recipient[] = people
      .filter((p) => !p.self && !this.blocked.has(p.id))
      .map((p) => ({ id: p.id, name: p.name }));
    const names = new Map(people.map((p) => [p.id, p.name]));
    const closed = this.link.kind === 'closed';
    return html`
      <div class="world-head">
        <div>
          <p class="eyebrow">${templateName(space.template)}</p>
          <h1>${space.name}</h1>
          <p class="world-connection">${this.statusLine()}</p>
        </div>
        <div class="actions">
          <button
            class="button button--secondary"
            type="button"
            ?disabled=${this.mode === '2d' && !this.webgl}
            @click=${() => updateWorldSettings({ mode: this.mode === '3d' ? '2d' : '3d' })}
          >
            ${this.mode === '3d' ? t('world.mode.use2d') : t('world.mode.use3d')}
          </button>
          <a class="button button--quiet" href="/spaces">${t('world.space.leave')}</a>
        </div>
      </div>
      ${this.closedMessage ? html`<div class="form-error" role="alert">${this.closedMessage}</div>` : nothing}
      ${this.sceneError ? html`<div class="world-notice" role="status">${this.sceneError}</div>` : nothing}
      ${this.notices.map((notice) => html`<div class="world-notice" role="status">${notice}</div>`)}
      ${this.state.locked ? html`<div class="world-notice">${t('world.notice.locked')}</div>` : nothing}
      <div class="world-layout world-layout--${this.mode}">
        <div class="world-main">
          ${this.renderStage()}
        </div>
        <div class="world-side">
          ${this.mode === '3d' ? this.renderPeople() : nothing}
          ${this.mode === '3d' ? this.renderObjects() : nothing}
          <cv-chat-panel
            .entries=${this.entries}
            .recipients=${recipients}
            .notice=${this.chatNotice}
            ?disabled=${closed}
            @send-chat=${this.onSendChat}
            @emote=${(e: CustomEvent<{ name: string }>) => this.socket?.emote(e.detail.name)}
          ></cv-chat-panel>
          ${this.state.spectator ? html`<p class="world-notice">${t('world.call.spectator')}</p>` : nothing}
          <cv-call-panel
            .calls=${this.calls}
            .names=${names}
            room=${space.id}
            ?meeting-default=${MEETING_TEMPLATES.includes(space.template)}
          ></cv-call-panel>
          <cv-world-settings .mode=${this.mode} .webgl=${this.webgl}></cv-world-settings>
          ${space.template === 'consult-room'
            ? html`<cv-consult-panel space-id=${space.id} .connection=${this.socket}></cv-consult-panel>`
            : nothing}
        </div>
      </div>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    `;
  }
}

/** The `calls` roster: a JSON list of avatar ids (anything else counts as empty). */
function parseIds(data: string): string[] {
  try {
    const ids: unknown = JSON.parse(data);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

customElements.define('cv-space', SpacePage);

declare global {
  interface HTMLElementTagNameMap {
    'cv-space': SpacePage;
  }
}
