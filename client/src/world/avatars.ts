/**
 * Avatars in the 3D scene: a body, a head with a visor that shows where the person faces, a name
 * label with a role badge, and a ring at the feet while they speak. Geometries and materials are
 * shared by every avatar; each has only its own label texture. Imported by the 3D scene only.
 */
import {
  BoxGeometry,
  CanvasTexture,
  CapsuleGeometry,
  Color,
  DoubleSide,
  Group,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  RingGeometry,
  SRGBColorSpace,
  SphereGeometry,
  Sprite,
  SpriteMaterial,
} from 'three';
import { t } from '../i18n';
import { roleName } from './labels';
import type { Person } from './world-state';

/** Calm body colours; a person keeps theirs (picked from their id). */
const BODY_COLOURS = [
  '#4f8a8b', '#7a6fa8', '#c07a5a', '#5f8f5a', '#4d79a8', '#a86b8c', '#8a7d55', '#5b8fa8',
];

/** Badge colours by role: each has at least 4.5:1 contrast with white text. */
const ROLE_COLOURS: Record<string, string> = {
  patient: '#0b5f73',
  caregiver: '#6a3f8f',
  clinician: '#1d4ed8',
  moderator: '#8a4b00',
  researcher: '#1d5b33',
  admin: '#46555f',
};

export function bodyColour(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return BODY_COLOURS[Math.abs(hash) % BODY_COLOURS.length]!;
}


/** What every avatar shares. */
export class AvatarKit {
  readonly body = new CapsuleGeometry(0.26, 0.75, 4, 10);
  readonly head = new SphereGeometry(0.21, 16, 12);
  readonly visor = new BoxGeometry(0.26, 0.09, 0.08);
  readonly ring = new RingGeometry(0.42, 0.55, 32);
  readonly visorMaterial = new MeshLambertMaterial({ color: '#1b2a33' });
  readonly skinMaterial = new MeshLambertMaterial({ color: '#f1d6bf' });
  readonly ringMaterial = new MeshBasicMaterial({
    color: '#2e9e5b',
    side: DoubleSide,
    transparent: true,
    opacity: 0.9,
    depthWrite: false,
  });
  private readonly bodyMaterials = new Map<string, MeshLambertMaterial>();

  bodyMaterial(colour: string, away: boolean): MeshLambertMaterial {
    const key = `${colour}${away ? '-away' : ''}`;
    let material = this.bodyMaterials.get(key);
    if (!material) {
      material = new MeshLambertMaterial({
        color: new Color(colour),
        transparent: away,
        opacity: away ? 0.4 : 1,
      });
      this.bodyMaterials.set(key, material);
    }
    return material;
  }

  dispose(): void {
    for (const geometry of [this.body, this.head, this.visor, this.ring]) geometry.dispose();
    this.visorMaterial.dispose();
    this.skinMaterial.dispose();
    this.ringMaterial.dispose();
    for (const material of this.bodyMaterials.values()) material.dispose();
  }
}

const LABEL_W = 512;
const LABEL_H = 160;

export class AvatarView {
  readonly group = new Group();
  readonly headGroup = new Group();
  private readonly body: Mesh;
  private readonly ring: Mesh;
  /** The name label: made only while shown (a crowd labels its nearest people only). */
  private label: Sprite | null = null;
  private labelTexture: CanvasTexture | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private labelKey = '';
  private emoteUntil = 0;
  private emoteText = '';
  private away = false;

  readonly person: Person;
  private readonly kit: AvatarKit;

  constructor(person: Person, kit: AvatarKit) {
    this.person = person;
    this.kit = kit;
    this.body = new Mesh(kit.body, kit.bodyMaterial(bodyColour(person.id), false));
    this.body.position.y = 0.64;
    const head = new Mesh(kit.head, kit.skinMaterial);
    const visor = new Mesh(kit.visor, kit.visorMaterial);
    visor.position.set(0, 0.03, -0.18);
    this.headGroup.add(head, visor);
    this.headGroup.position.y = 1.5;
    this.ring = new Mesh(kit.ring, kit.ringMaterial);
    this.ring.rotation.x = -Math.PI / 2;
    this.ring.position.y = 0.02;
    this.ring.visible = false;
    this.group.add(this.body, this.headGroup, this.ring);
    this.group.name = person.id;
    this.refresh(0);
  }

  get labelled(): boolean {
    return this.label !== null;
  }

