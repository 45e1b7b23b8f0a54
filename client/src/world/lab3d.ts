/**
 * The training lab's virtual patient in 3D: a body on a bed whose chest rises and falls at the
 * breathing rate and whose skin takes the tint of the vitals (pale, blue) — see
 * pages/training/lab-patient.ts. A view only; the vitals come from the lab's messages. With
 * reduced motion the chest keeps still.
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

export class LabPatient3d {
  readonly group = new Group();
  private readonly skin = new MeshStandardMaterial({ color: '#e0ac96' });
  private readonly sheet = new MeshStandardMaterial({ color: '#dfe9ef' });
  private readonly frame = new MeshStandardMaterial({ color: '#7d8b94' });
  private readonly chest: Mesh;
  private readonly meshes: Mesh[];

  constructor(x = 0, z = -2.5) {
    const bed = new Mesh(new BoxGeometry(1.0, 0.55, 2.1), this.frame);
    bed.position.y = 0.275;
    const mattress = new Mesh(new BoxGeometry(0.95, 0.12, 2.0), this.sheet);
    mattress.position.y = 0.61;
    this.chest = new Mesh(new CapsuleGeometry(0.22, 0.9, 6, 12), this.skin);
    this.chest.rotation.x = Math.PI / 2;
    this.chest.position.set(0, 0.85, 0.1);
    const head = new Mesh(new SphereGeometry(0.16, 16, 12), this.skin);
    head.position.set(0, 0.86, -0.72);
    this.meshes = [bed, mattress, this.chest, head];
    this.group.add(...this.meshes);
    this.group.position.set(x, 0, z);
    this.group.name = 'lab-patient';
  }

  /** One frame: `skin` a CSS colour, `breathSeconds` one breath (0: not breathing). */
  show(skin: string, breathSeconds: number, nowMs: number, still: boolean): void {
    this.skin.color.copy(new Color(skin));
    const phase = breathSeconds > 0 && !still ? (nowMs / 1000 / breathSeconds) % 1 : 0;
    const rise = 0.5 - Math.cos(2 * Math.PI * phase) / 2;
    this.chest.scale.set(1 + 0.08 * rise, 1, 1 + 0.08 * rise);
  }

  dispose(): void {
    for (const mesh of this.meshes) mesh.geometry.dispose();
    this.skin.dispose();
    this.sheet.dispose();
    this.frame.dispose();
  }
}
