/**
 * One's pose to the server: at the server's tick rate, and only when it changed (or a headset
 * moves). After a move the server refused as too fast, the pose is repeated now and then until
 * it is taken: the distance the server allows grows with the time since the last accepted pose.
 */
import type { WorldConnection } from './connection';
import type { LocalPose } from './controls';
import type { XRPose } from './scene3d';

export interface PoseSource {
  socket: () => WorldConnection | null;
  pose: () => LocalPose;
  /** The headset and hands, in VR. */
  xr: () => XRPose | null;
  /** A changed pose went out (the call places voices from it). */
  sent: () => void;
}

/** How long after a refusal the pose is repeated, and how often. */
const RESEND_FOR_MS = 5000;
const RESEND_EVERY_MS = 500;
/** Smaller changes (metres, radians) are not worth a message. */
const EPSILON = 0.005;

/** Positions travel with millimetre precision. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export class PoseSender {
  private timer: number | null = null;
  private last = { x: NaN, y: NaN, z: NaN, yaw: NaN, anim: '' };
  private resendUntil = 0;
  private lastResend = 0;

  constructor(private readonly source: PoseSource) {}

  /** Send at `hz` (the server's tick rate, within 1..30). */
  start(hz: number): void {
    this.stop();
    this.timer = window.setInterval(() => this.send(), 1000 / Math.min(Math.max(hz, 1), 30));
  }

  stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  /** The server placed us here (a welcome): nothing to send until we move. */
  placed(pose: LocalPose): void {
    this.last = { x: pose.x, y: pose.y, z: pose.z, yaw: pose.yaw, anim: pose.anim };
  }

  /** The server refused a move as too fast. */
  refused(): void {
    this.resendUntil = performance.now() + RESEND_FOR_MS;
  }

  private send(): void {
    const socket = this.source.socket();
    if (!socket?.open) return;
    const pose = this.source.pose();
    const last = this.last;
    const xr = this.source.xr();
    const now = performance.now();
    const changed =
      Math.abs(pose.x - last.x) > EPSILON ||
      Math.abs(pose.z - last.z) > EPSILON ||
      Math.abs(pose.y - last.y) > EPSILON ||
      Math.abs(pose.yaw - last.yaw) > EPSILON ||
      pose.anim !== last.anim;
    const resend = this.resendUntil > now && now - this.lastResend >= RESEND_EVERY_MS;
    if (resend) this.lastResend = now;
    if (!changed && !xr && !resend) return;
    const sent = socket.pose({
      p: [round(pose.x), round(pose.y), round(pose.z)],
      yaw: round(pose.yaw),
      anim: pose.anim,
      ...(xr ? { head: xr.head, lh: xr.lh, rh: xr.rh } : {}),
    });
    if (!sent) return;
    this.placed(pose);
    if (changed) this.source.sent();
  }
}
