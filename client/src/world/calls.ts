/**
 * Voice and video in a space: a WebRTC peer-to-peer mesh with the nearest people in the call,
 * signalled through the world hub (docs/protocol.md, "WebRTC signalling").
 *
 * - Who is in the call: `join()` sends `signal {to: "*", kind: "call", data: "on"}`; the hub
 *   remembers it, tells everyone in the space, and hands newcomers the list (`kind: "calls"`).
 * - Whom to connect to: on every `update()`, the nearest `maxPeers` people in the call within
 *   `range`; beyond that, a "limit" event (the note in the call panel).
 * - Who offers: the smaller avatar id, at once; the larger one only if no offer came within a
 *   moment (someone nearest to you may not count you among their nearest). If offers cross, the
 *   smaller id's offer wins and the other side drops its own (no glare).
 * - Every message carries the sender's call session (`s`) and the session it answers (`r`), so
 *   a peer who reloads the page or rejoins gets a fresh connection, never a stale one.
 * - Transceivers are made once (audio + video, send and receive): turning the camera on or off
 *   is `replaceTrack`, never a renegotiation.
 * - Sound goes through one Web Audio graph (spatial-audio.ts); video elements stay muted.
 */
import type { MessageKey } from '../i18n';
import { relativePosition, SpatialAudio, type VoiceRoute } from './spatial-audio';

export type SignalKind = 'offer' | 'answer' | 'ice' | 'bye' | 'call';

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

/** A failure to join, with the i18n key of a message for the person. */
export class CallError extends Error {
  readonly key: MessageKey;
  constructor(key: MessageKey, cause?: unknown) {
    super(key, { cause });
    this.name = 'CallError';
    this.key = key;
  }
}

interface CallOptions {
  selfId: string;
  send: (to: string, kind: SignalKind, data: string) => void;
  maxPeers?: number;
  iceServers?: RTCIceServer[];
  /** Metres within which people in the call are connected (default 25, the area of interest). */
  range?: number;
}

interface Peer {
  id: string;
  pc: RTCPeerConnection;
  /** The remote call session this connection belongs to (known from its first message). */
  remoteSid: string | null;
  stream: MediaStream;
  /** Chrome only feeds remote WebRTC audio into Web Audio while a media element plays it. */
  sink: HTMLAudioElement;
  pendingIce: RTCIceCandidateInit[];
  outgoingIce: RTCIceCandidateInit[];
  iceTimer: number | null;
  /** Serialises this peer's signalling steps (they are async). */
  chain: Promise<void>;
  timeout: number | null;
  disconnectedTimer: number | null;
  video: boolean;
  created: number;
  /** Video frames decoded so far, and for how many checks that number has not moved. */
  frames: number;
  still: number;
}

/** How long a connection may take to connect before it is dropped and retried. */
const CONNECT_TIMEOUT_MS = 20_000;
/** A connection "disconnected" this long is considered gone (it often recovers by itself). */
const DISCONNECTED_GRACE_MS = 8_000;
/** After a refusal ("bye") or a failure, wait this long before offering to that peer again. */
const BACKOFF_MS = 6_000;
/** The larger id waits this long for the smaller one's offer before offering itself. */
const FALLBACK_OFFER_MS = 1_500;
/** Candidates gathered within this window travel in one message. */
const ICE_BATCH_MS = 40;
/** A new connection with someone whose position is not known yet is kept this long. */
const UNPLACED_GRACE_MS = 5_000;
/** How often the incoming video is checked for frames (camera off = no frames). */
const VIDEO_CHECK_MS = 700;
/** Hysteresis at the range's edge, metres. */
const RANGE_SLACK = 2;
/** A connected person keeps their place among the nearest until someone is this much closer. */
const NEAREST_SLACK = 1;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '');
}

let cachedIceServers: Promise<RTCIceServer[]> | null = null;

/** The server's STUN/TURN list (`CAREVERSE_ICE_SERVERS`); empty works on a LAN. */
export function fetchIceServers(): Promise<RTCIceServer[]> {
  cachedIceServers ??= fetch('/api/world/ice-servers', { credentials: 'same-origin' })
    .then((response) => (response.ok ? (response.json() as Promise<RTCIceServer[]>) : []))
    .catch(() => []);
  return cachedIceServers;
}

