/**
 * The 3D view of a space (three.js, loaded only in 3D mode through a dynamic import).
 *
 * Draws the template's room, everyone in the area of interest (others a little in the past,
 * between the poses the server sent), and persistent objects; a third-person camera follows
 * one's own avatar. Light on old phones: the pixel ratio is capped, nothing is drawn while the
 * tab is hidden, and the frame loop allocates nothing. Where the browser supports immersive VR
 * (WebXR), an "Enter VR" button starts a session; head and hands are then sent with the pose.
 */
import {
  Color,
  DirectionalLight,
  Fog,
  Group,
  HemisphereLight,
  Mesh,
  MeshBasicMaterial,
  PerspectiveCamera,
  Plane,
  Quaternion,
  type Object3D,
  Raycaster,
  RingGeometry,
  Scene,
  Vector2,
  Vector3,
  WebGLRenderer,
  type XRTargetRaySpace,
} from 'three';
import { VRButton } from 'three/examples/jsm/webxr/VRButton.js';
import { t } from '../i18n';
import { navigate } from '../router';
import { AvatarKit, AvatarView } from './avatars';
import type { Quat, Vec3, WorldObject } from './connection';
import type { Controls } from './controls';
import { buildEnvironment } from './environments';
import type { PoseSample } from './interpolation';
import { buildObject, disposeObject, placeObject } from './objects3d';
import type { Person, WorldState } from './world-state';

export interface Scene3DOptions {
  /** The element the canvas goes into (it gets keyboard focus and pointer input). */
  container: HTMLElement;
  /** Where the "Enter VR" button goes, when VR is available. */
  vrSlot: HTMLElement | null;
  state: WorldState;
  controls: Controls;
  reducedMotion: boolean;
}

/** What is sent with the pose while in VR. */
export interface XRPose {
  head: Quat;
  lh?: Vec3;
  rh?: Vec3;
}

/** Name labels: for the nearest people within this range, at most this many. */
const LABEL_RANGE = 18;
const MAX_LABELS = 24;
const CAMERA_DISTANCE = 4.2;
const CAMERA_HEIGHT = 1.9;
const EYE_HEIGHT = 1.5;

export class Scene3D {
  readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(60, 1, 0.1, 300);
  /** Moves the VR player around; the camera is its child (the headset moves it within). */
  private readonly rig = new Group();
  private readonly kit = new AvatarKit();
  private readonly views = new Map<string, AvatarView>();
  /** The same views, as an array: the frame loop walks it without allocating an iterator. */
  private viewList: AvatarView[] = [];
  private readonly objectViews = new Map<string, Group>();
  /** When the last frame was drawn (0: the loop just (re)started). */
  private lastFrame = 0;
  private readonly sample: PoseSample = { x: 0, y: 0, z: 0, yaw: 0 };
  private readonly cameraTarget = new Vector3();
  private readonly cameraGoal = new Vector3();
  private readonly raycaster = new Raycaster();
  private readonly pointer = new Vector2();
  private readonly floorPlane = new Plane(new Vector3(0, 1, 0), 0);
  private readonly hit = new Vector3();
  private readonly marker: Mesh;
  private readonly scratchQ = new Quaternion();
  private readonly scratchV = new Vector3();
  private readonly controllers: { space: XRTargetRaySpace; hand: 'left' | 'right' | null }[] = [];
  private readonly xrPoseOut: XRPose = { head: [0, 0, 0, 1] };
  private readonly resizeObserver: ResizeObserver;
  private readonly stops: (() => void)[] = [];
  private running = false;
  private cameraPlaced = false;
  private vrButton: HTMLElement | null = null;
  private snapLatch = false;
  private framesToLabels = 0;
  /** Reused for choosing who gets a label (sorted in place; no allocation per pass). */
  private byDistance: AvatarView[] = [];
  private readonly distanceOf = new Map<AvatarView, number>();
  private readonly nearestFirst = (a: AvatarView, b: AvatarView): number =>
    (this.distanceOf.get(a) ?? 0) - (this.distanceOf.get(b) ?? 0);
  private readonly options: Scene3DOptions;
  private frameHooks: ((now: number) => void)[] = [];
  reducedMotion: boolean;

