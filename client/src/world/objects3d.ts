/**
 * Persistent objects in the 3D scene: posters (a board with a title, text and perhaps an image
 * from our own origin), notes (a small card), and simple models made of primitives.
 */
import {
  BoxGeometry,
  CanvasTexture,
  Color,
  ConeGeometry,
  CylinderGeometry,
  Group,
  type Material,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  PlaneGeometry,
  SRGBColorSpace,
  SphereGeometry,
  TextureLoader,
  TorusGeometry,
} from 'three';
import { isAnatomyKey, loadAnatomyModel } from './anatomy';
import type { WorldObject } from './connection';
import { communityPath } from './labels';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';

function wrap(context: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      const next = line ? `${line} ${word}` : word;
      if (context.measureText(next).width > width && line) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** A canvas with a title and wrapped text, as a texture. */
function textCard(
  width: number,
  height: number,
  background: string,
  title: string,
  text: string,
): CanvasTexture {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  context.fillStyle = background;
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#1b2a33';
  context.textBaseline = 'top';
  let y = 32;
  if (title) {
    context.font = `700 ${Math.round(width / 14)}px ${FONT}`;
    for (const line of wrap(context, title, width - 64).slice(0, 2)) {
      context.fillText(line, 32, y);
      y += Math.round(width / 11);
    }
    y += 12;
  }
  context.font = `400 ${Math.round(width / 18)}px ${FONT}`;
  const lineHeight = Math.round(width / 13);
  for (const line of wrap(context, text, width - 64)) {
    if (y + lineHeight > height - 24) break;
    context.fillText(line, 32, y);
    y += lineHeight;
  }
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  return texture;
}

function lambert(colour: string): MeshLambertMaterial {
  return new MeshLambertMaterial({ color: new Color(colour) });
}

/** Simple models by key (`careverse.world.templates.MODELS`), on a small pedestal. */
function model(key: string): Group {
  const group = new Group();
  const add = (mesh: Mesh, x: number, y: number, z: number) => {
    mesh.position.set(x, y, z);
    group.add(mesh);
    return mesh;
  };
  add(new Mesh(new CylinderGeometry(0.35, 0.4, 0.9, 16), lambert('#f3f0ea')), 0, 0.45, 0);
  const top = 0.9;
  switch (key) {
    case 'heart': {
      const red = lambert('#b8474f');
      add(new Mesh(new SphereGeometry(0.16, 14, 10), red), -0.1, top + 0.3, 0);
      add(new Mesh(new SphereGeometry(0.16, 14, 10), red), 0.1, top + 0.3, 0);
      add(new Mesh(new ConeGeometry(0.22, 0.34, 14), red), 0, top + 0.13, 0).rotation.x = Math.PI;
      break;
    }
    case 'lungs': {
      const pink = lambert('#d98c98');
      add(new Mesh(new SphereGeometry(0.14, 12, 10), pink), -0.13, top + 0.25, 0).scale.set(1, 1.6, 0.8);
      add(new Mesh(new SphereGeometry(0.14, 12, 10), pink), 0.13, top + 0.25, 0).scale.set(1, 1.6, 0.8);
      add(new Mesh(new CylinderGeometry(0.03, 0.03, 0.25, 8), lambert('#c9d3d9')), 0, top + 0.5, 0);
      break;
    }
    case 'brain': {
      add(new Mesh(new SphereGeometry(0.22, 16, 12), lambert('#e3a6b8')), 0, top + 0.24, 0).scale.set(1.2, 0.9, 1);
      break;
    }
    case 'spine':
    case 'skeleton': {
      const bone = lambert('#ece4d4');
      for (let i = 0; i < 8; i++) {
        add(new Mesh(new CylinderGeometry(0.06, 0.06, 0.06, 10), bone), 0, top + 0.05 + i * 0.09, 0);
      }
      if (key === 'skeleton') {
        add(new Mesh(new SphereGeometry(0.12, 12, 10), bone), 0, top + 0.86, 0);
        add(new Mesh(new TorusGeometry(0.14, 0.025, 6, 16), bone), 0, top + 0.5, 0).rotation.x = Math.PI / 2;
      }
      break;
    }
    case 'knee': {
      const bone = lambert('#ece4d4');
      add(new Mesh(new CylinderGeometry(0.06, 0.07, 0.3, 10), bone), 0, top + 0.15, 0);
      add(new Mesh(new SphereGeometry(0.09, 12, 10), lambert('#c9b8a4')), 0, top + 0.34, 0.03);
      add(new Mesh(new CylinderGeometry(0.07, 0.06, 0.3, 10), bone), 0, top + 0.52, 0);
      break;
    }
    case 'hand': {
      const skin = lambert('#f1d6bf');
      add(new Mesh(new BoxGeometry(0.24, 0.26, 0.07), skin), 0, top + 0.15, 0);
      for (let i = 0; i < 4; i++) {
        add(new Mesh(new BoxGeometry(0.045, 0.18, 0.05), skin), -0.09 + i * 0.06, top + 0.37, 0);
      }
      add(new Mesh(new BoxGeometry(0.05, 0.14, 0.05), skin), 0.15, top + 0.2, 0).rotation.z = -0.6;
      break;
    }
    case 'plant': {
      add(new Mesh(new SphereGeometry(0.3, 12, 10), lambert('#7fa878')), 0, top + 0.3, 0);
      break;
    }
    case 'screen': {
      add(new Mesh(new BoxGeometry(0.9, 0.55, 0.05), lambert('#1b2a33')), 0, top + 0.45, 0);
      add(new Mesh(new PlaneGeometry(0.82, 0.47), new MeshBasicMaterial({ color: '#cfe6f2' })), 0, top + 0.45, -0.03).rotation.y = Math.PI;
      break;
    }
    default:
      add(new Mesh(new BoxGeometry(0.3, 0.3, 0.3), lambert('#5b9aa0')), 0, top + 0.2, 0).rotation.y = 0.6;
  }
  return group;
}

/**
 * A member's work the gallery hung on a wall (the server places it): a dark frame at eye height
 * holding the image from our own origin, or — for a poem or short text — a cream plaque with it.
 */
function artwork(object: WorldObject): Mesh[] {
  const frame = new Mesh(new BoxGeometry(2.4, 1.9, 0.08), lambert('#2f2a26'));
  frame.position.y = 1.9;
  const image = object.url && object.url.startsWith('/') && !object.url.startsWith('//');
  const face = new Mesh(
    new PlaneGeometry(2.2, 1.7),
    new MeshBasicMaterial({
      map: textCard(1024, 792, image ? '#e9e4da' : '#fbf6e9', object.title ?? '', image ? '' : (object.text ?? '')),
    }),
  );
  face.position.set(0, 1.9, 0.045);
  if (image) {
    new TextureLoader().load(object.url!, (texture) => {
      texture.colorSpace = SRGBColorSpace;
      const material = face.material as MeshBasicMaterial;
      material.map?.dispose();
      material.map = texture;
      material.needsUpdate = true;
      // Keep the picture's proportions inside the frame.
      const picture = texture.image as { width: number; height: number };
      const ratio = picture.width / Math.max(1, picture.height);
      face.scale.set(Math.min(1, ratio / (2.2 / 1.7)), Math.min(1, 2.2 / 1.7 / ratio), 1);
    });
  }
  const label = new Mesh(
    new PlaneGeometry(1.2, 0.3),
    new MeshBasicMaterial({ map: textCard(512, 128, '#f3f0ea', object.title ?? '', '') }),
  );
  label.position.set(0, 0.75, 0.02);
  return [frame, face, label];
}

/** The group drawing one object; `dispose()` frees what it made. */
export function buildObject(object: WorldObject): Group {
  const group = new Group();
  group.name = object.id;
  if (object.kind === 'poster') {
    const board = new Mesh(new BoxGeometry(2.2, 1.6, 0.06), lambert('#3d3a36'));
    board.position.y = 1.7;
    const face = new Mesh(
      new PlaneGeometry(2.05, 1.45),
      new MeshBasicMaterial({
        map: textCard(1024, 724, '#fbfaf7', object.title ?? '', object.text ?? ''),
      }),
    );
    // Posters face +z by default; yaw turns them like anything else.
    face.position.set(0, 1.7, 0.035);
    const leg = new Mesh(new BoxGeometry(0.08, 0.9, 0.08), lambert('#6b5a48'));
    leg.position.y = 0.45;
    group.add(board, face, leg);
    if (object.url && object.url.startsWith('/') && !object.url.startsWith('//')) {
      // An image from our own origin above the text (the CSP allows nothing else).
      new TextureLoader().load(object.url, (texture) => {
        texture.colorSpace = SRGBColorSpace;
        const material = face.material as MeshBasicMaterial;
        material.map?.dispose();
        material.map = texture;
        material.needsUpdate = true;
      });
    }
  } else if (object.kind === 'artwork') {
    group.add(...artwork(object));
  } else if (object.kind === 'notice-board') {
    // A cork board on two legs; a tap on it opens its community page (scene3d.ts).
    const board = new Mesh(new BoxGeometry(1.8, 1.2, 0.08), lambert('#b08a5a'));
    board.position.y = 1.6;
    const face = new Mesh(
      new PlaneGeometry(1.6, 1.0),
      new MeshBasicMaterial({ map: textCard(768, 480, '#fbfaf7', object.title ?? '', object.text ?? '') }),
    );
    face.position.set(0, 1.6, 0.045);
    group.add(board, face);
    for (const x of [-0.8, 0.8]) {
      const leg = new Mesh(new BoxGeometry(0.07, 1.1, 0.07), lambert('#6b5a48'));
      leg.position.set(x, 0.55, 0);
      group.add(leg);
    }
    group.userData.link = communityPath(object);
  } else if (object.kind === 'note') {
    const card = new Mesh(
      new PlaneGeometry(0.6, 0.6),
      new MeshBasicMaterial({ map: textCard(384, 384, '#f6e7a1', object.title ?? '', object.text ?? '') }),
    );
    card.position.y = 1.4;
    const post = new Mesh(new CylinderGeometry(0.025, 0.025, 1.1, 8), lambert('#6b5a48'));
    post.position.set(0, 0.55, -0.03);
    group.add(card, post);
  } else {
    const shape = model(object.model ?? '');
    group.add(shape);
    // care: the consult room's heart, spine and knee are glTF models; the primitive stands in.
    if (isAnatomyKey(object.model)) {
      void loadAnatomyModel(object.model).then((loaded) => {
        shape.children.slice(1).forEach((child) => child.removeFromParent());
        loaded.position.y = 0.9;
        shape.add(loaded);
      }, () => undefined);
    }
  }
  placeObject(group, object);
  return group;
}

export function placeObject(group: Group, object: WorldObject): void {
  group.position.set(object.p[0], object.p[1], object.p[2]);
  if (object.rot) group.quaternion.set(object.rot[0], object.rot[1], object.rot[2], object.rot[3]);
  else group.rotation.set(0, object.yaw ?? 0, 0);
  const scale = object.scale ?? 1;
  group.scale.set(scale, scale, scale);
}

export function disposeObject(group: Group): void {
  group.traverse((node) => {
    if (node instanceof Mesh) {
      node.geometry.dispose();
      const materials: Material[] = Array.isArray(node.material) ? node.material : [node.material];
      for (const material of materials) {
        (material as MeshBasicMaterial).map?.dispose();
        material.dispose();
      }
    }
  });
  group.removeFromParent();
}
