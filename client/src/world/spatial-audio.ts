/**
 * The call's sound: one Web Audio graph in which every remote voice plays exactly once.
 *
 *   remote stream → MediaStreamAudioSourceNode ─┬→ AnalyserNode (speaking detection)
 *                                               └→ GainNode (per-person volume)
 *                                                    → PannerNode (HRTF), or a StereoPannerNode
 *                                                      with distance gain (equal-power fallback),
 *                                                      or nothing in meeting mode
 *                                                    → master → speakers
 *
 * Positions are given relative to the listener (`place(id, dx, dz)` in the listener's own frame:
 * +x to the right, -z straight ahead), so the AudioListener stays at the origin facing -z and
 * the same numbers drive both the HRTF panner and the stereo fallback.
 */

/** Speaking starts above this level (dBFS, RMS) and stops below the lower one: hysteresis. */
const SPEAK_ON_DB = -48;
const SPEAK_OFF_DB = -58;
/** Samples (every POLL_MS) above the threshold before "speaking"; below it before "silent". */
const ON_SAMPLES = 2;
const OFF_SAMPLES = 7;
const POLL_MS = 80;

/** Distance model: full volume within REF metres, then 1 / distance, silent beyond MAX. */
const REF_DISTANCE = 1.5;
const MAX_DISTANCE = 30;
const ROLLOFF = 1;
/** Smoothing of position and gain changes (seconds), so moving never clicks. */
const SMOOTH = 0.06;

type PanMode = 'hrtf' | 'stereo';

interface Voice {
  source: MediaStreamAudioSourceNode;
  analyser: AnalyserNode;
  volume: GainNode;
  /** HRTF panner, or stereo panner plus a distance gain (fallback). */
  panner: PannerNode | null;
  stereo: StereoPannerNode | null;
  distance: GainNode | null;
  samples: Float32Array<ArrayBuffer>;
  speaking: boolean;
  streak: number;
  dx: number;
  dz: number;
  gain: number;
}

/** How a voice is heard now (for diagnostics and tests). */
export interface VoiceRoute {
  /** 'hrtf' (PannerNode), 'stereo' (equal-power fallback) or 'direct' (meeting mode). */
  routing: 'hrtf' | 'stereo' | 'direct' | 'silent';
  /** Where it is in the listener's frame (+x right, -z ahead), metres. */
  dx: number;
  dz: number;
  /** The per-person volume, 0..1. */
  volume: number;
}

/** How loud a sound is at `distance` metres: the 'inverse' model of the Web Audio spec. */
export function inverseGain(distance: number): number {
  const d = Math.min(Math.max(distance, REF_DISTANCE), MAX_DISTANCE);
  const gain = REF_DISTANCE / (REF_DISTANCE + ROLLOFF * (d - REF_DISTANCE));
  return distance >= MAX_DISTANCE ? 0 : gain;
}

/** Equal-power pan position (-1 left … 1 right) of a source at (dx, dz) in the listener's frame. */
export function stereoPan(dx: number, dz: number): number {
  const distance = Math.hypot(dx, dz);
  if (distance < 1e-3) return 0;
  return Math.max(-1, Math.min(1, dx / distance));
}

/**
 * (dx, dz) of a point in the listener's frame, from world positions and the listener's yaw
 * (radians about +y; yaw 0 faces -z, as in three.js).
 */
export function relativePosition(
  listener: { x: number; z: number; yaw: number },
  x: number,
  z: number,
): { dx: number; dz: number } {
  const wx = x - listener.x;
  const wz = z - listener.z;
  const c = Math.cos(listener.yaw);
  const s = Math.sin(listener.yaw);
  // Rotate the world offset by -yaw about +y.
  return { dx: c * wx - s * wz, dz: s * wx + c * wz };
}

export class SpatialAudio {
  readonly context: AudioContext;
  private readonly master: GainNode;
  private readonly voices = new Map<string, Voice>();
  private readonly mode: PanMode;
  private spatial = true;
  private timer: number | null = null;
  private onSpeaking: (id: string, speaking: boolean) => void;

  constructor(onSpeaking: (id: string, speaking: boolean) => void, mode?: PanMode) {
    this.onSpeaking = onSpeaking;
    this.context = new AudioContext({ latencyHint: 'interactive' });
    this.master = this.context.createGain();
    this.master.connect(this.context.destination);
    this.mode = mode ?? (typeof this.context.createPanner === 'function' ? 'hrtf' : 'stereo');
    this.timer = window.setInterval(() => this.poll(), POLL_MS);
  }

  /**
   * Start (or restart) sound; call from a user gesture (the autoplay policy needs one). Never
   * waits more than a moment: without a gesture, sound starts on the next click or key press.
   */
  async resume(): Promise<void> {
    if (this.context.state === 'running') return;
    const again = () => {
      if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    };
    for (const type of ['pointerdown', 'keydown']) {
      document.addEventListener(type, again, { capture: true, once: true });
    }
    const resumed = this.context.resume().catch(() => undefined);
    await Promise.race([resumed, new Promise((resolve) => setTimeout(resolve, 1000))]);
  }

  get running(): boolean {
    return this.context.state === 'running';
  }