  private constructor(options: Scene3DOptions) {
    this.options = options;
    const { container, state } = options;
    this.reducedMotion = options.reducedMotion;
    const dpr = window.devicePixelRatio || 1;
    const coarse = window.matchMedia?.('(pointer: coarse)').matches ?? false;
    this.renderer = new WebGLRenderer({
      antialias: dpr < 1.5,
      powerPreference: 'low-power',
      preserveDrawingBuffer: false,
    });
    // Old phones have dense screens and weak GPUs: cap the pixels drawn.
    this.renderer.setPixelRatio(Math.min(dpr, coarse ? 1.25 : 1.5));
    this.renderer.xr.enabled = true;
    const canvas = this.renderer.domElement;
    canvas.setAttribute('aria-hidden', 'true');
    canvas.className = 'world-canvas';
    container.prepend(canvas);

    const environment = buildEnvironment(state.template);
    this.scene.add(environment.group);
    this.scene.background = new Color(environment.sky);
    this.scene.fog = new Fog(environment.sky, 35, 140);
    const hemisphere = new HemisphereLight(environment.light[0], environment.light[1], 2.2);
    const sun = new DirectionalLight('#fff4e6', 1.6);
    sun.position.set(12, 25, 10);
    this.scene.add(hemisphere, sun, this.rig);
    this.rig.add(this.camera);

    this.marker = new Mesh(
      new RingGeometry(0.25, 0.38, 32),
      new MeshBasicMaterial({ color: '#1d4ed8', transparent: true, opacity: 0.85 }),
    );
    this.marker.rotation.x = -Math.PI / 2;
    this.marker.position.y = 0.03;
    this.marker.visible = false;
    this.scene.add(this.marker);

    for (const person of state.people.values()) this.addPerson(person);
    this.syncObjects();
    this.stops.push(
      state.on('arrive', ({ person }) => this.addPerson(person)),
      state.on('depart', ({ person }) => this.removePerson(person.id)),
      state.on('people', () => this.refreshPeople()),
      state.on('objects', () => this.syncObjects()),
    );

    options.controls.onTap = (x, y) => this.tapAt(x, y);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();

    const visibility = () => (document.hidden ? this.pause() : this.start());
    document.addEventListener('visibilitychange', visibility);
    this.stops.push(() => document.removeEventListener('visibilitychange', visibility));
    this.setUpXR();
  }

  /** Build the scene in `container`; throws when WebGL is not available. */
  static create(options: Scene3DOptions): Scene3D {
    const scene = new Scene3D(options);
    scene.start();
    return scene;
  }

  // ---- people and objects ------------------------------------------------------------------

  private addPerson(person: Person): void {
    if (this.views.has(person.id)) return;
    const view = new AvatarView(person, this.kit);
    view.group.position.set(person.x, person.y, person.z);
    view.group.rotation.y = person.yaw;
    this.views.set(person.id, view);
    this.viewList = [...this.views.values()];
    this.byDistance = this.viewList.slice();
    this.framesToLabels = 0;
    this.scene.add(view.group);
  }

  private removePerson(id: string): void {
    const view = this.views.get(id);
    if (!view) return;
    view.dispose();
    this.views.delete(id);
    this.distanceOf.delete(view);
    this.viewList = [...this.views.values()];
    this.byDistance = this.viewList.slice();
  }

  private refreshPeople(): void {
    const now = performance.now();
    for (const view of this.viewList) view.refresh(now);
  }

  /** Show an emote above someone's head. */
  showEmote(id: string, text: string): void {
    const view = this.views.get(id);
    if (!view) return;
    view.showEmote(text, performance.now());
    view.refresh(performance.now());
  }

