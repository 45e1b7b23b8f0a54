/**
 * The breathing lantern of the garden: a softly glowing sphere above the pond that grows while
 * you breathe in and shrinks while you breathe out. It is only a view: where the breath stands
 * comes from `breathPhase` (pages/wellbeing/breath-pacer.ts), the one source of the pacer's
 * timing, through the `fill` it is given each frame. With reduced motion it keeps its size and
 * only its light changes.
 */
import { Color, Group, Mesh, MeshBasicMaterial, PointLight, SphereGeometry } from 'three';

const SMALL = 0.35;
const LARGE = 0.9;
const CALM = new Color('#f3d98b');
const FULL = new Color('#fff4d6');

export class BreathLantern {
  readonly group = new Group();
  private readonly material = new MeshBasicMaterial({ color: CALM.clone(), transparent: true, opacity: 0.92 });
  private readonly halo = new MeshBasicMaterial({ color: CALM.clone(), transparent: true, opacity: 0.18 });
  private readonly light = new PointLight('#ffe7a8', 0, 12, 1.5);
  private readonly orb: Mesh;
  private readonly glow: Mesh;

  constructor(x = 0, y = 1.6, z = 0) {
    this.orb = new Mesh(new SphereGeometry(1, 24, 16), this.material);
    this.glow = new Mesh(new SphereGeometry(1, 16, 12), this.halo);
    this.group.add(this.orb, this.glow, this.light);
    this.group.position.set(x, y, z);
    this.group.name = 'breath-lantern';
    this.group.visible = false;
  }

  /** Show the breath: `fill` 0 (empty lungs) → 1 (full); `still` keeps the size (reduced motion). */
  show(fill: number, still: boolean): void {
    this.group.visible = true;
    const eased = 0.5 - Math.cos(Math.PI * Math.min(1, Math.max(0, fill))) / 2;
    const size = still ? (SMALL + LARGE) / 2 : SMALL + (LARGE - SMALL) * eased;
    this.orb.scale.setScalar(size);
    this.glow.scale.setScalar(size * 1.6);
    this.material.color.copy(CALM).lerp(FULL, eased);
    this.halo.opacity = 0.1 + 0.15 * eased;
    this.light.intensity = 0.6 + 1.6 * eased;
  }

  /** The lantern's size now, or null while hidden. */
  get size(): number | null {
    return this.group.visible ? this.orb.scale.x : null;
  }

  hide(): void {
    this.group.visible = false;
  }

  dispose(): void {
    this.orb.geometry.dispose();
    this.glow.geometry.dispose();
    this.material.dispose();
    this.halo.dispose();
  }
}
