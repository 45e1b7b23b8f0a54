/**
 * Smooth motion of other people: each avatar keeps the last few poses the server sent, stamped
 * with local time, and is drawn a little in the past (about 100 ms), between two known poses.
 * Fixed-size typed arrays: nothing is allocated per frame.
 */

/** What `sample()` writes into (reuse one per caller). */
export interface PoseSample {
  x: number;
  y: number;
  z: number;
  yaw: number;
}

const SIZE = 8;
const TAU = Math.PI * 2;

/** The shortest signed turn from `a` to `b`, in (-π, π]. */
export function angleDelta(a: number, b: number): number {
  let d = (b - a) % TAU;
  if (d > Math.PI) d -= TAU;
  else if (d <= -Math.PI) d += TAU;
  return d;
}

export class InterpolationBuffer {
  private readonly t = new Float64Array(SIZE);
  private readonly v = new Float64Array(SIZE * 4);
  private head = -1; // index of the newest sample
  private count = 0;

  /** The server's tick (ms): a longer gap between samples means the avatar stood still. */
  private readonly period: number;

  constructor(period = 100) {
    this.period = period;
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.head = -1;
    this.count = 0;
  }

  /** Forget the history and stand at this pose (a teleport, a fresh snapshot). */
  reset(time: number, x: number, y: number, z: number, yaw: number): void {
    this.clear();
    this.write(time, x, y, z, yaw);
  }

  push(time: number, x: number, y: number, z: number, yaw: number): void {
    if (this.count > 0) {
      const last = this.t[this.head]!;
      if (time <= last) time = last + 1; // out of order or same instant: keep time increasing
      // After standing still the previous pose still held until one tick ago: without this
      // the move would be smeared over the whole pause.
      if (time - last > this.period * 1.5) {
        const o = this.head * 4;
        this.write(time - this.period, this.v[o]!, this.v[o + 1]!, this.v[o + 2]!, this.v[o + 3]!);
      }
    }
    this.write(time, x, y, z, yaw);
  }

  private write(time: number, x: number, y: number, z: number, yaw: number): void {
    this.head = (this.head + 1) % SIZE;
    this.count = Math.min(SIZE, this.count + 1);
    this.t[this.head] = time;
    const o = this.head * 4;
    this.v[o] = x;
    this.v[o + 1] = y;
    this.v[o + 2] = z;
    this.v[o + 3] = yaw;
  }

  /** The pose at `time` (local ms): between the two samples around it, else the nearest end. */
  sample(time: number, out: PoseSample): boolean {
    if (this.count === 0) return false;
    let newer = this.head;
    for (let i = 0; i < this.count; i++) {
      const index = (this.head - i + SIZE) % SIZE;
      const at = this.t[index]!;
      if (at <= time) {
        if (index === this.head) return this.copy(index, out);
        const t0 = at;
        const t1 = this.t[newer]!;
        const a = (time - t0) / (t1 - t0);
        const o0 = index * 4;
        const o1 = newer * 4;
        out.x = this.v[o0]! + (this.v[o1]! - this.v[o0]!) * a;
        out.y = this.v[o0 + 1]! + (this.v[o1 + 1]! - this.v[o0 + 1]!) * a;
        out.z = this.v[o0 + 2]! + (this.v[o1 + 2]! - this.v[o0 + 2]!) * a;
        out.yaw = this.v[o0 + 3]! + angleDelta(this.v[o0 + 3]!, this.v[o1 + 3]!) * a;
        return true;
      }
      newer = index;
    }
    return this.copy(newer, out); // older than everything: the oldest known
  }

  private copy(index: number, out: PoseSample): boolean {
    const o = index * 4;
    out.x = this.v[o]!;
    out.y = this.v[o + 1]!;
    out.z = this.v[o + 2]!;
    out.yaw = this.v[o + 3]!;
    return true;
  }
}

/**
 * Maps the server's clock (seconds, from `delta.now`) to local `performance.now()` time so that
 * samples are spaced as the server sent them, not as the network delivered them. The offset
 * follows the fastest deliveries at once and drifts slowly towards later ones.
 */
export class ServerClock {
  private offset: number | null = null;

  /** Local time (ms) at which a message stamped `serverSeconds` would ideally have arrived. */
  localTime(serverSeconds: number, receivedAt = performance.now()): number {
    const offset = receivedAt - serverSeconds * 1000;
    if (this.offset === null || offset < this.offset) this.offset = offset;
    else this.offset += (offset - this.offset) * 0.02;
    return serverSeconds * 1000 + this.offset;
  }
}
