/**
 * What you hear in a call: each person's voice at the volume you chose (silent while a
 * facilitator has muted them), the whole call's volume, voices placed around you or all equal
 * ("meeting mode"), and who is speaking. The sound itself is spatial-audio.ts's Web Audio graph.
 */
import type { Peer } from './call-mesh';
import { relativePosition, SpatialAudio, type VoiceRoute } from './spatial-audio';

interface HearingEvents {
  /** Whether someone is connected (only they can be heard speaking). */
  connected(id: string): boolean;
  /** Someone started or stopped speaking. */
  speaking(id: string, speaking: boolean): void;
}

export class CallHearing {
  private audio: SpatialAudio | null = null;
  private readonly volumes = new Map<string, number>();
  private readonly moderated = new Set<string>();
  private readonly speakingSet = new Set<string>();
  private master = 1;
  private _spatial = true;

  constructor(
    private readonly selfId: string,
    private readonly events: HearingEvents,
  ) {}

  get spatial(): boolean {
    return this._spatial;
  }

  /** Start the sound (inside the click's task, so that the autoplay policy lets it run). */
  start(): Promise<void> {
    this.audio ??= new SpatialAudio((id, speaking) => this.levelChanged(id, speaking));
    this.audio.setSpatial(this._spatial);
    this.audio.setMaster(this.master);
    return this.audio.resume();
  }

  /** Your own microphone: never played back, only listened to for "you are speaking". */
  listenToSelf(stream: MediaStream): void {
    this.audio?.add(this.selfId, stream, { audible: false });
  }

  stop(): void {
    this.audio?.remove(this.selfId);
    this.audio?.close();
    this.audio = null;
    this.speakingSet.clear();
  }

  /** Route a peer's audio: a muted element keeps Chrome's remote track flowing into Web Audio. */
  hear(peer: Peer): boolean {
    if (!this.audio || this.audio.has(peer.id)) return false;
    peer.sink.srcObject = peer.stream;
    void peer.sink.play().catch(() => undefined);
    this.audio.add(peer.id, peer.stream, { audible: true, volume: this.heardVolume(peer.id) });
    return true;
  }

  /** Stop hearing someone; answers whether they were speaking (and so stopped). */
  forget(id: string): boolean {
    this.audio?.remove(id);
    return this.speakingSet.delete(id);
  }

  isSpeaking(id: string): boolean {
    return this.speakingSet.has(id);
  }

  /** The volume you chose for someone, 0..1. */
  volume(id: string): number {
    return this.volumes.get(id) ?? 1;
  }

  setVolume(id: string, volume: number): void {
    const clamped = Math.max(0, Math.min(1, Number.isFinite(volume) ? volume : 1));
    this.volumes.set(id, clamped);
    this.audio?.setVolume(id, this.heardVolume(id));
  }

  isModerated(id: string): boolean {
    return this.moderated.has(id);
  }

  /** A facilitator's mute (or unmute); answers whether it changed anything. */
  setModerated(id: string, muted: boolean): boolean {
    if (muted === this.moderated.has(id)) return false;
    if (muted) this.moderated.add(id);
    else this.moderated.delete(id);
    if (id !== this.selfId) this.audio?.setVolume(id, this.heardVolume(id));
    return true;
  }

  private heardVolume(id: string): number {
    return this.moderated.has(id) ? 0 : this.volume(id);
  }

  /** The volume of the whole call, 0..1. */
  setMaster(volume: number): void {
    this.master = Math.max(0, Math.min(1, Number.isFinite(volume) ? volume : 1));
    this.audio?.setMaster(this.master);
  }

  setSpatial(on: boolean): void {
    this._spatial = on;
    this.audio?.setSpatial(on);
  }

  /** Place each voice where its person stands, relative to you. */
  place(
    self: { x: number; z: number; yaw: number } | null,
    ids: Iterable<string>,
    positions: ReadonlyMap<string, { x: number; z: number }>,
  ): void {
    if (!this.audio || !self) return;
    for (const id of ids) {
      const where = positions.get(id);
      if (!where) continue;
      const { dx, dz } = relativePosition(self, where.x, where.z);
      this.audio.place(id, dx, dz);
    }
  }

  route(id: string): VoiceRoute | null {
    return this.audio?.route(id) ?? null;
  }

  private levelChanged(id: string, speaking: boolean): void {
    if (id !== this.selfId && (!this.events.connected(id) || this.moderated.has(id))) speaking = false;
    if (speaking === this.speakingSet.has(id)) return;
    if (speaking) this.speakingSet.add(id);
    else this.speakingSet.delete(id);
    this.events.speaking(id, speaking);
  }
}