  /** Play a stream's audio (remote voices) or only measure it (your own microphone). */
  add(id: string, stream: MediaStream, options: { audible: boolean; volume?: number }): void {
    this.remove(id);
    if (stream.getAudioTracks().length === 0) return;
    const ctx = this.context;
    const source = ctx.createMediaStreamSource(stream);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    analyser.smoothingTimeConstant = 0;
    source.connect(analyser);
    const volume = ctx.createGain();
    volume.gain.value = options.volume ?? 1;
    const voice: Voice = {
      source, analyser, volume, panner: null, stereo: null, distance: null,
      samples: new Float32Array(new ArrayBuffer(analyser.fftSize * 4)),
      speaking: false, streak: 0, dx: 0, dz: -1, gain: options.volume ?? 1,
    }; // prettier-ignore
    if (options.audible) {
      source.connect(volume);
      if (this.mode === 'hrtf') {
        const panner = ctx.createPanner();
        panner.panningModel = 'HRTF';
        panner.distanceModel = 'inverse';
        panner.refDistance = REF_DISTANCE;
        panner.maxDistance = MAX_DISTANCE;
        panner.rolloffFactor = ROLLOFF;
        panner.positionZ.value = -1;
        voice.panner = panner;
        panner.connect(this.master);
      } else {
        voice.stereo = ctx.createStereoPanner();
        voice.distance = ctx.createGain();
        voice.stereo.connect(voice.distance);
        voice.distance.connect(this.master);
      }
      this.connectVoice(voice);
    }
    this.voices.set(id, voice);
  }

  remove(id: string): void {
    const voice = this.voices.get(id);
    if (!voice) return;
    this.voices.delete(id);
    for (const node of [voice.source, voice.analyser, voice.volume, voice.panner, voice.stereo, voice.distance]) {
      node?.disconnect();
    }
    if (voice.speaking) this.onSpeaking(id, false);
  }

  has(id: string): boolean {
    return this.voices.has(id);
  }

  setVolume(id: string, volume: number): void {
    const voice = this.voices.get(id);
    if (!voice) return;
    voice.gain = Math.max(0, Math.min(1, volume));
    voice.volume.gain.setTargetAtTime(Math.max(0, Math.min(1, volume)), this.context.currentTime, SMOOTH);
  }

  /** The volume of everything (0..1). */
  setMaster(volume: number): void {
    this.master.gain.setTargetAtTime(Math.max(0, Math.min(1, volume)), this.context.currentTime, SMOOTH);
  }

  /** Meeting mode (spatial off): everyone straight ahead at full volume. */
  setSpatial(on: boolean): void {
    if (on === this.spatial) return;
    this.spatial = on;
    for (const voice of this.voices.values()) {
      if (voice.panner || voice.stereo) this.connectVoice(voice);
    }
  }

  /** Where a voice is, in the listener's frame (metres; +x right, -z ahead). */
  place(id: string, dx: number, dz: number): void {
    const voice = this.voices.get(id);
    if (!voice) return;
    voice.dx = dx;
    voice.dz = dz;
    if (!this.spatial) return;
    const now = this.context.currentTime;
    if (voice.panner) {
      voice.panner.positionX.setTargetAtTime(dx, now, SMOOTH);
      voice.panner.positionZ.setTargetAtTime(dz, now, SMOOTH);
    } else if (voice.stereo && voice.distance) {
      voice.stereo.pan.setTargetAtTime(stereoPan(dx, dz), now, SMOOTH);
      voice.distance.gain.setTargetAtTime(inverseGain(Math.hypot(dx, dz)), now, SMOOTH);
    }
  }

  route(id: string): VoiceRoute | null {
    const voice = this.voices.get(id);
    if (!voice) return null;
    let routing: VoiceRoute['routing'] = voice.panner ? 'hrtf' : 'stereo';
    if (!voice.panner && !voice.stereo) routing = 'silent';
    else if (!this.spatial) routing = 'direct';
    return { routing, dx: voice.dx, dz: voice.dz, volume: voice.gain };
  }

  /** The level of a voice now, in dBFS (RMS); -Infinity when silent or unknown. */
  level(id: string): number {
    const voice = this.voices.get(id);
    if (!voice) return -Infinity;
    voice.analyser.getFloatTimeDomainData(voice.samples);
    let sum = 0;
    for (const sample of voice.samples) sum += sample * sample;
    const rms = Math.sqrt(sum / voice.samples.length);
    return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
  }

  close(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    for (const id of [...this.voices.keys()]) this.remove(id);
    this.onSpeaking = () => undefined;
    void this.context.close().catch(() => undefined);
  }

  private connectVoice(voice: Voice): void {
    voice.volume.disconnect();
    const now = this.context.currentTime;
    if (!this.spatial) {
      voice.volume.connect(this.master);
      return;
    }
    if (voice.panner) {
      voice.volume.connect(voice.panner);
      voice.panner.positionX.setValueAtTime(voice.dx, now);
      voice.panner.positionZ.setValueAtTime(voice.dz, now);
    } else if (voice.stereo && voice.distance) {
      voice.volume.connect(voice.stereo);
      voice.stereo.pan.setValueAtTime(stereoPan(voice.dx, voice.dz), now);
      voice.distance.gain.setValueAtTime(inverseGain(Math.hypot(voice.dx, voice.dz)), now);
    }
  }

  /** Speaking detection with hysteresis: a few loud samples to start, a longer quiet to stop. */
  private poll(): void {
    for (const [id, voice] of this.voices) {
      const db = this.level(id);
      const crossing = voice.speaking ? db < SPEAK_OFF_DB : db > SPEAK_ON_DB;
      voice.streak = crossing ? voice.streak + 1 : 0;
      if (voice.streak >= (voice.speaking ? OFF_SAMPLES : ON_SAMPLES)) {
        voice.speaking = !voice.speaking;
        voice.streak = 0;
        this.onSpeaking(id, voice.speaking);
      }
    }
  }
}
