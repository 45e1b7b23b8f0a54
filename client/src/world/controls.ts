/**
 * Moving one's own avatar: keys (W A S D or arrows; Q and E or ← → turn), mouse or finger drag to
 * look, an on-screen joystick on touch screens, and "walk to" targets (a tap or click on the floor
 * in 3D, "Go near" in 2D). Knows nothing of three.js; the scene turns taps into floor points.
 *
 * Yaw 0 faces −z; forward is (−sin yaw, −cos yaw) on the floor, as three.js turns objects.
 */

export interface LocalPose {
  x: number;
  y: number;
  z: number;
  yaw: number;
  /** Camera pitch (looking up and down); not sent. */
  pitch: number;
  anim: 'idle' | 'walk';
}

const WALK_SPEED = 3; // m/s
const RUN_SPEED = 6;
const TURN_SPEED = 1.8; // rad/s
const SNAP_ANGLE = Math.PI / 6; // 30°
const DRAG_YAW = 0.005; // rad per pixel
const TAP_SLOP = 6; // pixels a tap may move and still count as a tap
const PITCH_LIMIT = 1.1;

type Action = 'forward' | 'back' | 'left' | 'right' | 'turnLeft' | 'turnRight' | 'run';

const KEYS: Record<string, Action> = {
  KeyW: 'forward',
  ArrowUp: 'forward',
  KeyS: 'back',
  ArrowDown: 'back',
  KeyA: 'left',
  KeyD: 'right',
  ArrowLeft: 'turnLeft',
  KeyQ: 'turnLeft',
  ArrowRight: 'turnRight',
  KeyE: 'turnRight',
  ShiftLeft: 'run',
  ShiftRight: 'run',
};

export class Controls {
  readonly pose: LocalPose = { x: 0, y: 0, z: 0, yaw: 0, pitch: -0.15, anim: 'idle' };
  /** Half the floor's side, metres: positions stay within ±bound, as the server clamps them. */
  bound = 30;
  snapTurn = false;
  /** Joystick or VR thumbstick, each −1..1 (y up = forward). */
  readonly stick = { x: 0, y: 0 };
  /** Smooth turning from a VR thumbstick, −1..1. */
  stickTurn = 0;
  /** Called with the pointer's client position when someone taps or clicks (not drags). */
  onTap: ((clientX: number, clientY: number) => void) | null = null;
  /** Called when a walk to a target ends: `arrived`, or cancelled (other input, Stop). */
  onArrive: ((arrived: boolean) => void) | null = null;

  private readonly held = new Set<Action>();
  private target: { x: number; z: number; speed: number; stopAt: number } | null = null;
  private drag: { id: number; x: number; y: number; startX: number; startY: number } | null =
    null;
  private detachers: (() => void)[] = [];

  /** Listen for keys (while `element` has focus) and pointer drags and taps on `element`. */
  attach(element: HTMLElement): void {
    const keydown = (event: KeyboardEvent) => {
      const action = KEYS[event.code];
      if (!action || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      if (this.snapTurn && (action === 'turnLeft' || action === 'turnRight')) {
        if (!event.repeat) this.turn(action === 'turnLeft' ? SNAP_ANGLE : -SNAP_ANGLE);
        return;
      }
      this.held.add(action);
    };
    const keyup = (event: KeyboardEvent) => {
      const action = KEYS[event.code];
      if (action) this.held.delete(action);
    };
    const release = () => this.held.clear();
    const down = (event: PointerEvent) => {
      if (event.button !== 0 || this.drag) return;
      this.drag = {
        id: event.pointerId,
        x: event.clientX,
        y: event.clientY,
        startX: event.clientX,
        startY: event.clientY,
      };
      element.setPointerCapture?.(event.pointerId);
    };
    const move = (event: PointerEvent) => {
      const drag = this.drag;
      if (!drag || drag.id !== event.pointerId) return;
      this.pose.yaw -= (event.clientX - drag.x) * DRAG_YAW;
      this.pose.pitch = clamp(
        this.pose.pitch - (event.clientY - drag.y) * DRAG_YAW,
        -PITCH_LIMIT,
        PITCH_LIMIT,
      );
      drag.x = event.clientX;
      drag.y = event.clientY;
    };
    const up = (event: PointerEvent) => {
      const drag = this.drag;
      if (!drag || drag.id !== event.pointerId) return;
      this.drag = null;
      const moved = Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY);
      if (moved <= TAP_SLOP && event.type === 'pointerup') this.onTap?.(event.clientX, event.clientY);
    };
    this.listen(element, 'keydown', keydown);
    this.listen(element, 'blur', release);
    this.listen(window, 'keyup', keyup);
    this.listen(window, 'blur', release);
    this.listenForPointer(element, down, move, up);
  }

