/**
 * The call's peer connections and their signalling (offer, answer, ICE candidates, bye): one
 * RTCPeerConnection per person connected, created, negotiated, watched and closed here. Whom
 * to connect to, and who is in the call, is the CallManager's to say (calls.ts).
 *
 * - Every message carries the sender's call session (`s`) and the session it answers (`r`),
 *   so a peer who reloads the page or rejoins gets a fresh connection, never a stale one.
 * - If offers cross, the smaller avatar id's offer wins and the other side drops its own.
 * - Transceivers are made once (audio + video, send and receive): turning the camera on or off
 *   is `replaceTrack`, never a renegotiation.
 * - A dropped connection recovers by itself: when it goes "disconnected" or "failed" (or the
 *   space's socket comes back, see `restartStalled`), the smaller avatar id restarts ICE on the
 *   same connection (a new offer with fresh ICE credentials); if that does not bring it back,
 *   the connection is closed and offered afresh.
 */

export type SignalKind = 'offer' | 'answer' | 'ice' | 'bye' | 'call';

/** A connection with one person. */
export interface Peer {
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
  /** ICE restarts tried since the connection was last connected. */
  restarts: number;
}

/** What the mesh needs from the call around it. */
export interface MeshHost {
  readonly selfId: string;
  send(to: string, kind: SignalKind, data: string): void;
  /** Our call session (fresh on each join). */
  session(): string;
  joined(): boolean;
  localStream(): MediaStream | null;
  iceServers(): RTCIceServer[];
  /** Whether to take an offer from someone not connected yet (who then counts as in the call). */
  admit(id: string): boolean;
  /** Whether someone is still among those to connect to. */
  wants(id: string): boolean;
  /** A peer's first audio track arrived: route it. */
  audioArrived(peer: Peer): void;
  /** A connection was closed: stop hearing that person. */
  closed(id: string): void;
  /** Choose whom to connect to again (after a refusal or failure has waited its turn). */
  reconcile(): void;
  changed(): void;
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
/** ICE restarts tried on one connection before it is closed and offered afresh. */
const MAX_ICE_RESTARTS = 2;

export class PeerMesh {
  private readonly peers = new Map<string, Peer>();
  /** Until when (performance.now()) not to offer to someone again. */
  private readonly backoff = new Map<string, number>();
  private readonly fallbackTimers = new Map<string, number>();

  constructor(private readonly host: MeshHost) {}

  get size(): number {
    return this.peers.size;
  }

  has(id: string): boolean {
    return this.peers.has(id);
  }

  get(id: string): Peer | undefined {
    return this.peers.get(id);
  }

  all(): Peer[] {
    return [...this.peers.values()];
  }

  /** Whether an offer to someone must wait after a refusal or failure. */
  private waiting(id: string, now: number): boolean {
    return (this.backoff.get(id) ?? 0) > now;
  }

  forgive(id: string): void {
    this.backoff.delete(id);
  }

  /** Hang up on everyone and forget the refusals (leaving the call). */
  closeAll(tell: boolean): void {
    for (const id of [...this.peers.keys()]) this.hangUp(id, tell);
    for (const timer of this.fallbackTimers.values()) window.clearTimeout(timer);
    this.fallbackTimers.clear();
    this.backoff.clear();
  }

  /**
   * Connect to someone (unless connected, or waiting after a refusal). The smaller avatar id
   * offers at once; the larger gives it a moment and offers itself only if no offer came
   * (someone nearest to you may not count you among their nearest).
   */
  connect(id: string, now: number): void {
    if (this.peers.has(id) || this.waiting(id, now)) return;
    if (this.host.selfId < id) {
      this.offer(id);
      return;
    }
    if (this.fallbackTimers.has(id)) return;
    const timer = window.setTimeout(() => {
      this.fallbackTimers.delete(id);
      if (this.host.joined() && this.host.wants(id) && !this.peers.has(id)) this.offer(id);
    }, FALLBACK_OFFER_MS);
    this.fallbackTimers.set(id, timer);
  }

  // ---- negotiation -----------------------------------------------------------------------------

