/**
 * Voice and video in a space: a WebRTC peer-to-peer mesh with the nearest people in the call,
 * signalled through the world hub (docs/protocol.md, "WebRTC signalling").
 *
 * - Who is in the call: `join()` sends `signal {to: "*", kind: "call", data: "on"}`; the hub
 *   remembers it, tells everyone in the space, and hands newcomers the list (`kind: "calls"`;
 *   call-roster.ts).
 * - Whom to connect to: on every `update()`, the nearest `maxPeers` people in the call within
 *   `range` (call-nearest.ts); beyond that, a "limit" event (the note in the call panel).
 * - The connections themselves, who offers, and offer/answer/ICE/bye are call-mesh.ts's; the
 *   microphone and camera call-media.ts's.
 * - Sound goes through one Web Audio graph (spatial-audio.ts), which also tells who is
 *   speaking; video elements stay muted.
 */
import { nearestInCall } from './call-nearest';
import { PeerMesh, type MeshHost, type SignalKind } from './call-mesh';
import { CallHearing } from './call-hearing';
import { CallRoster } from './call-roster';
import { CallError, fetchIceServers, LocalMedia, openCamera, openMedia } from './call-media';
import type { VoiceRoute } from './spatial-audio';

export { CallError, fetchIceServers } from './call-media';
export type { SignalKind } from './call-mesh';

export interface PeerInfo {
  id: string;
  name: string;
  x: number;
  y: number;
  z: number;
}

export interface CallPeer {
  id: string;
  name: string;
  state: RTCPeerConnectionState;
  stream: MediaStream | null;
  speaking: boolean;
  volume: number;
  /** True while the person's camera sends frames (false: show their name instead). */
  video: boolean;
  /** A facilitator muted them: their sound is silenced here, whatever their client does. */
  moderated: boolean;
}

interface CallOptions {
  selfId: string;
  send: (to: string, kind: SignalKind, data: string) => void;
  maxPeers?: number;
  iceServers?: RTCIceServer[];
  /** Metres within which people in the call are connected (default 25, the area of interest). */
  range?: number;
}

/** A new connection with someone whose position is not known yet is kept this long. */
const UNPLACED_GRACE_MS = 5_000;
/** How often the incoming video is checked for frames (camera off = no frames). */
const VIDEO_CHECK_MS = 700;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '');
}

export class CallManager extends EventTarget {
  readonly selfId: string;
  readonly maxPeers: number;
  readonly range: number;
  private readonly send: CallOptions['send'];
  private iceServers: RTCIceServer[] | undefined;
  private readonly mesh: PeerMesh;
  private readonly hearing: CallHearing;

  private _joined = false;
  private readonly local = new LocalMedia();
  private sid = '';

  private readonly roster: CallRoster;
  private readonly names = new Map<string, string>();
  private wanted = new Set<string>();
  private self: { x: number; y: number; z: number; yaw: number } | null = null;
  private positions = new Map<string, PeerInfo>();
  private lastLimit = { connected: 0, waiting: 0 };
  private videoTimer: number | null = null;
  private joining = false;
  private attempt = 0;
  private changeQueued = false;

  constructor(opts: CallOptions) {
    super();
    this.selfId = opts.selfId;
    this.send = opts.send;
    this.maxPeers = opts.maxPeers ?? 6;
    this.iceServers = opts.iceServers;
    this.range = opts.range ?? 25;
    this.mesh = new PeerMesh(this.meshHost());
    this.roster = new CallRoster({
      selfId: this.selfId,
      joined: () => this._joined,
      announce: (on) => this.send('*', 'call', on ? 'on' : 'off'),
      hangUp: (id) => {
        if (this.mesh.has(id)) this.mesh.hangUp(id, false);
      },
      forgive: (id) => this.mesh.forgive(id),
      changed: () => {
        this.reconcile();
        this.changed();
      },
    });
    this.hearing = new CallHearing(this.selfId, {
      connected: (id) => this.mesh.has(id),
      speaking: (id, speaking) => {
        this.emitSpeaking(id, speaking);
        this.changed();
      },
    });
  }

  get joined(): boolean {
    return this._joined;
  }

  get muted(): boolean {
    return this.local.muted;
  }

  get cameraOn(): boolean {
    return this.local.cameraOn;
  }

  get spatial(): boolean {
    return this.hearing.spatial;
  }

  get localStream(): MediaStream | null {
    return this.local.stream;
  }

  /** How many are connected and how many more in range wait beyond `maxPeers`. */
  get limit(): { connected: number; waiting: number } {
    return { ...this.lastLimit };
  }

  /** Whether you are speaking now (your microphone's level). */
  get selfSpeaking(): boolean {
    return this.hearing.isSpeaking(this.selfId);
  }