export class CallManager extends EventTarget {
  readonly selfId: string;
  readonly maxPeers: number;
  readonly range: number;
  private readonly send: CallOptions['send'];
  private iceServers: RTCIceServer[] | undefined;

  private _joined = false;
  private _muted = false;
  private _cameraOn = false;
  private _spatial = true;
  private masterVolume = 1;
  private _localStream: MediaStream | null = null;
  private sid = '';
  private audio: SpatialAudio | null = null;

  /** People the hub says are in the call (not yourself). */
  private readonly inCall = new Set<string>();
  private readonly names = new Map<string, string>();
  private readonly peerMap = new Map<string, Peer>();
  private readonly volumes = new Map<string, number>();
  private readonly speakingSet = new Set<string>();
  private readonly moderated = new Set<string>();
  private readonly backoff = new Map<string, number>();
  private readonly fallbackTimers = new Map<string, number>();
  private wanted = new Set<string>();
  private self: { x: number; y: number; z: number; yaw: number } | null = null;
  private positions = new Map<string, PeerInfo>();
  private lastLimit = { connected: 0, waiting: 0 };
  private videoTimer: number | null = null;
  private joining = false;
  private attempt = 0;

  constructor(opts: CallOptions) {
    super();
    this.selfId = opts.selfId;
    this.send = opts.send;
    this.maxPeers = opts.maxPeers ?? 6;
    this.iceServers = opts.iceServers;
    this.range = opts.range ?? 25;
  }

  get joined(): boolean {
    return this._joined;
  }

  get muted(): boolean {
    return this._muted;
  }

  get cameraOn(): boolean {
    return this._cameraOn;
  }

  get spatial(): boolean {
    return this._spatial;
  }

  get localStream(): MediaStream | null {
    return this._localStream;
  }

  /** How many are connected and how many more in range wait beyond `maxPeers`. */
  get limit(): { connected: number; waiting: number } {
    return { ...this.lastLimit };
  }