  /** An on-screen joystick: `base` is the ring, `knob` the part that follows the finger. */
  attachJoystick(base: HTMLElement, knob: HTMLElement): void {
    let pointer: number | null = null;
    const update = (event: PointerEvent) => {
      const rect = base.getBoundingClientRect();
      const radius = rect.width / 2;
      let dx = (event.clientX - (rect.left + radius)) / radius;
      let dy = (event.clientY - (rect.top + radius)) / radius;
      const length = Math.hypot(dx, dy);
      if (length > 1) {
        dx /= length;
        dy /= length;
      }
      this.stick.x = dx;
      this.stick.y = -dy;
      knob.style.transform = `translate(${dx * radius * 0.6}px, ${dy * radius * 0.6}px)`;
    };
    const down = (event: PointerEvent) => {
      event.stopPropagation();
      pointer = event.pointerId;
      base.setPointerCapture?.(event.pointerId);
      update(event);
    };
    const move = (event: PointerEvent) => {
      if (event.pointerId === pointer) update(event);
    };
    const up = (event: PointerEvent) => {
      if (event.pointerId !== pointer) return;
      pointer = null;
      this.stick.x = 0;
      this.stick.y = 0;
      knob.style.transform = '';
    };
    this.listenForPointer(base, down, move, up);
  }

  /** Listen to `target` until `detach()`. */
  private listen<E extends Event>(
    target: EventTarget,
    type: string,
    handler: (event: E) => void,
  ): void {
    const listener = handler as EventListener;
    target.addEventListener(type, listener);
    this.detachers.push(() => target.removeEventListener(type, listener));
  }

  /** Pointer down, move and up (or cancel) on `target`, until `detach()`. */
  private listenForPointer(
    target: HTMLElement,
    down: (event: PointerEvent) => void,
    move: (event: PointerEvent) => void,
    up: (event: PointerEvent) => void,
  ): void {
    this.listen(target, 'pointerdown', down);
    this.listen(target, 'pointermove', move);
    this.listen(target, 'pointerup', up);
    this.listen(target, 'pointercancel', up);
  }

  detach(): void {
    for (const detach of this.detachers) detach();
    this.detachers = [];
    this.held.clear();
    this.drag = null;
  }

  /** Stand here (a welcome or reconnect places the avatar). */
  place(x: number, y: number, z: number, yaw: number): void {
    this.pose.x = x;
    this.pose.y = y;
    this.pose.z = z;
    this.pose.yaw = yaw;
    this.target = null;
  }

  turn(angle: number): void {
    this.pose.yaw = wrapAngle(this.pose.yaw + angle);
  }

  /** Walk to a floor point, stopping `stopAt` metres short of it. */
  walkTo(x: number, z: number, options: { speed?: number; stopAt?: number } = {}): void {
    this.target = {
      x: clamp(x, -this.bound, this.bound),
      z: clamp(z, -this.bound, this.bound),
      speed: options.speed ?? RUN_SPEED,
      stopAt: options.stopAt ?? 0,
    };
  }

  get walking(): boolean {
    return this.target !== null;
  }

  stop(arrived = false): void {
    if (this.target === null) return;
    this.target = null;
    this.onArrive?.(arrived);
  }

  /** Advance by `dt` seconds; true when the pose changed. */
  step(dt: number): boolean {
    const pose = this.pose;
    const x0 = pose.x;
    const z0 = pose.z;
    const yaw0 = pose.yaw;
    const held = this.held;
    const turn =
      (held.has('turnLeft') ? 1 : 0) - (held.has('turnRight') ? 1 : 0) - this.stickTurn;
    if (turn !== 0) pose.yaw = wrapAngle(pose.yaw + turn * TURN_SPEED * dt);
    let forward = (held.has('forward') ? 1 : 0) - (held.has('back') ? 1 : 0) + this.stick.y;
    let strafe = (held.has('right') ? 1 : 0) - (held.has('left') ? 1 : 0) + this.stick.x;
    const length = Math.hypot(forward, strafe);
    if (length > 0.05) {
      if (this.target) this.stop();
      if (length > 1) {
        forward /= length;
        strafe /= length;
      }
      const speed = (held.has('run') ? RUN_SPEED : WALK_SPEED) * dt;
      const sin = Math.sin(pose.yaw);
      const cos = Math.cos(pose.yaw);
      pose.x += (-sin * forward + cos * strafe) * speed;
      pose.z += (-cos * forward - sin * strafe) * speed;
    } else if (this.target) {
      const dx = this.target.x - pose.x;
      const dz = this.target.z - pose.z;
      const distance = Math.hypot(dx, dz);
      const remaining = distance - this.target.stopAt;
      if (remaining <= 0.05) {
        this.stop(true);
      } else {
        const stepLength = Math.min(remaining, this.target.speed * dt);
        pose.x += (dx / distance) * stepLength;
        pose.z += (dz / distance) * stepLength;
        pose.yaw = Math.atan2(-dx, -dz);
      }
    }
    pose.x = clamp(pose.x, -this.bound, this.bound);
    pose.z = clamp(pose.z, -this.bound, this.bound);
    const moved = pose.x !== x0 || pose.z !== z0;
    pose.anim = moved ? 'walk' : 'idle';
    return moved || pose.yaw !== yaw0;
  }
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

export function wrapAngle(angle: number): number {
  const tau = Math.PI * 2;
  return ((((angle + Math.PI) % tau) + tau) % tau) - Math.PI;
}