  /** Briefly mark a place someone points at. */
  showPoint(p: Vec3): void {
    this.marker.position.set(p[0], 0.03, p[2]);
    this.marker.visible = true;
    window.setTimeout(() => {
      if (!this.options.controls.walking) this.marker.visible = false;
    }, 2500);
  }

  private syncObjects(): void {
    const objects = this.options.state.objects;
    for (const [id, group] of this.objectViews) {
      if (!objects.has(id)) {
        disposeObject(group);
        this.objectViews.delete(id);
      }
    }
    for (const object of objects.values()) {
      const group = this.objectViews.get(object.id);
      const key = objectKey(object);
      if (group && group.userData.key === key) {
        placeObject(group, object);
        continue;
      }
      if (group) disposeObject(group);
      const built = buildObject(object);
      built.userData.key = key;
      this.objectViews.set(object.id, built);
      this.scene.add(built);
    }
  }

  // ---- input -------------------------------------------------------------------------------

  /** A tap or click on the floor: walk there. */
  private tapAt(clientX: number, clientY: number): void {
    const rect = this.renderer.domElement.getBoundingClientRect();
    this.pointer.set(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    this.raycaster.setFromCamera(this.pointer, this.camera);
    // Something attached that can be chosen (the lab's patient): its `userData.onSelect`.
    const selectable = this.scene.children.filter((o) => o.userData.onSelect);
    const chosen = selectable.length ? this.raycaster.intersectObjects(selectable, true)[0] : undefined;
    if (chosen) {
      let node: Object3D | null = chosen.object;
      while (node && !node.userData.onSelect) node = node.parent;
      if (node) return (node.userData.onSelect as () => void)();
    }
    // A notice board opens its community page (the same path its link in the list opens).
    const boards = [...this.objectViews.values()].filter((g) => g.userData.link);
    const hit = boards.length ? this.raycaster.intersectObjects(boards, true)[0] : undefined;
    if (hit) {
      let node: Object3D | null = hit.object;
      while (node && !node.userData.link) node = node.parent;
      if (node) return navigate(String(node.userData.link));
    }
    if (!this.raycaster.ray.intersectPlane(this.floorPlane, this.hit)) return;
    const controls = this.options.controls;
    controls.walkTo(this.hit.x, this.hit.z, { speed: 4 });
    this.marker.position.set(this.hit.x, 0.03, this.hit.z);
    this.marker.visible = true;
  }

  // ---- the frame loop ------------------------------------------------------------------------

  start(): void {
    if (this.running || document.hidden) return;
    this.running = true;
    this.lastFrame = 0;
    this.renderer.setAnimationLoop(this.frame);
  }

  /** Stop drawing (the tab is hidden); a VR session keeps its own loop. */
  pause(): void {
    if (!this.running || this.renderer.xr.isPresenting) return;
    this.running = false;
    this.renderer.setAnimationLoop(null);
  }

  private readonly frame = (): void => {
    const now = performance.now();
    const dt = this.lastFrame ? Math.min((now - this.lastFrame) / 1000, 0.1) : 0;
    this.lastFrame = now;
    const { controls, state } = this.options;
    const xr = this.renderer.xr.isPresenting;
    if (xr) this.readThumbsticks();
    controls.step(dt);
    const pose = controls.pose;
    state.setSelf(pose.x, pose.y, pose.z, pose.yaw);
    if (this.marker.visible && !controls.walking) this.marker.visible = false;

    const renderAt = now - state.delayMs;
    const views = this.viewList;
    for (let i = 0; i < views.length; i++) {
      const view = views[i]!;
      const person = view.person;
      const group = view.group;
      if (person.self) {
        group.position.set(pose.x, pose.y, pose.z);
        group.rotation.y = pose.yaw;
        view.headGroup.rotation.x = -pose.pitch * 0.5;
        group.visible = !xr && !state.spectator; // in VR you are the camera; spectators have no avatar
      } else if (person.buffer.sample(renderAt, this.sample)) {
        group.position.set(this.sample.x, this.sample.y, this.sample.z);
        group.rotation.y = this.sample.yaw;
        if (person.head) {
          // A VR user's head: its world rotation, relative to the body's yaw.
          this.scratchQ.set(person.head[0], person.head[1], person.head[2], person.head[3]);
          view.headGroup.quaternion.copy(group.quaternion).invert().multiply(this.scratchQ);
        }
      }
      view.animate(now, this.reducedMotion);
    }

    if (--this.framesToLabels <= 0) {
      this.framesToLabels = 20;
      this.chooseLabels(pose.x, pose.z);
    }
    if (xr) {
      this.rig.position.set(pose.x, pose.y, pose.z);
      this.rig.rotation.y = pose.yaw;
    } else {
      // Out of VR the rig stays at the origin: the camera is placed in world coordinates.
      this.rig.position.set(0, 0, 0);
      this.rig.rotation.y = 0;
      this.placeCamera(dt);
    }
    const hooks = this.frameHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i]!(now);
    this.renderer.render(this.scene, this.camera);
  };

