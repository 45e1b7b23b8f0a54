/**
 * The places: each template's room made in code from a few primitive shapes (no downloaded
 * assets). Shapes of the same kind and colour are drawn as one instanced mesh, so even the
 * auditorium's hundreds of seats cost a handful of draw calls on an old phone.
 */
import {
  BoxGeometry,
  BufferGeometry,
  Color,
  ConeGeometry,
  CylinderGeometry,
  Group,
  InstancedMesh,
  Mesh,
  MeshLambertMaterial,
  Object3D,
  PlaneGeometry,
  SphereGeometry,
  StaticDrawUsage,
} from 'three';

type Shape = 'box' | 'cylinder' | 'sphere' | 'cone';

const UNIT: Record<Shape, () => BufferGeometry> = {
  box: () => new BoxGeometry(1, 1, 1),
  cylinder: () => new CylinderGeometry(0.5, 0.5, 1, 16),
  sphere: () => new SphereGeometry(0.5, 14, 10),
  cone: () => new ConeGeometry(0.5, 1, 12),
};

/** Collects shapes, then builds one InstancedMesh per (shape, colour). */
class Kit {
  private readonly batches = new Map<string, { shape: Shape; colour: string; items: number[] }>();

  /** Add a shape whose base sits at (x, y, z), sized w × h × d, turned by `turn` radians. */
  add(shape: Shape, colour: string, x: number, y: number, z: number, w: number, h: number, d: number, turn = 0): void {
    const key = `${shape}|${colour}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = { shape, colour, items: [] };
      this.batches.set(key, batch);
    }
    batch.items.push(x, y + h / 2, z, w, h, d, turn);
  }

  box(colour: string, x: number, y: number, z: number, w: number, h: number, d: number, turn = 0): void {
    this.add('box', colour, x, y, z, w, h, d, turn);
  }

  cylinder(colour: string, x: number, y: number, z: number, radius: number, h: number): void {
    this.add('cylinder', colour, x, y, z, radius * 2, h, radius * 2);
  }

  sphere(colour: string, x: number, y: number, z: number, radius: number): void {
    this.add('sphere', colour, x, y - radius, z, radius * 2, radius * 2, radius * 2);
  }

  cone(colour: string, x: number, y: number, z: number, radius: number, h: number): void {
    this.add('cone', colour, x, y, z, radius * 2, h, radius * 2);
  }

  /** A chair facing `turn` (0 faces −z). */
  chair(colour: string, x: number, z: number, turn: number): void {
    this.box(colour, x, 0.42, z, 0.5, 0.08, 0.5, turn);
    const bx = x + Math.sin(turn) * 0.22;
    const bz = z + Math.cos(turn) * 0.22;
    this.box(colour, bx, 0.42, bz, 0.5, 0.5, 0.08, turn);
    this.box('#6b5a48', x, 0, z, 0.36, 0.42, 0.36, turn);
  }

  tree(x: number, z: number, scale = 1): void {
    this.cylinder('#8a6a4a', x, 0, z, 0.15 * scale, 1.4 * scale);
    this.cone('#6f9a6a', x, 1.1 * scale, z, 1.1 * scale, 2.2 * scale);
    this.cone('#7fae78', x, 2.2 * scale, z, 0.8 * scale, 1.6 * scale);
  }

  plant(x: number, z: number): void {
    this.cylinder('#c9b8a4', x, 0, z, 0.25, 0.45);
    this.sphere('#7fa878', x, 1.0, z, 0.45);
  }

  /** Low walls round a square room of half-side `half`, `height` tall. */
  walls(half: number, height: number, colour: string): void {
    const t = 0.3;
    this.box(colour, 0, 0, -half, half * 2, height, t);
    this.box(colour, 0, 0, half, half * 2, height, t);
    this.box(colour, -half, 0, 0, t, height, half * 2);
    this.box(colour, half, 0, 0, t, height, half * 2);
  }

  build(): Group {
    const group = new Group();
    const dummy = new Object3D();
    for (const batch of this.batches.values()) {
      const count = batch.items.length / 7;
      const mesh = new InstancedMesh(
        UNIT[batch.shape](),
        new MeshLambertMaterial({ color: new Color(batch.colour) }),
        count,
      );
      mesh.instanceMatrix.setUsage(StaticDrawUsage);
      for (let i = 0; i < count; i++) {
        const o = i * 7;
        const v = batch.items;
        dummy.position.set(v[o]!, v[o + 1]!, v[o + 2]!);
        dummy.scale.set(v[o + 3]!, v[o + 4]!, v[o + 5]!);
        dummy.rotation.set(0, v[o + 6]!, 0);
        dummy.updateMatrix();
        mesh.setMatrixAt(i, dummy.matrix);
      }
      mesh.instanceMatrix.needsUpdate = true;
      mesh.computeBoundingSphere();
      group.add(mesh);
    }
    return group;
  }
}

export interface Environment {
  group: Group;
  /** Sky / background colour. */
  sky: string;
  /** Colours for the hemisphere light (sky, ground). */
  light: [string, string];
}

function floor(group: Group, half: number, colour: string): void {
  const mesh = new Mesh(
    new PlaneGeometry(half * 2, half * 2),
    new MeshLambertMaterial({ color: new Color(colour) }),
  );
  mesh.rotation.x = -Math.PI / 2;
  mesh.name = 'floor';
  group.add(mesh);
}

function ring(count: number, radius: number, place: (x: number, z: number, turn: number) => void): void {
  for (let i = 0; i < count; i++) {
    const a = (i / count) * Math.PI * 2;
    const x = Math.cos(a) * radius;
    const z = Math.sin(a) * radius;
    // Face the centre: forward (−sin t, −cos t) must point to (−x, −z).
    place(x, z, Math.atan2(x, z));
  }
}

const BUILDERS: Record<string, (kit: Kit) => { half: number; floor: string; sky: string; light: [string, string] }> = {
  'clinic-lobby': (kit) => {
    kit.walls(30, 3.5, '#efe9df');
    // Reception desk and a sign wall.
    kit.box('#b08d6a', 0, 0, -12, 8, 1.1, 1.2);
    kit.box('#e3f0f3', 0, 1.1, -12, 8.2, 0.08, 1.4);
    kit.box('#5b9aa0', 0, 0, -16, 12, 3, 0.3);
    // Waiting chairs in rows.
    for (let row = 0; row < 3; row++) {
      for (let i = 0; i < 8; i++) kit.chair('#8fb3cf', -7 + i * 2, -4 + row * 2.4, 0);
    }
    for (const [x, z] of [[-12, -10], [12, -10], [-12, 8], [12, 8], [-20, -2], [20, -2]] as const) {
      kit.plant(x, z);
    }
    // A low table with magazines and soft benches by the windows.
    kit.box('#b08d6a', 0, 0, 5, 3, 0.45, 1.2);
    kit.box('#c07a5a', -24, 0, 10, 1, 0.5, 8);
    kit.box('#c07a5a', 24, 0, 10, 1, 0.5, 8);
    return { half: 30, floor: '#e6ddcf', sky: '#dfe9ee', light: ['#f7faff', '#d9cfbf'] };
  },
  'consult-room': (kit) => {
    kit.walls(6, 3, '#eef1ec');
    kit.box('#b08d6a', 0, 0, -2, 2.4, 0.76, 1.1);
    kit.chair('#5b9aa0', 0, -3.1, Math.PI);
    kit.chair('#8fb3cf', -0.7, -0.6, 0);
    kit.chair('#8fb3cf', 0.7, -0.6, 0);
    // Examination couch, a bookshelf and a window panel.
    kit.box('#dfe6ea', 4, 0, -3.5, 1, 0.7, 2.2);
    kit.box('#9fb7c4', 4, 0.7, -4.3, 1, 0.3, 0.5);
    kit.box('#a98a6c', -5.6, 0, -2, 0.5, 2.2, 2.4);
    kit.box('#cfe6f2', 0, 1.2, -5.8, 3.5, 1.4, 0.1);
    kit.plant(-4.6, 4.2);
    kit.plant(4.6, 4.2);
    return { half: 6, floor: '#d9cbb6', sky: '#e8eef0', light: ['#fbfcff', '#d8cdbb'] };
  },
  'support-circle': (kit) => {
    kit.walls(12, 3, '#f1ebe2');
    kit.cylinder('#c9a98b', 0, 0, 0, 4.6, 0.02);
    kit.cylinder('#e0c7a8', 0, 0.02, 0, 1.2, 0.02);
    ring(12, 3.6, (x, z, turn) => kit.chair('#9cb59a', x, z, turn));
    kit.cylinder('#b08d6a', 0, 0, 0, 0.5, 0.45);
    kit.sphere('#e9d37a', 0, 0.75, 0, 0.14);
    for (const [x, z] of [[-10, -10], [10, -10], [-10, 10], [10, 10]] as const) {
      kit.cylinder('#6b5a48', x, 0, z, 0.08, 1.6);
      kit.cone('#f4e3c1', x, 1.5, z, 0.35, 0.45);
    }
    return { half: 12, floor: '#dccfbd', sky: '#efe7dc', light: ['#fff8ee', '#d8cab5'] };
  },
  'therapy-garden': (kit) => {
    // A pond, a winding path of stones, trees at the edges, benches facing the water.
    kit.cylinder('#8fc1d4', 0, 0, 0, 6, 0.05);
    kit.cylinder('#b9dbe6', 0, 0.05, 0, 4.2, 0.01);
    for (let i = 0; i < 24; i++) {
      const a = i * 0.42;
      kit.cylinder('#d8d0c2', Math.cos(a) * (9 + i * 0.5), 0, Math.sin(a) * (9 + i * 0.5), 0.45, 0.06);
    }
    ring(6, 8, (x, z, turn) => {
      kit.box('#a98a6c', x, 0.4, z, 1.8, 0.1, 0.6, turn);
      kit.box('#6b5a48', x, 0, z, 1.5, 0.4, 0.3, turn);
    });
    for (let i = 0; i < 22; i++) {
      const a = (i / 22) * Math.PI * 2;
      const r = 20 + (i % 3) * 5;
      kit.tree(Math.cos(a) * r, Math.sin(a) * r, 0.9 + (i % 4) * 0.15);
    }
    const flowers = ['#e3a6b8', '#f0d27a', '#c3b1e1'];
    for (let i = 0; i < 30; i++) {
      const a = i * 2.4;
      const r = 12 + (i % 5);
      kit.sphere(flowers[i % 3]!, Math.cos(a) * r, 0.3, Math.sin(a) * r, 0.22);
    }
    return { half: 40, floor: '#a9c79a', sky: '#cfe6f2', light: ['#eef7ff', '#a3bd8f'] };
  },
  // The therapist's session room: a small walled garden in the therapy garden's look (water,
  // plants, soft light), two benches facing each other across a little pond.
  'therapy-room': (kit) => {
    kit.cylinder('#8fc1d4', 0, 0, 0, 1.6, 0.05);
    kit.cylinder('#b9dbe6', 0, 0.05, 0, 1.1, 0.01);
    kit.box('#a98a6c', 0, 0.4, -3, 1.8, 0.1, 0.6);
    kit.box('#6b5a48', 0, 0, -3, 1.5, 0.4, 0.3);
    kit.box('#a98a6c', 0, 0.4, 3, 1.8, 0.1, 0.6);
    kit.box('#6b5a48', 0, 0, 3, 1.5, 0.4, 0.3);
    ring(10, 8, (x, z) => kit.tree(x, z, 0.7));
    ring(8, 5, (x, z) => kit.plant(x, z));
    const flowers = ['#e3a6b8', '#f0d27a', '#c3b1e1'];
    for (let i = 0; i < 14; i++) {
      const a = i * 2.4;
      kit.sphere(flowers[i % 3]!, Math.cos(a) * (3.6 + (i % 3) * 0.4), 0.3, Math.sin(a) * (3.6 + (i % 3) * 0.4), 0.18);
    }
    kit.walls(10, 1.2, '#d9cdb8');
    return { half: 10, floor: '#a9c79a', sky: '#d8ebf3', light: ['#fff6e8', '#a3bd8f'] };
  },
  // A mindfulness garden: cushions in a ring round the pond, where a group breathes together.
  mindfulness: (kit) => {
    kit.cylinder('#8fc1d4', 0, 0, 0, 3.5, 0.05);
    kit.cylinder('#b9dbe6', 0, 0.05, 0, 2.4, 0.01);
    ring(16, 6, (x, z) => kit.cylinder('#c3b1e1', x, 0, z, 0.35, 0.15));
    ring(24, 11, (x, z) => kit.plant(x, z));
    for (let i = 0; i < 18; i++) {
      const a = (i / 18) * Math.PI * 2;
      kit.tree(Math.cos(a) * (20 + (i % 2) * 5), Math.sin(a) * (20 + (i % 2) * 5), 0.9 + (i % 3) * 0.15);
    }
    return { half: 30, floor: '#a9c79a', sky: '#d4e8f2', light: ['#f3f8ff', '#a3bd8f'] };
  },
  'training-lab': (kit) => {
    kit.walls(15, 3.2, '#eef2f4');
    for (let i = 0; i < 3; i++) {
      const x = -8 + i * 8;
      kit.box('#dfe6ea', x, 0, -6, 1, 0.75, 2.1); // bed
      kit.box('#f1d6bf', x, 0.75, -6.6, 0.45, 0.22, 0.5); // the virtual patient's head
      kit.box('#8fb3cf', x, 0.75, -5.8, 0.6, 0.2, 1.2); // blanket
      kit.cylinder('#46555f', x + 1.2, 0, -7, 0.05, 1.6); // monitor pole
      kit.box('#1b2a33', x + 1.2, 1.5, -7, 0.6, 0.45, 0.1); // monitor
      kit.box('#7fc4a0', x + 1.2, 1.6, -6.94, 0.45, 0.05, 0.01); // its trace
      kit.box('#c9d3d9', x - 1.3, 0, -5, 0.6, 0.9, 0.5); // cart
    }
    kit.box('#ffffff', 0, 0.9, -14.7, 8, 1.8, 0.1); // whiteboard
    for (let i = 0; i < 6; i++) kit.chair('#5b9aa0', -5 + i * 2, 4, Math.PI);
    kit.box('#b08d6a', 0, 0, 6.5, 10, 0.75, 1);
    return { half: 15, floor: '#d5dde1', sky: '#e8eef2', light: ['#f7fbff', '#cfd6da'] };
  },
  'rehab-gym': (kit) => {
    kit.walls(20, 3.5, '#eef1ec');
    // Mats, parallel bars, balls, steps, and a mirror wall.
    for (let i = 0; i < 4; i++) kit.box('#5b9aa0', -12 + i * 4, 0, -8, 2.2, 0.05, 3.5);
    for (const z of [-0.5, 0.5]) {
      kit.box('#c9d3d9', 6, 0.95, 2 + z, 4, 0.06, 0.06);
      for (const x of [4.2, 7.8]) kit.cylinder('#6b7a84', x, 0, 2 + z, 0.04, 0.95);
    }
    for (let i = 0; i < 5; i++) kit.sphere(['#e3a6b8', '#8fb3cf', '#f0d27a'][i % 3]!, -10 + i * 1.4, 0.35, 6, 0.35);
    for (let i = 0; i < 3; i++) kit.box('#b08d6a', 10, 0, -10 + i * 0.4, 1.2, 0.2 * (i + 1), 0.4);
    kit.box('#cfe6f2', 0, 0.3, -19.7, 16, 2.4, 0.1);
    kit.plant(-18, 18);
    kit.plant(18, 18);
    return { half: 20, floor: '#e2d6c3', sky: '#e6eef0', light: ['#fbfcff', '#d6ccb9'] };
  },
  gallery: (kit) => {
    kit.walls(40, 4.5, '#f3f0ea');
    // Inner walls with framed panels, pedestals with simple sculptures.
    const art = ['#5b9aa0', '#c07a5a', '#7a6fa8', '#e0b45a', '#6f9a6a', '#4d79a8'];
    for (let i = 0; i < 4; i++) {
      const x = -24 + i * 16;
      kit.box('#f3f0ea', x, 0, -12, 10, 4, 0.3);
      kit.box('#f3f0ea', x, 0, 12, 10, 4, 0.3);
      for (const side of [-1, 1]) {
        kit.box('#3d3a36', x - 2.5, 1.2, -12 + side * 0.2, 3.4, 2.2, 0.06);
        kit.box(art[(i * 2) % art.length]!, x - 2.5, 1.3, -12 + side * 0.24, 3.0, 1.9, 0.04);
        kit.box('#3d3a36', x + 2.5, 1.2, 12 + side * 0.2, 3.4, 2.2, 0.06);
        kit.box(art[(i * 2 + 1) % art.length]!, x + 2.5, 1.3, 12 + side * 0.24, 3.0, 1.9, 0.04);
      }
      kit.box('#ffffff', x, 0, 0, 0.8, 1.0, 0.8);
      if (i % 2 === 0) kit.sphere(art[i]!, x, 1.5, 0, 0.5);
      else kit.cone(art[i]!, x, 1.0, 0, 0.4, 1.0);
    }
    for (let i = 0; i < 3; i++) kit.box('#6b5a48', -16 + i * 16, 0, 22, 2.4, 0.45, 0.6);
    return { half: 40, floor: '#cdbfa9', sky: '#ece8e1', light: ['#fffdf8', '#d3c7b3'] };
  },
  auditorium: (kit) => {
    // A stage with a screen and lectern, tiers of seats in arcs facing it.
    kit.box('#8a6a4a', 0, 0, -40, 30, 1, 12);
    kit.box('#1f3a4a', 0, 1, -45.5, 24, 9, 0.3);
    kit.box('#e3f0f3', 0, 2.5, -45.3, 20, 6, 0.05);
    kit.box('#b08d6a', 6, 1, -37, 1, 1.2, 0.7);
    for (let row = 0; row < 14; row++) {
      const r = 12 + row * 2.4;
      const seats = 16 + row * 3;
      for (let i = 0; i < seats; i++) {
        const a = -1.0 + (2.0 * i) / (seats - 1);
        const x = Math.sin(a) * r;
        const z = -40 + Math.cos(a) * r;
        if (z > 50) continue;
        // Seats face the stage centre (0, −40).
        const turn = Math.atan2(x, z + 40);
        kit.box(row % 2 ? '#7a4f5a' : '#8a5a66', x, 0, z, 0.6, 0.45, 0.55, turn);
        kit.box('#5f3c45', x + Math.sin(turn) * 0.25, 0.45, z + Math.cos(turn) * 0.25, 0.6, 0.5, 0.08, turn);
      }
    }
    kit.walls(60, 8, '#e9e2d8');
    return { half: 60, floor: '#b9a58e', sky: '#d9d4cc', light: ['#fff8f0', '#b8a58e'] };
  },
};

/** Build the room of `template` (an unknown template gets a plain floor). */
export function buildEnvironment(template: string): Environment {
  const kit = new Kit();
  const build = BUILDERS[template];
  const spec = build
    ? build(kit)
    : { half: 20, floor: '#e2d6c3', sky: '#e6eef0', light: ['#fbfcff', '#d6ccb9'] as [string, string] };
  const group = kit.build();
  floor(group, spec.half, spec.floor);
  group.name = `environment:${template}`;
  return { group, sky: spec.sky, light: spec.light };
}
