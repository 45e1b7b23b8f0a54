/**
 * The training lab's virtual patient in 3D: a body on a bed whose chest rises and falls at the
 * breathing rate, whose skin takes the tint of the vitals (pale, blue) — see
 * pages/training/lab-patient.ts — and whose pose follows the responsiveness (ACVPU): alert or
 * confused, the head raised, eyes open, small movements; responding to voice or pain, eyes
 * closed and the head turned aside; unresponsive, limp, the head fallen back, no movement. A
 * view only; the vitals come from the lab's messages. With reduced motion nothing moves (the
 * pose still shows). Clicking the patient calls `group.userData.onSelect` (scene3d.ts).
 */
import {
  BoxGeometry,
  CapsuleGeometry,
  Color,
  Group,
  Mesh,
  MeshStandardMaterial,
  SphereGeometry,
} from 'three';

interface Pose {
  lift: number; // head pivot about x: + raises the head, - lets it fall back
  turn: number; // about the body's long axis: the face turned aside
  eyes: boolean;
  arms: number; // arms' spread (limp: fallen outwards)
  moves: boolean;
}

const POSES: Record<'alert' | 'drowsy' | 'limp', Pose> = {
  alert: { lift: 0.35, turn: 0, eyes: true, arms: 0.05, moves: true },
  drowsy: { lift: 0.05, turn: 0.9, eyes: false, arms: 0.12, moves: false },
  limp: { lift: -0.3, turn: 0.25, eyes: false, arms: 0.45, moves: false },
};

/** The pose for an ACVPU letter (A and C alert, V and P drowsy, U limp). */
export function poseOf(level: string): keyof typeof POSES {
  if (level === 'A' || level === 'C') return 'alert';
  if (level === 'V' || level === 'P') return 'drowsy';
  return 'limp';
}

export class LabPatient3d {
  readonly group = new Group();
  private readonly skin = new MeshStandardMaterial({ color: '#e0ac96' });
  private readonly sheet = new MeshStandardMaterial({ color: '#dfe9ef' });
  private readonly frame = new MeshStandardMaterial({ color: '#7d8b94' });
  private readonly iris = new MeshStandardMaterial({ color: '#2b2420' });
  private readonly chest: Mesh;
  private readonly neck = new Group();
  private readonly eyes: Mesh[];
  private readonly arms: Mesh[];
  private readonly meshes: Mesh[];

  constructor(x = 0, z = -2.5) {
    const bed = new Mesh(new BoxGeometry(1.0, 0.55, 2.1), this.frame);
    bed.position.y = 0.275;
    const mattress = new Mesh(new BoxGeometry(0.95, 0.12, 2.0), this.sheet);
    mattress.position.y = 0.61;
    this.chest = new Mesh(new CapsuleGeometry(0.22, 0.9, 6, 12), this.skin);
    this.chest.rotation.x = Math.PI / 2;
    this.chest.position.set(0, 0.85, 0.1);
    // The head on a pivot at the neck: raised, turned or fallen back.
    const head = new Mesh(new SphereGeometry(0.16, 16, 12), this.skin);
    head.position.set(0, 0.01, -0.22);
    const eyeShape = new SphereGeometry(0.025, 8, 6);
    this.eyes = [-0.055, 0.055].map((ex) => {
      const eye = new Mesh(eyeShape, this.iris);
      eye.position.set(ex, 0.155, -0.28);
      return eye;
    });
    this.neck.position.set(0, 0.85, -0.5);
    this.neck.add(head, ...this.eyes);
    const armShape = new CapsuleGeometry(0.06, 0.6, 4, 8);
    this.arms = [-1, 1].map((side) => {
      const arm = new Mesh(armShape, this.skin);
      arm.rotation.x = Math.PI / 2;
      arm.position.set(side * 0.3, 0.76, 0.05);
      arm.userData.side = side;
      return arm;
    });
    this.meshes = [bed, mattress, this.chest, head, ...this.eyes, ...this.arms];
    this.group.add(bed, mattress, this.chest, this.neck, ...this.arms);
    this.group.position.set(x, 0, z);
    this.group.name = 'lab-patient';
  }

  /**
   * One frame: `skin` a CSS colour, `breathSeconds` one breath (0: not breathing), `level` the
   * ACVPU letter; `still` (reduced motion) keeps the chest and the head still.
   */
  show(skin: string, breathSeconds: number, nowMs: number, still: boolean, level = 'A'): void {
    this.skin.color.copy(new Color(skin));
    const phase = breathSeconds > 0 && !still ? (nowMs / 1000 / breathSeconds) % 1 : 0;
    const rise = 0.5 - Math.cos(2 * Math.PI * phase) / 2;
    this.chest.scale.set(1 + 0.08 * rise, 1, 1 + 0.08 * rise);
    const pose = POSES[poseOf(level)];
    const sway = pose.moves && !still ? Math.sin(nowMs / 1300) : 0;
    this.neck.rotation.set(pose.lift, 0.12 * sway, pose.turn + 0.06 * sway);
    for (const eye of this.eyes) eye.visible = pose.eyes;
    for (const arm of this.arms) {
      const side = Number(arm.userData.side);
      const fidget = side > 0 ? 0.08 * Math.max(0, Math.sin(nowMs / 900)) * (sway === 0 ? 0 : 1) : 0;
      arm.rotation.set(Math.PI / 2, 0, side * (pose.arms + fidget));
    }
  }

  dispose(): void {
    for (const mesh of new Set(this.meshes.map((m) => m.geometry))) mesh.dispose();
    this.skin.dispose();
    this.sheet.dispose();
    this.frame.dispose();
    this.iris.dispose();
  }
}