  /** Label the nearest people (never oneself): a crowd of labels is unreadable and costly. */
  private chooseLabels(x: number, z: number): void {
    const list = this.byDistance;
    for (let i = 0; i < list.length; i++) {
      const position = list[i]!.group.position;
      this.distanceOf.set(list[i]!, Math.hypot(position.x - x, position.z - z));
    }
    list.sort(this.nearestFirst);
    let shown = 0;
    for (let i = 0; i < list.length; i++) {
      const view = list[i]!;
      const show =
        !view.person.self && shown < MAX_LABELS && (this.distanceOf.get(view) ?? 0) <= LABEL_RANGE;
      if (show) shown += 1;
      view.setLabelVisible(show);
    }
  }

  /** Third person: behind and above the avatar, looking at its head, eased unless reduced. */
  private placeCamera(dt: number): void {
    const pose = this.options.controls.pose;
    const sin = Math.sin(pose.yaw);
    const cos = Math.cos(pose.yaw);
    const pitch = pose.pitch;
    const back = CAMERA_DISTANCE * Math.cos(pitch);
    this.cameraGoal.set(
      pose.x + sin * back,
      pose.y + CAMERA_HEIGHT - CAMERA_DISTANCE * Math.sin(pitch),
      pose.z + cos * back,
    );
    if (this.cameraGoal.y < 0.3) this.cameraGoal.y = 0.3;
    this.cameraTarget.set(pose.x, pose.y + EYE_HEIGHT, pose.z);
    if (this.reducedMotion || !this.cameraPlaced) {
      this.camera.position.copy(this.cameraGoal);
      this.cameraPlaced = true;
    } else {
      this.camera.position.lerp(this.cameraGoal, 1 - Math.exp(-dt * 10));
    }
    this.camera.lookAt(this.cameraTarget);
  }

  private resize(): void {
    const container = this.options.container;
    const width = container.clientWidth || 1;
    const height = container.clientHeight || 1;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
  }

  // ---- VR ----------------------------------------------------------------------------------

  private setUpXR(): void {
    const xr = (navigator as Navigator & { xr?: XRSystem }).xr;
    const slot = this.options.vrSlot;
    if (!xr || !slot) return;
    for (let i = 0; i < 2; i++) {
      const space = this.renderer.xr.getController(i);
      const entry = { space, hand: null as 'left' | 'right' | null };
      space.addEventListener('connected', (event) => {
        const handedness = (event.data as XRInputSource | undefined)?.handedness;
        entry.hand = handedness === 'left' || handedness === 'right' ? handedness : null;
      });
      space.addEventListener('disconnected', () => (entry.hand = null));
      this.rig.add(space);
      this.controllers.push(entry);
    }
    void xr
      .isSessionSupported('immersive-vr')
      .then((supported) => {
        if (!supported || this.vrButton) return;
        const button = VRButton.createButton(this.renderer);
        button.classList.add('button', 'button--secondary', 'world-vr-button');
        const translate = () => {
          const text = button.textContent ?? '';
          if (text === 'ENTER VR') button.textContent = t('world.vr.enter');
          else if (text === 'EXIT VR') button.textContent = t('world.vr.exit');
        };
        new MutationObserver(translate).observe(button, { childList: true, characterData: true });
        translate();
        this.vrButton = button;
        slot.append(button);
      })
      .catch(() => undefined);
  }

