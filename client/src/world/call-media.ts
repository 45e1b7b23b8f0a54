/**
 * The call's media devices: opening the microphone and camera, turning the browser's refusals
 * into messages a person can act on, and the server's STUN/TURN list.
 */
import { iceServers } from '../api/world';
import type { MessageKey } from '../i18n';

/** A failure to join, with the i18n key of a message for the person. */
export class CallError extends Error {
  readonly key: MessageKey;
  constructor(key: MessageKey, cause?: unknown) {
    super(key, { cause });
    this.name = 'CallError';
    this.key = key;
  }
}

/** A small picture is plenty beside a 3D scene, and a mesh of six sends it six times. */
const VIDEO: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 24, max: 30 },
};

const AUDIO: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export function toCallError(error: unknown): CallError {
  if (error instanceof CallError) return error;
  const name = (error as DOMException | undefined)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return new CallError('call.error.denied', error);
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new CallError('call.error.noDevice', error);
  if (name === 'NotReadableError' || name === 'AbortError') return new CallError('call.error.busy', error);
  return new CallError('call.error.failed', error);
}

/**
 * The microphone and/or camera. Without a camera, or with a busy one, the microphone alone;
 * a refusal is a refusal of both.
 */
export async function openMedia(opts: { audio: boolean; video: boolean }): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CallError('call.error.insecure');
  const audio = opts.audio ? AUDIO : false;
  const video = opts.video ? VIDEO : false;
  try {
    return await navigator.mediaDevices.getUserMedia({ audio, video });
  } catch (error) {
    const name = (error as DOMException | undefined)?.name ?? '';
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

/** The camera alone (turned on during a call). */
export async function openCamera(): Promise<MediaStreamTrack> {
  let track: MediaStreamTrack | undefined;
  try {
    const media = await navigator.mediaDevices.getUserMedia({ video: VIDEO });
    track = media.getVideoTracks()[0];
  } catch (error) {
    throw toCallError(error);
  }
  if (!track) throw new CallError('call.error.noDevice');
  return track;
}

/** Your microphone and camera while you are in a call. */
export class LocalMedia {
  private _stream: MediaStream | null = null;
  private _muted = false;
  private _cameraOn = false;

  get stream(): MediaStream | null {
    return this._stream;
  }

  get muted(): boolean {
    return this._muted;
  }

  get cameraOn(): boolean {
    return this._cameraOn;
  }

  /** Send `stream` from now on; its microphone stays off while `muted`. */
  use(stream: MediaStream, muted: boolean): void {
    this._stream = stream;
    this._cameraOn = stream.getVideoTracks().length > 0;
    this.setMuted(muted);
  }

  setMuted(muted: boolean): void {
    this._muted = muted;
    for (const track of this._stream?.getAudioTracks() ?? []) track.enabled = !muted;
  }

  addCamera(track: MediaStreamTrack): void {
    this._stream?.addTrack(track);
    this._cameraOn = true;
  }

  /** The camera off: `detach` takes it from the connections first, then its light goes off. */
  async stopCamera(detach: () => Promise<void>): Promise<void> {
    const stream = this._stream;
    this._cameraOn = false;
    await detach();
    for (const track of stream?.getVideoTracks() ?? []) {
      track.stop();
      stream?.removeTrack(track);
    }
  }

  /** Release the microphone and camera. */
  close(): void {
    for (const track of this._stream?.getTracks() ?? []) track.stop();
    this._stream = null;
    this._cameraOn = false;
  }
}

let cachedIceServers: Promise<RTCIceServer[]> | null = null;

/** The server's STUN/TURN list (`CAREVERSE_ICE_SERVERS`); empty works on a LAN. */
export function fetchIceServers(): Promise<RTCIceServer[]> {
  cachedIceServers ??= iceServers().catch(() => []);
  return cachedIceServers;
}
