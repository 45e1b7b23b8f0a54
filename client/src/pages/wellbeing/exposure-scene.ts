/**
 * The exposure scenes, made in code with three.js (loaded only in 3D mode, by dynamic import):
 *
 * - `heights`: the patient stands on a glass floor at the end of a ledge; the ground (streets
 *   and blocks) lies `height_m` below.
 * - `crowd`: a street of instanced figures, `crowd_density` people per m² around the patient,
 *   the nearest `proximity_m` away; they stroll unless the view is kept still.
 * - `spider`: a procedural spider on a table `proximity_m` in front of the patient.
 * - `speaking`: rows of an audience facing the patient's lectern, the first row `proximity_m`
 *   away, as many as `crowd_density` fills.
 *
 * `noise` is the loudness of a street/room murmur (brown noise through WebAudio). The parameters
 * come from the server (the step at the session's intensity); `apply` rebuilds what changed, live.
 * The container carries what is shown on `data-scene` / `data-scene-params` (and
 * `window.__exposureScene`), for the therapist's trust and the browser tests.
 * WebXR: an "Enter VR" button when `navigator.xr` supports immersive VR. Comfort: no movement
 * (the camera and the figures stay still) and a vignette (drawn by the page over the canvas).
 *
 * Cost (measured with `careverse bench exposure`, docs/performance.md): what a frame costs is
 * mostly pixels, so the large surfaces (the street, floors) are unlit `MeshBasicMaterial` in the
 * colour lighting would give a flat surface, the rest Lambert (no PBR), the glass does not write
 * depth, the crowd is one instanced low-poly mesh, and there are no shadows or antialiasing.
 * A scene that does not move (heights; any scene under "keep the view still") is drawn when it
 * changes, not every frame, outside VR. The resolution follows the frame time: below 50 fps it
 * steps down (to half the pixels at worst) and back up when there is room.
 */
import {
  BoxGeometry,
  CapsuleGeometry,
  Color,
  CylinderGeometry,
  DirectionalLight,
  Fog,
  Group,
  HemisphereLight,
  InstancedMesh,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  Object3D,
  PerspectiveCamera,
  PlaneGeometry,
  Scene,
  SphereGeometry,
  WebGLRenderer,
} from 'three';
import { VRButton } from 'three/examples/jsm/webxr/VRButton.js';
import type { SceneParameters } from '../../api/exposure';
import { t } from '../../i18n';

const EYE = 1.6;
const FOG_FAR = 350;
const MAX_FIGURES = 800;
const CROWD_AREA_M2 = 200;
const FRAME_BUDGET_MS = 1000 / 60;
const MAX_PIXEL_RATIO = 1.5;
const MIN_RESOLUTION = 0.5; // of the device's pixels (at most 1.5 a CSS pixel): never blurrier
/** The browser benchmark asks for a frame drawn every frame, as in VR (docs/performance.md). */
const DRAW_EVERY_FRAME_KEY = 'careverse.exposure.drawEveryFrame';

function lambert(color: number): MeshLambertMaterial {
  return new MeshLambertMaterial({ color });
}

/** Unlit, for large flat surfaces facing up: the colour the hemisphere and sun would give them. */
function flat(color: number): MeshBasicMaterial {
  return new MeshBasicMaterial({ color });
}

export interface SceneComfort {
  still: boolean;
}

declare global {
  interface Window {
    __exposureScene?: {
      params: SceneParameters;
      shown: Record<string, number>;
      /** Mean time between the last 120 frames (ms). */
      frameMs: number;
      drawCalls?: number;
      triangles?: number;
      pixelRatio?: number;
      /** `every frame` while anything moves (or in VR), `on change` otherwise. */
      drawing?: string;
    };
  }
}

function disposeTree(root: Object3D): void {
  root.traverse((node) => {
    const mesh = node as Mesh;
    mesh.geometry?.dispose();
    const material = mesh.material;
    if (Array.isArray(material)) material.forEach((m) => m.dispose());
    else material?.dispose();
  });
}