  /** An offer, answer, ICE or bye message from someone, as the hub passed it on. */
  receive(from: string, kind: string, data: string): void {
    let message: { s?: unknown; r?: unknown; sdp?: unknown; c?: unknown };
    try {
      message = data ? (JSON.parse(data) as typeof message) : {};
    } catch {
      return;
    }
    const s = typeof message.s === 'string' ? message.s : '';
    const r = typeof message.r === 'string' ? message.r : null;
    if (r !== null && r !== this.host.session()) return; // meant for an earlier call session of ours
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

  private offer(id: string): void {
    const peer = this.create(id);
    const local = this.host.localStream();
    const audio = local?.getAudioTracks()[0] ?? null;
    const video = local?.getVideoTracks()[0] ?? null;
    const streams = local ? [local] : [];
    peer.pc.addTransceiver(audio ?? 'audio', { direction: 'sendrecv', streams });
    peer.pc.addTransceiver(video ?? 'video', { direction: 'sendrecv', streams });
    this.step(peer, async () => {
      await peer.pc.setLocalDescription(await peer.pc.createOffer());
      this.host.send(id, 'offer', JSON.stringify({ s: this.host.session(), sdp: peer.pc.localDescription?.sdp }));
    });
  }

  private onOffer(from: string, s: string, sdp: string): void {
    const host = this.host;
    if (!host.joined()) {
      host.send(from, 'bye', JSON.stringify({ s: host.session(), r: s }));
      return;
    }
    let peer = this.peers.get(from);
    if (peer) {
      const sameSession = peer.remoteSid === null || peer.remoteSid === s;
      const crossing = peer.pc.signalingState === 'have-local-offer';
      if (crossing && sameSession && host.selfId < from) return; // our offer wins; theirs is dropped
      if (!sameSession || crossing) {
        this.hangUp(from, false, true);
        peer = undefined;
      }
    }
    if (!peer) {
      if (!host.admit(from)) {
        host.send(from, 'bye', JSON.stringify({ s: host.session(), r: s }));
        return;
      }
      peer = this.create(from);
    }
    const target = peer;
    target.remoteSid = s;
    this.step(target, async () => {
      await target.pc.setRemoteDescription({ type: 'offer', sdp });
      this.attachLocalTracks(target);
      await this.flushIce(target);
      await target.pc.setLocalDescription(await target.pc.createAnswer());
      host.send(from, 'answer', JSON.stringify({ s: host.session(), r: s, sdp: target.pc.localDescription?.sdp }));
    });
  }

  private onAnswer(from: string, s: string, sdp: string): void {
    const peer = this.peers.get(from);
    if (!peer || peer.pc.signalingState !== 'have-local-offer') return;
    peer.remoteSid = s;
    this.step(peer, async () => {
      await peer.pc.setRemoteDescription({ type: 'answer', sdp });
      await this.flushIce(peer);
    });
  }

  private onIce(from: string, s: string, candidates: RTCIceCandidateInit[]): void {
    const peer = this.peers.get(from);
    if (!peer || (peer.remoteSid !== null && peer.remoteSid !== s)) return;
    this.step(peer, async () => {
      peer.pendingIce.push(...candidates);
      if (peer.pc.remoteDescription) await this.flushIce(peer);
    });
  }

  private onBye(from: string, s: string): void {
    const peer = this.peers.get(from);
    if (peer && peer.remoteSid !== null && s && peer.remoteSid !== s) return;
    if (peer) this.hangUp(from, false);
    // They refused or hung up: do not offer again at once (they may be at their own limit).
    this.backOff(from);
    this.host.changed();
  }

  /** The camera's track (or none) for everyone at once. */
  async replaceVideo(track: MediaStreamTrack | null): Promise<void> {
    await Promise.all(this.all().map((peer) => videoSender(peer)?.replaceTrack(track)));
  }

  // ---- connections -----------------------------------------------------------------------------

  private create(id: string): Peer {
    const host = this.host;
    const pc = new RTCPeerConnection({ iceServers: host.iceServers(), bundlePolicy: 'max-bundle' });
    const stream = new MediaStream();
    const sink = new Audio();
    sink.muted = true;
    sink.autoplay = true;
    const peer: Peer = {
      id, pc, remoteSid: null, stream, sink, pendingIce: [], outgoingIce: [], iceTimer: null,
      chain: Promise.resolve(), timeout: null, disconnectedTimer: null, video: false,
      created: performance.now(), frames: 0, still: 0, restarts: 0,
    }; // prettier-ignore
    this.peers.set(id, peer);
    pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      peer.outgoingIce.push(candidate.toJSON());
      peer.iceTimer ??= window.setTimeout(() => {
        peer.iceTimer = null;
        const batch = peer.outgoingIce.splice(0);
        if (batch.length && this.peers.get(id) === peer) {
          const r = peer.remoteSid ?? undefined;
          host.send(id, 'ice', JSON.stringify({ s: host.session(), r, c: batch }));
        }
      }, ICE_BATCH_MS);
    };
    pc.ontrack = ({ track }) => {
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
      if (track.kind === 'audio') host.audioArrived(peer);
      // Whether their camera is on is read from the frames that arrive (see watchVideo).
      host.changed();
    };
    pc.onconnectionstatechange = () => this.stateChanged(peer);
    peer.timeout = window.setTimeout(() => {
      if (this.peers.get(id) === peer && pc.connectionState !== 'connected') this.retryLater(id);
    }, CONNECT_TIMEOUT_MS);
    host.changed();
    return peer;
  }