  /** Move with the left thumbstick, turn with the right (snap or smooth). */
  private readThumbsticks(): void {
    const session = this.renderer.xr.getSession();
    const controls = this.options.controls;
    controls.stick.x = 0;
    controls.stick.y = 0;
    controls.stickTurn = 0;
    if (!session) return;
    for (const source of session.inputSources) {
      const axes = source.gamepad?.axes;
      if (!axes || axes.length < 4) continue;
      const x = Math.abs(axes[2]!) > 0.2 ? axes[2]! : 0;
      const y = Math.abs(axes[3]!) > 0.2 ? axes[3]! : 0;
      if (source.handedness === 'left') {
        controls.stick.x = x;
        controls.stick.y = -y;
      } else if (source.handedness === 'right') {
        if (controls.snapTurn) {
          const wasTurning = this.snapLatch;
          this.snapLatch = Math.abs(x) > 0.6;
          if (this.snapLatch && !wasTurning) controls.turn(x > 0 ? -Math.PI / 6 : Math.PI / 6);
        } else {
          controls.stickTurn = x;
        }
      }
    }
  }

  /** Head rotation and hand positions (world space) while in VR; null otherwise. */
  xrPose(): XRPose | null {
    if (!this.renderer.xr.isPresenting) return null;
    const out = this.xrPoseOut;
    const camera = this.renderer.xr.getCamera();
    camera.getWorldQuaternion(this.scratchQ);
    out.head = [this.scratchQ.x, this.scratchQ.y, this.scratchQ.z, this.scratchQ.w];
    out.lh = undefined;
    out.rh = undefined;
    for (const { space, hand } of this.controllers) {
      if (!hand) continue;
      space.getWorldPosition(this.scratchV);
      const p: Vec3 = [this.scratchV.x, this.scratchV.y, this.scratchV.z];
      if (hand === 'left') out.lh = p;
      else out.rh = p;
    }
    return out;
  }

  /**
   * Add something of one's own to the scene (a breathing lantern), with `onFrame` called before
   * each frame is drawn; answers how to take it away again.
   */
  attach(object: Object3D, onFrame: (now: number) => void): () => void {
    this.scene.add(object);
    this.frameHooks.push(onFrame);
    return () => {
      this.scene.remove(object);
      this.frameHooks = this.frameHooks.filter((hook) => hook !== onFrame);
    };
  }

  // ---- teardown --------------------------------------------------------------------------------

  dispose(): void {
    this.running = false;
    this.renderer.setAnimationLoop(null);
    void this.renderer.xr.getSession()?.end();
    for (const stop of this.stops) stop();
    this.resizeObserver.disconnect();
    this.options.controls.onTap = null;
    for (const view of this.views.values()) view.dispose();
    this.views.clear();
    this.viewList = [];
    for (const group of this.objectViews.values()) disposeObject(group);
    this.objectViews.clear();
    this.scene.traverse((node) => {
      if (node instanceof Mesh) {
        node.geometry.dispose();
        (node.material as MeshBasicMaterial).dispose();
      }
    });
    this.kit.dispose();
    this.vrButton?.remove();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }
}

function objectKey(object: WorldObject): string {
  return `${object.kind}|${object.title ?? ''}|${object.text ?? ''}|${object.url ?? ''}|${object.model ?? ''}`;
}