/** Seeded pseudo-random numbers: the same step draws the same street. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export class ExposureScene {
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(70, 1, 0.05, FOG_FAR * 1.5);
  private content = new Group();
  private figures: InstancedMesh | null = null;
  private spiderLegs: Object3D[] = [];
  private params: SceneParameters | null = null;
  private running = false;
  private resize: ResizeObserver;
  private frames: number[] = [];
  private last = 0;
  private dirty = true;
  private readonly everyFrame = localStorage.getItem(DRAW_EVERY_FRAME_KEY) === '1';
  private resolution = 1; // share of the device pixel ratio (up to MAX_PIXEL_RATIO) drawn
  private framesSinceResize = 0;
  private resizedAt = 0;
  private audio: { context: AudioContext; gain: GainNode } | null = null;
  private vrButton: HTMLElement | null = null;

  constructor(
    private readonly container: HTMLElement,
    private comfort: SceneComfort,
    private readonly vrSlot: HTMLElement | null,
  ) {
    this.renderer = new WebGLRenderer({ antialias: false, stencil: false, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(this.pixelRatio());
    this.renderer.xr.enabled = true;
    this.renderer.domElement.setAttribute('aria-hidden', 'true');
    container.prepend(this.renderer.domElement);
    this.scene.background = new Color(0xbfd9ee);
    this.scene.fog = new Fog(0xbfd9ee, 30, FOG_FAR);
    this.scene.add(new HemisphereLight(0xffffff, 0x556655, 1.7));
    const sun = new DirectionalLight(0xffffff, 1.6);
    sun.position.set(20, 40, 10);
    this.scene.add(sun, this.content);
    this.camera.position.set(0, EYE, 0);
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(container);
    this.fit();
    this.setUpXR();
  }

  private fit(): void {
    const width = this.container.clientWidth || 640;
    const height = this.container.clientHeight || 360;
    this.renderer.setSize(width, height, false);
    this.renderer.domElement.style.width = '100%';
    this.renderer.domElement.style.height = '100%';
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.dirty = true;
  }

  private pixelRatio(): number {
    return Math.min(window.devicePixelRatio, MAX_PIXEL_RATIO) * this.resolution;
  }

  /** Dynamic resolution: a step down when frames are slow, up again when there is room. */
  private adapt(now: number): void {
    this.framesSinceResize += 1;
    // Judge at least 8 frames and a second drawn at this resolution (slow frames are the case).
    if (this.framesSinceResize < 8 || now - this.resizedAt < 1000) return;
    const recent = this.frames.slice(-Math.min(30, this.framesSinceResize - 1));
    const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
    let next = this.resolution;
    if (mean > FRAME_BUDGET_MS * 1.2) next = Math.max(MIN_RESOLUTION, next - 0.25);
    else if (mean < FRAME_BUDGET_MS * 0.6) next = Math.min(1, next + 0.25);
    if (next === this.resolution) return;
    this.resolution = next;
    this.framesSinceResize = 0;
    this.resizedAt = now;
    this.renderer.setPixelRatio(this.pixelRatio());
    this.fit();
  }

  private setUpXR(): void {
    const xr = (navigator as Navigator & { xr?: XRSystem }).xr;
    if (!xr || !this.vrSlot) return;
    void xr
      .isSessionSupported('immersive-vr')
      .then((supported) => {
        if (!supported || !this.vrSlot) return;
        const button = VRButton.createButton(this.renderer);
        button.classList.add('button', 'button--secondary');
        button.style.position = 'static';
        const translate = () => {
          const text = button.textContent ?? '';
          if (text === 'ENTER VR') button.textContent = t('world.vr.enter');
          else if (text === 'EXIT VR') button.textContent = t('world.vr.exit');
        };
        new MutationObserver(translate).observe(button, { childList: true, characterData: true });
        translate();
        this.vrButton = button;
        this.vrSlot.append(button);
      })
      .catch(() => undefined);
  }

  setComfort(comfort: SceneComfort): void {
    this.comfort = comfort;
    this.dirty = true;
  }

  /** Show `params` (rebuilding the scene when anything but the noise changed). */
  apply(params: SceneParameters): void {
    const before = this.params;
    this.params = params;
    const same =
      before &&
      before.scene === params.scene &&
      before.height_m === params.height_m &&
      before.crowd_density === params.crowd_density &&
      before.proximity_m === params.proximity_m;
    const shown: Record<string, number> = same ? (window.__exposureScene?.shown ?? {}) : this.build(params);
    this.dirty = true;
    this.setNoise(params.noise ?? 0);
    this.container.dataset.scene = params.scene;
    this.container.dataset.sceneParams = JSON.stringify({ ...params, ...shown });
    window.__exposureScene = { ...window.__exposureScene, params, shown, frameMs: window.__exposureScene?.frameMs ?? 0 };
  }

  private build(params: SceneParameters): Record<string, number> {
    this.scene.remove(this.content);
    disposeTree(this.content);
    this.content = new Group();
    this.figures = null;
    this.spiderLegs = [];
    this.scene.add(this.content);
    this.camera.position.set(0, EYE, 0);
    switch (params.scene) {
      case 'heights':
        return this.buildHeights(params.height_m ?? 3);
      case 'crowd':
        return this.buildCrowd(params.crowd_density ?? 0.5, params.proximity_m ?? 3, false);
      case 'speaking':
        return this.buildCrowd(params.crowd_density ?? 0.5, params.proximity_m ?? 3, true);
      default:
        return this.buildSpider(params.proximity_m ?? 2);
    }
  }

  private buildHeights(height: number): Record<string, number> {
    const concrete = lambert(0x9a9a9a);
    const ledge = new Mesh(new BoxGeometry(6, 0.4, 6), concrete);
    ledge.position.set(0, -0.2, 3);
    const glass = new Mesh(
      new BoxGeometry(2, 0.05, 3),
      new MeshBasicMaterial({ color: 0xaad4ff, transparent: true, opacity: 0.25, depthWrite: false }),
    );
    glass.renderOrder = 1; // after everything it lets through
    glass.position.set(0, -0.025, -1.5);
    const rail = lambert(0x444444);
    for (const x of [-1, 1]) {
      const bar = new Mesh(new BoxGeometry(0.05, 0.05, 3), rail);
      bar.position.set(x, 1.0, -1.5);
      this.content.add(bar);
    }
    const ground = new Group();
    ground.position.y = -height;
    // As far as the fog reaches and no further: beyond it every pixel is the sky's colour anyway.
    const street = new Mesh(new PlaneGeometry(2 * FOG_FAR, 2 * FOG_FAR), flat(0x6a7862));
    street.rotation.x = -Math.PI / 2;
    ground.add(street);
    const next = random(7);
    const block = new BoxGeometry(1, 1, 1);
    const blocks = new InstancedMesh(block, lambert(0xb7a99a), 120);
    const place = new Object3D();
    for (let i = 0; i < 120; i++) {
      const h = 2 + next() * 10;
      place.position.set((next() - 0.5) * 160, h / 2, -10 - next() * 160);
      place.scale.set(4 + next() * 6, h, 4 + next() * 6);
      place.updateMatrix();
      blocks.setMatrixAt(i, place.matrix);
    }
    ground.add(blocks);
    this.content.add(ledge, glass, ground);
    this.camera.lookAt(0, -Math.min(height, 30) * 0.3, -6);
    return { ground_depth_m: height };
  }

  private buildCrowd(density: number, proximity: number, seated: boolean): Record<string, number> {
    const floor = new Mesh(
      new PlaneGeometry(200, 200),
      flat(seated ? 0x94785a : 0x808080),
    );
    floor.rotation.x = -Math.PI / 2;
    this.content.add(floor);
    const count = Math.min(MAX_FIGURES, Math.round(density * CROWD_AREA_M2));
    const body = new CapsuleGeometry(0.22, 1.1, 2, 6); // 60 triangles: a figure, not a portrait
    const mesh = new InstancedMesh(body, lambert(0xffffff), Math.max(count, 1));
    mesh.count = count;
    const next = random(11);
    const place = new Object3D();
    const radius = Math.sqrt(CROWD_AREA_M2 / Math.PI) + proximity;
    for (let i = 0; i < count; i++) {
      if (seated) {
        const perRow = 10;
        const row = Math.floor(i / perRow);
        place.position.set(((i % perRow) - (perRow - 1) / 2) * 0.7, 0.55, -(proximity + row * 1.1));
      } else {
        const angle = next() * Math.PI * 2;
        const r = proximity + Math.sqrt(next()) * (radius - proximity);
        place.position.set(Math.cos(angle) * r, 0.77, Math.sin(angle) * r);
      }
      place.rotation.y = seated ? 0 : next() * Math.PI * 2;
      place.updateMatrix();
      mesh.setMatrixAt(i, place.matrix);
      mesh.setColorAt(i, new Color().setHSL(next(), 0.35, 0.45));
    }
    this.figures = mesh;
    this.content.add(mesh);
    if (seated) {
      const lectern = new Mesh(new BoxGeometry(0.6, 1.1, 0.4), lambert(0x5a3b22));
      lectern.position.set(0, 0.55, -0.5);
      this.content.add(lectern);
    }
    this.camera.lookAt(0, EYE - 0.1, -5);
    return { figures: count, nearest_m: proximity };
  }

  private buildSpider(distance: number): Record<string, number> {
    const table = new Mesh(new BoxGeometry(1.6, 0.05, Math.max(2, distance + 0.6)), lambert(0xd8c7a8));
    table.position.set(0, 0.9, -Math.max(2, distance + 0.6) / 2);
    const floor = new Mesh(new PlaneGeometry(40, 40), flat(0x77879a));
    floor.rotation.x = -Math.PI / 2;
    const spider = new Group();
    const dark = lambert(0x1c1510);
    const abdomen = new Mesh(new SphereGeometry(0.035, 16, 12), dark);
    abdomen.scale.set(1, 0.8, 1.3);
    abdomen.position.set(0, 0.03, 0.045);
    const head = new Mesh(new SphereGeometry(0.022, 12, 10), dark);
    head.position.set(0, 0.025, -0.01);
    spider.add(abdomen, head);
    const legGeometry = new CylinderGeometry(0.003, 0.002, 0.07, 5);
    for (let i = 0; i < 8; i++) {
      const side = i < 4 ? -1 : 1;
      const k = i % 4;
      const hip = new Group();
      hip.position.set(side * 0.015, 0.03, -0.02 + k * 0.012);
      hip.rotation.y = side * (0.9 - k * 0.45);
      const upper = new Mesh(legGeometry, dark);
      upper.rotation.z = side * 1.1;
      upper.position.set(side * 0.03, 0.015, 0);
      const lower = new Mesh(legGeometry, dark);
      lower.rotation.z = side * -0.5;
      lower.position.set(side * 0.07, -0.005, 0);
      hip.add(upper, lower);
      spider.add(hip);
      this.spiderLegs.push(hip);
    }
    spider.scale.setScalar(1.6);
    spider.position.set(0, 0.925, -distance);
    spider.rotation.y = Math.PI;
    this.content.add(floor, table, spider);
    this.camera.lookAt(0, 0.93, -distance);
    return { spider_distance_m: distance };
  }

  private setNoise(level: number): void {
    if (level <= 0 && !this.audio) return;
    try {
      if (!this.audio) {
        const context = new AudioContext();
        const seconds = 2;
        const buffer = context.createBuffer(1, context.sampleRate * seconds, context.sampleRate);
        const data = buffer.getChannelData(0);
        let last = 0;
        for (let i = 0; i < data.length; i++) {
          last = (last + 0.02 * (Math.random() * 2 - 1)) / 1.02; // brown noise: a murmur
          data[i] = last * 3.5;
        }
        const source = context.createBufferSource();
        source.buffer = buffer;
        source.loop = true;
        const gain = context.createGain();
        source.connect(gain).connect(context.destination);
        source.start();
        this.audio = { context, gain };
      }
      this.audio.gain.gain.value = Math.max(0, Math.min(1, level)) * 0.5;
    } catch {
      this.audio = null; // no audio here: the scene is still shown
    }
  }

  /** Silence (pause) or restore the murmur. */
  mute(muted: boolean): void {
    if (!this.audio) return;
    if (muted) void this.audio.context.suspend();
    else void this.audio.context.resume();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.dirty = true; // after a pause the canvas is shown again
    this.renderer.setAnimationLoop((now) => this.frame(now));
  }

  stop(): void {
    this.running = false;
    this.renderer.setAnimationLoop(null);
  }

  private frame(now: number): void {
    if (this.last) {
      this.frames.push(now - this.last);
      if (this.frames.length > 120) this.frames.shift();
      if (window.__exposureScene) {
        window.__exposureScene.frameMs = this.frames.reduce((a, b) => a + b, 0) / this.frames.length;
      }
    }
    this.last = now;
    const moving = !this.comfort.still && (this.spiderLegs.length > 0 || (!!this.figures && this.params?.scene === 'crowd'));
    if (moving) {
      const s = now / 1000;
      for (const [i, leg] of this.spiderLegs.entries()) leg.rotation.x = Math.sin(s * 6 + i) * 0.15;
      if (this.figures && this.params?.scene === 'crowd') this.figures.rotation.y = s * 0.01;
    }
    const inVR = this.renderer.xr.isPresenting;
    const everyFrame = moving || inVR || this.everyFrame;
    if (everyFrame && !inVR) this.adapt(now);
    if (everyFrame || this.dirty) {
      this.renderer.render(this.scene, this.camera);
      this.dirty = inVR; // the first frame after VR is drawn for the page again
      const scene = window.__exposureScene;
      if (scene) {
        scene.drawCalls = this.renderer.info.render.calls;
        scene.triangles = this.renderer.info.render.triangles;
      }
    }
    if (window.__exposureScene) {
      window.__exposureScene.pixelRatio = this.renderer.getPixelRatio();
      window.__exposureScene.drawing = everyFrame ? 'every frame' : 'on change';
    }
  }

  dispose(): void {
    this.stop();
    this.resize.disconnect();
    void this.renderer.xr.getSession()?.end();
    disposeTree(this.content);
    this.renderer.dispose();
    this.renderer.domElement.remove();
    this.vrButton?.remove();
    if (this.audio) void this.audio.context.close();
    this.audio = null;
  }
}