  /** Show or drop the name label (its canvas and texture are freed when dropped). */
  setLabelVisible(visible: boolean): void {
    if (visible === (this.label !== null)) return;
    if (!visible) {
      this.label?.removeFromParent();
      (this.label?.material as SpriteMaterial | undefined)?.dispose();
      this.labelTexture?.dispose();
      this.label = null;
      this.labelTexture = null;
      this.canvas = null;
      return;
    }
    this.canvas = document.createElement('canvas');
    this.canvas.width = LABEL_W;
    this.canvas.height = LABEL_H;
    this.labelTexture = new CanvasTexture(this.canvas);
    this.labelTexture.colorSpace = SRGBColorSpace;
    this.label = new Sprite(
      new SpriteMaterial({ map: this.labelTexture, transparent: true, depthWrite: false }),
    );
    this.label.scale.set(1.6, 0.5, 1);
    this.label.position.y = 2.0;
    this.label.renderOrder = 10;
    this.group.add(this.label);
    this.labelKey = '';
    this.refresh(performance.now());
  }

  /** Show an emote (a wave…) above the head for a few seconds. */
  showEmote(text: string, now: number): void {
    this.emoteText = text;
    this.emoteUntil = now + 3000;
  }

  /** Redraw the label and materials if the person's name, role or state changed. */
  refresh(now: number): void {
    const person = this.person;
    const emote = now < this.emoteUntil ? this.emoteText : '';
    const key = `${person.name}|${person.role}|${person.muted}|${person.away}|${emote}`;
    if (key !== this.labelKey && this.canvas) {
      this.labelKey = key;
      this.drawLabel(emote);
    }
    if (person.away !== this.away) {
      this.away = person.away;
      this.body.material = this.kit.bodyMaterial(bodyColour(person.id), person.away);
    }
  }

  /** Per frame: the speaking ring (pulsing unless motion is reduced). */
  animate(now: number, reducedMotion: boolean): void {
    const speaking = this.person.speaking;
    this.ring.visible = speaking;
    if (speaking) {
      const scale = reducedMotion ? 1 : 1 + 0.08 * Math.sin(now / 160);
      this.ring.scale.set(scale, scale, 1);
    }
    if (this.emoteUntil !== 0 && now >= this.emoteUntil) {
      this.emoteUntil = 0;
      this.refresh(now);
    }
  }

  private drawLabel(emote: string): void {
    const context = this.canvas?.getContext('2d');
    if (!context || !this.labelTexture) return;
    const person = this.person;
    context.clearRect(0, 0, LABEL_W, LABEL_H);
    const font = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';
    // Name on a white pill, dark text: readable on any background.
    context.font = `600 44px ${font}`;
    let name = emote ? `${emote}  ${person.name}` : person.name;
    while (context.measureText(name).width > LABEL_W - 40 && name.length > 4) {
      name = `${name.slice(0, -2)}…`;
    }
    const nameWidth = context.measureText(name).width + 36;
    context.fillStyle = person.away ? 'rgba(255,255,255,0.7)' : 'rgba(255,255,255,0.94)';
    roundRect(context, (LABEL_W - nameWidth) / 2, 8, nameWidth, 64, 20);
    context.fill();
    context.fillStyle = '#1b2a33';
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillText(name, LABEL_W / 2, 42);
    // The role badge beneath, with "muted" or "reconnecting" when so.
    const parts = [roleName(person.role)];
    if (person.muted) parts.push(t('world.person.muted'));
    if (person.away) parts.push(t('world.person.away'));
    const badge = parts.join(' · ');
    context.font = `600 30px ${font}`;
    const badgeWidth = context.measureText(badge).width + 32;
    context.fillStyle = ROLE_COLOURS[person.role] ?? '#46555f';
    roundRect(context, (LABEL_W - badgeWidth) / 2, 86, badgeWidth, 46, 23);
    context.fill();
    context.fillStyle = '#ffffff';
    context.fillText(badge, LABEL_W / 2, 110);
    this.labelTexture.needsUpdate = true;
  }

  dispose(): void {
    this.setLabelVisible(false);
    this.group.removeFromParent();
  }
}

function roundRect(
  context: CanvasRenderingContext2D,
  x: number,
  y: number,
  w: number,
  h: number,
  r: number,
): void {
  context.beginPath();
  context.moveTo(x + r, y);
  context.arcTo(x + w, y, x + w, y + h, r);
  context.arcTo(x + w, y + h, x, y + h, r);
  context.arcTo(x, y + h, x, y, r);
  context.arcTo(x, y, x + w, y, r);
  context.closePath();
}