  /** On the answering side: send our microphone and camera on the transceivers the offer made. */
  private attachLocalTracks(peer: Peer): void {
    const stream = this.host.localStream();
    for (const transceiver of peer.pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      const track = (kind === 'audio' ? stream?.getAudioTracks() : stream?.getVideoTracks())?.[0] ?? null;
      transceiver.direction = 'sendrecv';
      if (transceiver.sender.track !== track) void transceiver.sender.replaceTrack(track);
      if (stream) transceiver.sender.setStreams(stream);
    }
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
      if (this.peers.get(peer.id) !== peer) return;
      try {
        await work();
      } catch {
        if (this.peers.get(peer.id) === peer) this.retryLater(peer.id);
      }
    });
  }

  private stateChanged(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) return;
    const state = peer.pc.connectionState;
    if (peer.disconnectedTimer !== null) {
      window.clearTimeout(peer.disconnectedTimer);
      peer.disconnectedTimer = null;
    }
    if (state === 'connected') {
      this.backoff.delete(peer.id);
      peer.restarts = 0;
    } else if (state === 'failed' || state === 'disconnected' || peer.restarts > 0) {
      // The smaller id restarts ICE at once; the other side waits for that offer. Either way a
      // connection not back within the grace period is closed and offered afresh.
      const dropped = state === 'failed' || state === 'disconnected';
      const restarted = dropped && this.restartIce(peer);
      if (state === 'failed' && !restarted && this.host.selfId < peer.id) this.retryLater(peer.id);
      else {
        peer.disconnectedTimer = window.setTimeout(() => {
          if (this.peers.get(peer.id) === peer) this.retryLater(peer.id);
        }, DISCONNECTED_GRACE_MS);
      }
    }
    this.host.changed();
  }

  /**
   * Restart ICE with someone on the same connection (only the smaller avatar id does, so that
   * two restarts never cross); answers whether a restart was sent.
   */
  private restartIce(peer: Peer): boolean {
    const host = this.host;
    if (host.selfId > peer.id || !host.joined() || peer.restarts >= MAX_ICE_RESTARTS) return false;
    if (peer.pc.signalingState !== 'stable' || !peer.pc.remoteDescription) return false;
    peer.restarts += 1;
    this.step(peer, async () => {
      peer.pc.restartIce();
      await peer.pc.setLocalDescription(await peer.pc.createOffer({ iceRestart: true }));
      const r = peer.remoteSid ?? undefined;
      host.send(peer.id, 'offer', JSON.stringify({ s: host.session(), r, sdp: peer.pc.localDescription?.sdp }));
    });
    return true;
  }

  /**
   * The space's socket is back (signals sent while it was down are lost): restart ICE with
   * everyone whose connection is not connected, and offer again at once to those we backed
   * off from. `all` restarts every connection (a network change: the old paths may be gone).
   * Answers how many restarts were sent.
   */
  restartStalled(all = false): number {
    this.backoff.clear();
    let sent = 0;
    for (const peer of this.all()) {
      if (!all && peer.pc.connectionState === 'connected') continue;
      peer.restarts = 0;
      if (this.restartIce(peer)) sent += 1;
    }
    return sent;
  }

  private retryLater(id: string): void {
    this.hangUp(id, true);
    this.backOff(id);
  }

  private backOff(id: string): void {
    this.backoff.set(id, performance.now() + BACKOFF_MS);
    window.setTimeout(() => this.host.reconcile(), BACKOFF_MS + 50);
  }

  /** Close a connection; `tell` sends "bye" so the other side closes too. */
  hangUp(id: string, tell: boolean, quiet = false): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    const host = this.host;
    if (tell && host.joined()) {
      host.send(id, 'bye', JSON.stringify({ s: host.session(), r: peer.remoteSid ?? undefined }));
    }
    for (const timer of [peer.timeout, peer.disconnectedTimer, peer.iceTimer]) {
      if (timer !== null) window.clearTimeout(timer);
    }
    peer.pc.onicecandidate = null;
    peer.pc.ontrack = null;
    peer.pc.onconnectionstatechange = null;
    peer.pc.close();
    peer.sink.srcObject = null;
    host.closed(id);
    if (!quiet) host.changed();
  }

  /**
   * A camera turned off sends no frames (replaceTrack(null)); the receiving track is not reliably
   * muted for it, so count decoded frames: moving means video, two still checks mean none.
   * Answers whether anyone's video came or went.
   */
  async watchVideo(): Promise<boolean> {
    let changed = false;
    for (const peer of this.all()) {
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
    return changed;
  }
}

function videoSender(peer: Peer): RTCRtpSender | undefined {
  return peer.pc.getTransceivers().find((t) => t.receiver.track.kind === 'video')?.sender;
}