  // ---- joining and leaving -------------------------------------------------------------------

  /** Open the microphone (and camera), start sound, and tell the space you are in the call. */
  async join(opts: { audio: boolean; video: boolean }): Promise<void> {
    if (this._joined || this.joining) return;
    this.joining = true;
    const attempt = ++this.attempt;
    try {
      await this.start(opts, attempt);
    } finally {
      this.joining = false;
    }
  }

  private async start(opts: { audio: boolean; video: boolean }, attempt: number): Promise<void> {
    if (typeof RTCPeerConnection === 'undefined') throw new CallError('call.error.unsupported');
    // Started inside the click's task so that the autoplay policy lets it run.
    const resumed = this.hearing.start();
    const stream = opts.audio || opts.video ? await openMedia(opts) : new MediaStream();
    await resumed;
    this.iceServers ??= await fetchIceServers();
    if (attempt !== this.attempt) {
      // leave() came while the camera was opening.
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.local.use(stream, this.hearing.isModerated(this.selfId));
    this.hearing.listenToSelf(stream);
    this.sid = randomId();
    this._joined = true;
    this.videoTimer = window.setInterval(() => void this.watchVideo(), VIDEO_CHECK_MS);
    this.send('*', 'call', 'on');
    this.reconcile();
    this.changed();
  }

  /** Hang up on everyone, release the microphone and camera, and leave the call. */
  leave(): void {
    this.attempt += 1; // abandons a join still opening the microphone
    if (!this._joined) return;
    // Everyone hangs up on "call off"; no "bye" each.
    this._joined = false;
    if (this.videoTimer !== null) window.clearInterval(this.videoTimer);
    this.videoTimer = null;
    this.mesh.closeAll(true);
    this.wanted = new Set();
    this.send('*', 'call', 'off');
    this.local.close();
    this.hearing.stop();
    this.setLimit(0, 0);
    this.changed();
  }

  // ---- your microphone and camera ------------------------------------------------------------

  setMuted(muted: boolean): void {
    if (!muted && this.hearing.isModerated(this.selfId)) return; // only a facilitator can undo that
    this.local.setMuted(muted);
    this.changed();
  }

  /** Camera on or off for everyone at once: the senders' track is replaced, nothing renegotiated. */
  async setCamera(on: boolean): Promise<void> {
    if (!this._joined || !this.local.stream || on === this.local.cameraOn) return;
    if (on) {
      const track = await openCamera();
      if (!this._joined) {
        track.stop();
        return;
      }
      this.local.addCamera(track);
      await this.mesh.replaceVideo(track);
    } else {
      await this.local.stopCamera(() => this.mesh.replaceVideo(null));
    }
    this.changed();
  }

  // ---- what you hear -------------------------------------------------------------------------

  setVolume(peerId: string, volume: number): void {
    this.hearing.setVolume(peerId, volume);
    this.changed();
  }

  /**
   * A facilitator muted (or unmuted) someone (the hub's `muted`/`unmuted` events, and `muted` in
   * their avatar state). For yourself: the microphone goes off and Unmute is refused until they
   * unmute you. For others: their sound is silenced on this side, so it holds even if their own
   * client ignores the decision.
   */
  setModerated(id: string, muted: boolean): void {
    if (!this.hearing.setModerated(id, muted)) return;
    if (id === this.selfId && muted) this.local.setMuted(true);
    this.changed();
  }

  /** Whether a facilitator has muted you. */
  get moderatorMuted(): boolean {
    return this.hearing.isModerated(this.selfId);
  }

  /** The volume of the whole call (the world settings' volume), 0..1. */
  setMasterVolume(volume: number): void {
    this.hearing.setMaster(volume);
  }

  /** Spatial audio on, or off ("meeting mode": everyone in the call at equal volume). */
  setSpatial(on: boolean): void {
    this.hearing.setSpatial(on);
    this.placeVoices();
    this.changed();
  }

  // ---- the space around you ------------------------------------------------------------------

  /** Positions of yourself and the people you can see: connects to the nearest in the call. */
  update(self: { x: number; y: number; z: number; yaw: number }, peers: PeerInfo[]): void {
    this.self = self;
    this.positions = new Map(peers.map((p) => [p.id, p]));
    for (const peer of peers) this.names.set(peer.id, peer.name);
    this.reconcile();
    this.placeVoices();
  }

  /**
   * Someone left the space or your area of interest. Whether they are still in the call is the
   * hub's to say ("call off" comes when they leave the space), so they stay known as callers.
   */
  peerLeft(id: string): void {
    this.positions.delete(id);
    this.mesh.forgive(id);
    if (this.mesh.has(id)) this.mesh.hangUp(id, false);
    this.reconcile();
    this.changed();
  }

  peers(): CallPeer[] {
    return this.mesh.all().map((peer) => ({
      id: peer.id,
      name: this.names.get(peer.id) ?? '',
      state: peer.pc.connectionState,
      stream: peer.stream,
      speaking: this.hearing.isSpeaking(peer.id),
      volume: this.hearing.volume(peer.id),
      video: peer.video,
      moderated: this.hearing.isModerated(peer.id),
    }));
  }

  /** The RTCPeerConnection with someone (for diagnostics and tests). */
  connection(peerId: string): RTCPeerConnection | null {
    return this.mesh.get(peerId)?.pc ?? null;
  }

  /** How someone's voice is routed and placed now (for diagnostics and tests). */
  audioRoute(peerId: string): VoiceRoute | null {
    return this.hearing.route(peerId);
  }

  /** Whether someone is in the call, as the hub told us. */
  isInCall(peerId: string): boolean {
    return peerId === this.selfId ? this._joined : this.roster.has(peerId);
  }

  // ---- signalling ----------------------------------------------------------------------------

  /**
   * Bring the call back after a drop: restart ICE with everyone not connected (or with
   * everyone, `all`), and connect again at once to those a failure had put on hold. Called by
   * itself when the space's socket comes back (the hub's `calls` list follows every welcome);
   * answers how many restarts were sent (the other side answers the restart offers).
   */
  reconnect(all = false): number {
    if (!this._joined) return 0;
    const sent = this.mesh.restartStalled(all);
    this.reconcile();
    this.changed();
    return sent;
  }

  /** Feed every incoming `signal` message here. */
  handleSignal(from: string, kind: string, data: string): void {
    if (kind === 'calls') {
      // The hub hands the list over on every (re)connection of the socket.
      this.roster.receiveList(data);
      this.reconnect();
      return;
    }
    if (kind === 'call') return this.roster.receiveAnnouncement(from, data === 'on');
    if (from !== this.selfId) this.mesh.receive(from, kind, data);
  }

  /** The mesh's view of this call. */
  private meshHost(): MeshHost {
    return {
      selfId: this.selfId,
      send: (to, kind, data) => this.send(to, kind, data),
      session: () => this.sid,
      joined: () => this._joined,
      localStream: () => this.local.stream,
      iceServers: () => this.iceServers ?? [],
      admit: (id) => {
        // Those we want; someone not placed yet only while there is room.
        const room = this.wanted.has(id) || (!this.positions.has(id) && this.mesh.size < this.maxPeers);
        if (room) this.roster.add(id);
        return room;
      },
      audioArrived: (peer) => {
        if (this.hearing.hear(peer)) this.placeVoices();
      },
      closed: (id) => {
        if (this.hearing.forget(id)) this.emitSpeaking(id, false);
      },
      wants: (id) => this.wanted.has(id),
      reconcile: () => this.reconcile(),
      changed: () => this.changed(),
    };
  }

  // ---- connections ---------------------------------------------------------------------------

  private async watchVideo(): Promise<void> {
    if (await this.mesh.watchVideo()) this.changed();
  }

  /** Connect to the nearest people in the call within range; hang up on those no longer wanted. */
  private reconcile(): void {
    if (!this._joined || !this.self) {
      this.wanted = new Set();
      return;
    }
    const now = performance.now();
    const { chosen, waiting } = nearestInCall({
      self: this.self,
      inCall: this.roster.values(),
      positions: this.positions,
      connected: (id) => this.mesh.has(id),
      range: this.range,
      maxPeers: this.maxPeers,
    });
    this.wanted = new Set(chosen);
    for (const peer of this.mesh.all()) {
      // An offer can come a moment before the delta that shows where its sender stands.
      const unplaced = !this.positions.has(peer.id) && now - peer.created < UNPLACED_GRACE_MS;
      if (!this.wanted.has(peer.id) && !unplaced) this.mesh.hangUp(peer.id, true);
    }
    for (const id of chosen) this.mesh.connect(id, now);
    this.setLimit(chosen.length, waiting);
  }

  private placeVoices(): void {
    this.hearing.place(this.self, this.mesh.all().map((peer) => peer.id), this.positions);
  }

  // ---- events --------------------------------------------------------------------------------

  private setLimit(connected: number, waiting: number): void {
    const before = this.lastLimit;
    this.lastLimit = { connected, waiting };
    if (waiting !== before.waiting || (waiting > 0 && connected !== before.connected)) {
      this.dispatchEvent(new CustomEvent('limit', { detail: { connected, waiting } }));
      this.changed();
    }
  }

  private emitSpeaking(id: string, speaking: boolean): void {
    this.dispatchEvent(new CustomEvent('speaking', { detail: { id, speaking } }));
  }

  /** "change", coalesced to one per microtask. */
  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      this.dispatchEvent(new Event('change'));
    });
  }
}
