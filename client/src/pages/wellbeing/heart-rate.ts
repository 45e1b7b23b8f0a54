/**
 * Heart beats in the browser: the Bluetooth heart-rate measurement (service 0x180D,
 * characteristic 0x2A37) parsed with its RR intervals, and RMSSD over the last seconds computed
 * with the same rules as the server's `careverse.wellbeing.hrv` (docs/wellbeing.md): intervals
 * outside 300-2000 ms or more than 20 % from the last accepted one are artefacts, and no
 * difference spans a removed beat.
 */

export interface HeartRateMeasurement {
  heartRate: number;
  /** RR intervals in ms (the characteristic sends 1/1024 s). */
  rrMs: number[];
  /** Whether the strap touches the skin; null when it cannot tell. */
  contact: boolean | null;
}

/** Parse one 0x2A37 value (Bluetooth Heart Rate Service 1.0, Heart Rate Measurement). */
export function parseHeartRateMeasurement(view: DataView): HeartRateMeasurement {
  const flags = view.getUint8(0);
  let offset = 1;
  let heartRate: number;
  if (flags & 0x01) {
    heartRate = view.getUint16(offset, true);
    offset += 2;
  } else {
    heartRate = view.getUint8(offset);
    offset += 1;
  }
  const contactSupported = (flags & 0x04) !== 0;
  const contact = contactSupported ? (flags & 0x02) !== 0 : null;
  if (flags & 0x08) offset += 2; // energy expended (kJ): not used
  const rrMs: number[] = [];
  if (flags & 0x10) {
    for (; offset + 1 < view.byteLength; offset += 2) {
      rrMs.push((view.getUint16(offset, true) * 1000) / 1024);
    }
  }
  return { heartRate, rrMs, contact };
}

const RR_MIN = 300;
const RR_MAX = 2000;
const MALIK = 0.2;
const GAP_FACTOR = 1.5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** For each interval, whether it passes the range check and the 20 % rule. */
export function accepted(rr: readonly number[]): boolean[] {
  const inRange = rr.map((v) => Number.isFinite(v) && v >= RR_MIN && v <= RR_MAX);
  const usable = rr.filter((_, i) => inRange[i]);
  if (usable.length === 0) return rr.map(() => false);
  let reference = median(usable);
  return rr.map((v, i) => {
    const good = inRange[i]! && Math.abs(v - reference) <= MALIK * reference;
    if (good) reference = v;
    return good;
  });
}

/** RMSSD (ms) of the beats of the last `seconds`, by their own times, as they come. */
export class RmssdWindow {
  private beats: { at: number; rr: number }[] = [];

  constructor(readonly seconds = 30) {}

  add(at: number, rr: number): void {
    this.beats.push({ at, rr });
    this.beats.sort((a, b) => a.at - b.at);
    const newest = this.beats[this.beats.length - 1]!.at;
    this.beats = this.beats.filter((b) => b.at >= newest - this.seconds);
  }

  get count(): number {
    return this.beats.length;
  }

  rmssd(): number | null {
    const rr = this.beats.map((b) => b.rr);
    const keep = accepted(rr);
    const diffs: number[] = [];
    for (let i = 1; i < rr.length; i += 1) {
      const follows = (this.beats[i]!.at - this.beats[i - 1]!.at) * 1000 <= GAP_FACTOR * rr[i]!;
      if (keep[i] && keep[i - 1] && follows) diffs.push(rr[i]! - rr[i - 1]!);
    }
    if (diffs.length < 2) return null;
    return Math.sqrt(diffs.reduce((sum, d) => sum + d * d, 0) / diffs.length);
  }

  heartRate(): number | null {
    const rr = this.beats.map((b) => b.rr);
    const kept = rr.filter((_, i) => accepted(rr)[i]);
    if (kept.length === 0) return null;
    return 60000 / (kept.reduce((a, b) => a + b, 0) / kept.length);
  }
}

// ---- Web Bluetooth (feature-detected: Chromium on desktop and Android) ----------------------

interface BluetoothCharacteristic extends EventTarget {
  value?: DataView;
  startNotifications(): Promise<BluetoothCharacteristic>;
}
interface BluetoothLike {
  requestDevice(options: { filters: { services: string[] }[] }): Promise<{
    gatt?: {
      connect(): Promise<{
        getPrimaryService(s: string): Promise<{
          getCharacteristic(c: string): Promise<BluetoothCharacteristic>;
        }>;
        disconnect(): void;
      }>;
    };
  }>;
}

function bluetooth(): BluetoothLike | null {
  const nav = navigator as Navigator & { bluetooth?: BluetoothLike };
  return nav.bluetooth ?? null;
}

export function bluetoothAvailable(): boolean {
  return bluetooth() !== null && window.isSecureContext;
}

/** Ask for a heart-rate strap and listen to it; answers the way to disconnect. */
export async function connectStrap(onMeasurement: (m: HeartRateMeasurement) => void): Promise<() => void> {
  const bt = bluetooth();
  if (!bt) throw new Error('Bluetooth is not available in this browser.');
  const device = await bt.requestDevice({ filters: [{ services: ['heart_rate'] }] });
  if (!device.gatt) throw new Error('This device does not offer a heart-rate service.');
  const server = await device.gatt.connect();
  const service = await server.getPrimaryService('heart_rate');
  const characteristic = await service.getCharacteristic('heart_rate_measurement');
  const listener = () => {
    if (characteristic.value) onMeasurement(parseHeartRateMeasurement(characteristic.value));
  };
  characteristic.addEventListener('characteristicvaluechanged', listener);
  await characteristic.startNotifications();
  return () => {
    characteristic.removeEventListener('characteristicvaluechanged', listener);
    server.disconnect();
  };
}