  /** Whether you are speaking now (your microphone's level). */
  get selfSpeaking(): boolean {
    return this.speakingSet.has(this.selfId);
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
    // Created inside the click's task so that the autoplay policy lets it run.
    this.audio ??= new SpatialAudio((id, speaking) => this.speakingChanged(id, speaking));
    this.audio.setSpatial(this._spatial);
    this.audio.setMaster(this.masterVolume);
    const resumed = this.audio.resume();
    let stream: MediaStream;
    if (opts.audio || opts.video) {
      if (!navigator.mediaDevices?.getUserMedia) throw new CallError('call.error.insecure');
      stream = await this.openMedia(opts);
    } else {
      stream = new MediaStream();
    }
    await resumed;
    this.iceServers ??= await fetchIceServers();
    if (attempt !== this.attempt) {
      // leave() came while the camera was opening.
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this._localStream = stream;
    this._cameraOn = stream.getVideoTracks().length > 0;
    this._muted = this.moderated.has(this.selfId);
    for (const track of stream.getAudioTracks()) track.enabled = !this._muted;
    this.audio.add(this.selfId, stream, { audible: false });
    this.sid = randomId();
    this._joined = true;
    this.videoTimer = window.setInterval(() => void this.watchVideo(), VIDEO_CHECK_MS);
    this.send('*', 'call', 'on');
    this.reconcile();
    this.changed();
  }

  private async openMedia(opts: { audio: boolean; video: boolean }): Promise<MediaStream> {
    const audio: MediaTrackConstraints | false = opts.audio
      ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true }
      : false;
    const video: MediaTrackConstraints | false = opts.video
      ? { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } }
      : false;
    try {
      return await navigator.mediaDevices.getUserMedia({ audio, video });
    } catch (error) {
      const name = (error as DOMException | undefined)?.name ?? '';
      // No camera, or it is busy: join with the microphone alone.
      if (opts.video && opts.audio && name !== 'NotAllowedError' && name !== 'SecurityError') {
        try {
          return await navigator.mediaDevices.getUserMedia({ audio, video: false });
        } catch (second) {
          throw toCallError(second);
        }
      }
      throw toCallError(error);
    }
  }

  /** Hang up on everyone, release the microphone and camera, and leave the call. */
  leave(): void {
    this.attempt += 1; // abandons a join still opening the microphone
    if (!this._joined) return;
    // Everyone hangs up on "call off"; no "bye" each.
    this._joined = false;
    if (this.videoTimer !== null) window.clearInterval(this.videoTimer);
    this.videoTimer = null;
    for (const id of [...this.peerMap.keys()]) this.hangUp(id, true);
    for (const timer of this.fallbackTimers.values()) window.clearTimeout(timer);
    this.fallbackTimers.clear();
    this.backoff.clear();
    this.wanted = new Set();
    this.send('*', 'call', 'off');
    for (const track of this._localStream?.getTracks() ?? []) track.stop();
    this._localStream = null;
    this._cameraOn = false;
    this.audio?.remove(this.selfId);
    this.audio?.close();
    this.audio = null;
    this.speakingSet.clear();
    this.setLimit(0, 0);
    this.changed();
  }

  // ---- your microphone and camera ------------------------------------------------------------

  setMuted(muted: boolean): void {
    if (!muted && this.moderated.has(this.selfId)) return; // only a facilitator can undo that
    this._muted = muted;
    for (const track of this._localStream?.getAudioTracks() ?? []) track.enabled = !muted;
    this.changed();
  }

  /** Camera on or off for everyone at once: the senders' track is replaced, nothing renegotiated. */
  async setCamera(on: boolean): Promise<void> {
    if (!this._joined || !this._localStream || on === this._cameraOn) return;
    const stream = this._localStream;
    if (on) {
      let track: MediaStreamTrack | undefined;
      try {
        const media = await navigator.mediaDevices.getUserMedia({
          video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } },
        });
        track = media.getVideoTracks()[0];
      } catch (error) {
        throw toCallError(error);
      }
      if (!track) throw new CallError('call.error.noDevice');
      if (!this._joined) {
        track.stop();
        return;
      }
      stream.addTrack(track);
      this._cameraOn = true;
      await Promise.all([...this.peerMap.values()].map((peer) => this.videoSender(peer)?.replaceTrack(track)));
    } else {
      this._cameraOn = false;
      await Promise.all([...this.peerMap.values()].map((peer) => this.videoSender(peer)?.replaceTrack(null)));
      for (const track of stream.getVideoTracks()) {
        track.stop(); // the camera light goes off
        stream.removeTrack(track);
      }
    }
    this.changed();
  }

  // ---- what you hear -------------------------------------------------------------------------

  setVolume(peerId: string, volume: number): void {
    const clamped = Math.max(0, Math.min(1, Number.isFinite(volume) ? volume : 1));
    this.volumes.set(peerId, clamped);
    this.audio?.setVolume(peerId, this.heardVolume(peerId));
    this.changed();
  }

  /**
   * A facilitator muted (or unmuted) someone (the hub's `muted`/`unmuted` events, and `muted` in
   * their avatar state). For yourself: the microphone goes off and Unmute is refused until they
   * unmute you. For others: their sound is silenced on this side, so it holds even if their own
   * client ignores the decision.
   */
  setModerated(id: string, muted: boolean): void {
    if (muted === this.moderated.has(id)) return;
    if (muted) this.moderated.add(id);
    else this.moderated.delete(id);
    if (id === this.selfId) {
      if (muted) {
        this._muted = true;
        for (const track of this._localStream?.getAudioTracks() ?? []) track.enabled = false;
      }
    } else {
      this.audio?.setVolume(id, this.heardVolume(id));
    }
    this.changed();
  }

  /** Whether a facilitator has muted you. */
  get moderatorMuted(): boolean {
    return this.moderated.has(this.selfId);
  }

  private heardVolume(id: string): number {
    return this.moderated.has(id) ? 0 : (this.volumes.get(id) ?? 1);
  }

  /** The volume of the whole call (the world settings' volume), 0..1. */
  setMasterVolume(volume: number): void {
    this.masterVolume = Math.max(0, Math.min(1, Number.isFinite(volume) ? volume : 1));
    this.audio?.setMaster(this.masterVolume);
  }

  /** Spatial audio on, or off ("meeting mode": everyone in the call at equal volume). */
  setSpatial(on: boolean): void {
    this._spatial = on;
    this.audio?.setSpatial(on);
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
    this.backoff.delete(id);
    if (this.peerMap.has(id)) this.hangUp(id, false);
    this.reconcile();
    this.changed();
  }

  peers(): CallPeer[] {
    return [...this.peerMap.values()].map((peer) => ({
      id: peer.id,
      name: this.names.get(peer.id) ?? '',
      state: peer.pc.connectionState,
      stream: peer.stream,
      speaking: this.speakingSet.has(peer.id),
      volume: this.volumes.get(peer.id) ?? 1,
      video: peer.video,
      moderated: this.moderated.has(peer.id),
    }));
  }

  /** The RTCPeerConnection with someone (for diagnostics and tests). */
  connection(peerId: string): RTCPeerConnection | null {
    return this.peerMap.get(peerId)?.pc ?? null;
  }

  /** How someone's voice is routed and placed now (for diagnostics and tests). */
  audioRoute(peerId: string): VoiceRoute | null {
    return this.audio?.route(peerId) ?? null;
  }

  /** Whether someone is in the call, as the hub told us. */
  isInCall(peerId: string): boolean {
    return peerId === this.selfId ? this._joined : this.inCall.has(peerId);
  }

  // ---- signalling ----------------------------------------------------------------------------

  /** Feed every incoming `signal` message here. */
  handleSignal(from: string, kind: string, data: string): void {
    if (kind === 'calls') return this.onRoster(data);
    if (kind === 'call') return this.onAnnouncement(from, data === 'on');
    if (from === this.selfId) return;
    let message: { s?: unknown; r?: unknown; sdp?: unknown; c?: unknown };
    try {
      message = data ? (JSON.parse(data) as typeof message) : {};
    } catch {
      return;
    }
    const s = typeof message.s === 'string' ? message.s : '';
    const r = typeof message.r === 'string' ? message.r : null;
    if (r !== null && r !== this.sid) return; // meant for an earlier call session of ours
    switch (kind) {
      case 'offer':
        if (typeof message.sdp === 'string') this.onOffer(from, s, message.sdp);
        break;
      case 'answer':
        if (typeof message.sdp === 'string') this.onAnswer(from, s, message.sdp);
        break;
      case 'ice':
        if (Array.isArray(message.c)) this.onIce(from, s, message.c as RTCIceCandidateInit[]);
        break;
      case 'bye':
        this.onBye(from, s);
        break;
    }
  }

  private onRoster(data: string): void {
    let ids: unknown;
    try {
      ids = JSON.parse(data);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    const roster = new Set(ids.filter((id): id is string => typeof id === 'string'));
    // The hub's idea of you after a reconnect: correct it if it differs from the truth.
    if (roster.has(this.selfId) !== this._joined) this.send('*', 'call', this._joined ? 'on' : 'off');
    roster.delete(this.selfId);
    for (const id of [...this.inCall]) {
      if (!roster.has(id)) this.onAnnouncement(id, false);
    }
    for (const id of roster) this.inCall.add(id);
    this.reconcile();
    this.changed();
  }

  private onAnnouncement(from: string, on: boolean): void {
    if (from === this.selfId) {
      if (on !== this._joined) this.send('*', 'call', this._joined ? 'on' : 'off');
      return;
    }
    if (on) {
      // A fresh "on" is a fresh session on their side: any connection we had is stale.
      if (this.peerMap.has(from)) this.hangUp(from, false);
      this.inCall.add(from);
      this.backoff.delete(from);
    } else {
      this.inCall.delete(from);
      if (this.peerMap.has(from)) this.hangUp(from, false);
    }
    this.reconcile();
    this.changed();
  }

  private onOffer(from: string, s: string, sdp: string): void {
    if (!this._joined) {
      this.send(from, 'bye', JSON.stringify({ s: this.sid, r: s }));
      return;
    }
    let peer = this.peerMap.get(from);
    if (peer) {
      const sameSession = peer.remoteSid === null || peer.remoteSid === s;
      const crossing = peer.pc.signalingState === 'have-local-offer';
      if (crossing && sameSession && this.selfId < from) return; // our offer wins; theirs is dropped
      if (!sameSession || crossing) {
        this.hangUp(from, false, true);
        peer = undefined;
      }
    }
    if (!peer) {
      // Accept those we want; someone not placed yet only while there is room.
      const room = this.wanted.has(from) || (!this.positions.has(from) && this.connectedCount() < this.maxPeers);
      if (!room) {
        this.send(from, 'bye', JSON.stringify({ s: this.sid, r: s }));
        return;
      }
      this.inCall.add(from);
      peer = this.createPeer(from);
    }
    const target = peer;
    target.remoteSid = s;
    this.step(target, async () => {
      await target.pc.setRemoteDescription({ type: 'offer', sdp });
      this.attachLocalTracks(target);
      await this.flushIce(target);
      await target.pc.setLocalDescription(await target.pc.createAnswer());
      this.send(from, 'answer', JSON.stringify({ s: this.sid, r: s, sdp: target.pc.localDescription?.sdp }));
    });
  }

  private onAnswer(from: string, s: string, sdp: string): void {
    const peer = this.peerMap.get(from);
    if (!peer || peer.pc.signalingState !== 'have-local-offer') return;
    peer.remoteSid = s;
    this.step(peer, async () => {
      await peer.pc.setRemoteDescription({ type: 'answer', sdp });
      await this.flushIce(peer);
    });
  }

  private onIce(from: string, s: string, candidates: RTCIceCandidateInit[]): void {
    const peer = this.peerMap.get(from);
    if (!peer || (peer.remoteSid !== null && peer.remoteSid !== s)) return;
    this.step(peer, async () => {
      peer.pendingIce.push(...candidates);
      if (peer.pc.remoteDescription) await this.flushIce(peer);
    });
  }

  private onBye(from: string, s: string): void {
    const peer = this.peerMap.get(from);
    if (peer && peer.remoteSid !== null && s && peer.remoteSid !== s) return;
    if (peer) this.hangUp(from, false);
    // They refused or hung up: do not offer again at once (they may be at their own limit).
    this.backoff.set(from, performance.now() + BACKOFF_MS);
    window.setTimeout(() => this.reconcile(), BACKOFF_MS + 50);
    this.changed();
  }

  // ---- connections ---------------------------------------------------------------------------

  private createPeer(id: string): Peer {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers ?? [], bundlePolicy: 'max-bundle' });
    const stream = new MediaStream();
    const sink = new Audio();
    sink.muted = true;
    sink.autoplay = true;
    const peer: Peer = {
      id, pc, remoteSid: null, stream, sink, pendingIce: [], outgoingIce: [], iceTimer: null,
      chain: Promise.resolve(), timeout: null, disconnectedTimer: null, video: false,
      created: performance.now(), frames: 0, still: 0,
    }; // prettier-ignore
    this.peerMap.set(id, peer);
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      peer.outgoingIce.push(candidate.toJSON());
      peer.iceTimer ??= window.setTimeout(() => {
        peer.iceTimer = null;
        const batch = peer.outgoingIce.splice(0);
        if (batch.length && this.peerMap.get(id) === peer) {
          this.send(id, 'ice', JSON.stringify({ s: this.sid, r: peer.remoteSid ?? undefined, c: batch }));
        }
      }, ICE_BATCH_MS);
    };
    pc.ontrack = ({ track }) => {
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
      if (track.kind === 'audio') this.startAudio(peer);
      // Whether their camera is on is read from the frames that arrive (see watchVideo).
      this.changed();
    };
    pc.onconnectionstatechange = () => this.stateChanged(peer);
    peer.timeout = window.setTimeout(() => {
      if (this.peerMap.get(id) === peer && pc.connectionState !== 'connected') this.retryLater(id);
    }, CONNECT_TIMEOUT_MS);
    this.changed();
    return peer;
  }

  /** Route a peer's audio: a muted element keeps Chrome's remote track flowing into Web Audio. */
  private startAudio(peer: Peer): void {
    if (!this.audio || this.audio.has(peer.id)) return;
    peer.sink.srcObject = peer.stream;
    void peer.sink.play().catch(() => undefined);
    this.audio.add(peer.id, peer.stream, { audible: true, volume: this.heardVolume(peer.id) });
    this.placeVoices();
  }

  private async offer(id: string): Promise<void> {
    const peer = this.createPeer(id);
    const audio = this._localStream?.getAudioTracks()[0] ?? null;
    const video = this._localStream?.getVideoTracks()[0] ?? null;
    const streams = this._localStream ? [this._localStream] : [];
    peer.pc.addTransceiver(audio ?? 'audio', { direction: 'sendrecv', streams });
    peer.pc.addTransceiver(video ?? 'video', { direction: 'sendrecv', streams });
    this.step(peer, async () => {
      await peer.pc.setLocalDescription(await peer.pc.createOffer());
      this.send(id, 'offer', JSON.stringify({ s: this.sid, sdp: peer.pc.localDescription?.sdp }));
    });
  }

  /** On the answering side: send our microphone and camera on the transceivers the offer made. */
  private attachLocalTracks(peer: Peer): void {
    const stream = this._localStream;
    for (const transceiver of peer.pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      const track = (kind === 'audio' ? stream?.getAudioTracks() : stream?.getVideoTracks())?.[0] ?? null;
      transceiver.direction = 'sendrecv';
      if (transceiver.sender.track !== track) void transceiver.sender.replaceTrack(track);
      if (stream) transceiver.sender.setStreams(stream);
    }
  }

  private videoSender(peer: Peer): RTCRtpSender | undefined {
    return peer.pc.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender;
  }

  private async flushIce(peer: Peer): Promise<void> {
    const candidates = peer.pendingIce.splice(0);
    for (const candidate of candidates) {
      try {
        await peer.pc.addIceCandidate(candidate);
      } catch {
        // A candidate of an abandoned negotiation; harmless.
      }
    }
  }

  /** Run a signalling step after the previous ones of this peer; a failure retries later. */
  private step(peer: Peer, work: () => Promise<void>): void {
    peer.chain = peer.chain.then(async () => {
      if (this.peerMap.get(peer.id) !== peer) return;
      try {
        await work();
      } catch {
        if (this.peerMap.get(peer.id) === peer) this.retryLater(peer.id);
      }
    });
  }

  private stateChanged(peer: Peer): void {
    if (this.peerMap.get(peer.id) !== peer) return;
    const state = peer.pc.connectionState;
    if (peer.disconnectedTimer !== null) {
      window.clearTimeout(peer.disconnectedTimer);
      peer.disconnectedTimer = null;
    }
    if (state === 'connected') {
      this.backoff.delete(peer.id);
    } else if (state === 'failed') {
      this.retryLater(peer.id);
    } else if (state === 'disconnected') {
      peer.disconnectedTimer = window.setTimeout(() => {
        if (this.peerMap.get(peer.id) === peer) this.retryLater(peer.id);
      }, DISCONNECTED_GRACE_MS);
    }
    this.changed();
  }

  private retryLater(id: string): void {
    this.hangUp(id, true);
    this.backoff.set(id, performance.now() + BACKOFF_MS);
    window.setTimeout(() => this.reconcile(), BACKOFF_MS + 50);
  }

  /** Close a connection; `tell` sends "bye" so the other side closes too. */
  private hangUp(id: string, tell: boolean, quiet = false): void {
    const peer = this.peerMap.get(id);
    if (!peer) return;
    this.peerMap.delete(id);
    if (tell && this._joined) {
      this.send(id, 'bye', JSON.stringify({ s: this.sid, r: peer.remoteSid ?? undefined }));
    }
    for (const timer of [peer.timeout, peer.disconnectedTimer, peer.iceTimer]) {
      if (timer !== null) window.clearTimeout(timer);
    }
    peer.pc.onicecandidate = null;
    peer.pc.ontrack = null;
    peer.pc.onconnectionstatechange = null;
    peer.pc.close();
    peer.sink.srcObject = null;
    this.audio?.remove(id);
    if (this.speakingSet.delete(id)) this.emitSpeaking(id, false);
    if (!quiet) this.changed();
  }

  /**
   * A camera turned off sends no frames (replaceTrack(null)); the receiving track is not reliably
   * muted for it, so count decoded frames: moving means video, two still checks mean none.
   */
  private async watchVideo(): Promise<void> {
    let changed = false;
    for (const peer of [...this.peerMap.values()]) {
      const receiver = peer.pc.getReceivers().find((r) => r.track.kind === 'video');
      if (!receiver || peer.pc.connectionState !== 'connected') continue;
      let frames = 0;
      try {
        (await receiver.getStats()).forEach((report: { type: string; framesDecoded?: number }) => {
          if (report.type === 'inbound-rtp') frames = Math.max(frames, report.framesDecoded ?? 0);
        });
      } catch {
        continue;
      }
      const moving = frames > peer.frames;
      peer.frames = frames;
      peer.still = moving ? 0 : peer.still + 1;
      const video = receiver.track.readyState === 'live' && (moving || (peer.video && peer.still < 2));
      if (video !== peer.video) {
        peer.video = video;
        changed = true;
      }
    }
    if (changed) this.changed();
  }

  private connectedCount(): number {
    return this.peerMap.size;
  }

  /** Connect to the nearest people in the call within range; hang up on those no longer wanted. */
  private reconcile(): void {
    if (!this._joined || !this.self) {
      this.wanted = new Set();
      return;
    }
    const { x, z } = this.self;
    const now = performance.now();
    const candidates: { id: string; distance: number }[] = [];
    for (const id of this.inCall) {
      const where = this.positions.get(id);
      if (!where) continue;
      const distance = Math.hypot(where.x - x, where.z - z);
      const connected = this.peerMap.has(id);
      if (distance > this.range + (connected ? RANGE_SLACK : 0)) continue;
      candidates.push({ id, distance: distance - (connected ? NEAREST_SLACK : 0) });
    }
    candidates.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
    const chosen = candidates.slice(0, this.maxPeers).map((c) => c.id);
    this.wanted = new Set(chosen);
    for (const [id, peer] of [...this.peerMap]) {
      // An offer can come a moment before the delta that shows where its sender stands.
      const unplaced = !this.positions.has(id) && now - peer.created < UNPLACED_GRACE_MS;
      if (!this.wanted.has(id) && !unplaced) this.hangUp(id, true);
    }
    for (const id of chosen) {
      if (this.peerMap.has(id) || (this.backoff.get(id) ?? 0) > now) continue;
      if (this.selfId < id) {
        void this.offer(id);
      } else if (!this.fallbackTimers.has(id)) {
        // Give the smaller id a moment to offer; offer ourselves if it does not want us.
        this.fallbackTimers.set(
          id,
          window.setTimeout(() => {
            this.fallbackTimers.delete(id);
            if (this._joined && this.wanted.has(id) && !this.peerMap.has(id)) void this.offer(id);
          }, FALLBACK_OFFER_MS),
        );
      }
    }
    this.setLimit(chosen.length, Math.max(0, candidates.length - chosen.length));
  }

  private placeVoices(): void {
    if (!this.audio || !this.self) return;
    for (const id of this.peerMap.keys()) {
      const where = this.positions.get(id);
      if (!where) continue;
      const { dx, dz } = relativePosition(this.self, where.x, where.z);
      this.audio.place(id, dx, dz);
    }
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

  private speakingChanged(id: string, speaking: boolean): void {
    const isSelf = id === this.selfId;
    if (!isSelf && (!this.peerMap.has(id) || this.moderated.has(id))) speaking = false;
    if (speaking === this.speakingSet.has(id)) return;
    if (speaking) this.speakingSet.add(id);
    else this.speakingSet.delete(id);
    this.emitSpeaking(id, speaking);
    this.changed();
  }

  private emitSpeaking(id: string, speaking: boolean): void {
    this.dispatchEvent(new CustomEvent('speaking', { detail: { id, speaking } }));
  }

  private changeQueued = false;

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

function toCallError(error: unknown): CallError {
  if (error instanceof CallError) return error;
  const name = (error as DOMException | undefined)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return new CallError('call.error.denied', error);
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new CallError('call.error.noDevice', error);
  if (name === 'NotReadableError' || name === 'AbortError') return new CallError('call.error.busy', error);
  return new CallError('call.error.failed', error);
}
