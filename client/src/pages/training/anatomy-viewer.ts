/**
 * The 3D view of an anatomy lesson (three.js, loaded only when WebGL is there, by dynamic
 * import): the model turning slowly (still under prefers-reduced-motion), each layer's meshes
 * shown or hidden, the highlighted layer glowing. Drawn on demand, and each frame only while
 * it turns.
 */
import {
  AmbientLight,
  Box3,
  Color,
  DirectionalLight,
  Mesh,
  type MeshStandardMaterial,
  type Object3D,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
} from 'three';
import { loadAnatomyModel, type AnatomyKey } from '../../world/anatomy';

const HIGHLIGHT = new Color(0.35, 0.3, 0.05);
const NONE = new Color(0, 0, 0);

export class AnatomyViewer {
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(35, 1, 0.01, 10);
  private model: Object3D | null = null;
  private frame = 0;
  private readonly still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  private layers: readonly string[] = [];
  private label = '';

  constructor(private readonly host: HTMLElement) {
    this.renderer = new WebGLRenderer({ antialias: true, alpha: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 1.5));
    host.append(this.renderer.domElement);
    this.scene.add(new AmbientLight(0xffffff, 0.8));
    const sun = new DirectionalLight(0xffffff, 1.6);
    sun.position.set(1, 2, 2);
    this.scene.add(sun);
    this.resize();
  }

  async show(key: AnatomyKey): Promise<void> {
    const model = await loadAnatomyModel(key);
    // The copy's own materials: glowing here must not light the consult room's models.
    model.traverse((part) => {
      if (part instanceof Mesh) part.material = (part.material as MeshStandardMaterial).clone();
    });
    if (this.model) this.scene.remove(this.model);
    this.model = model;
    this.scene.add(model);
    const box = new Box3().setFromObject(model);
    const centre = box.getCenter(new Vector3());
    const size = box.getSize(new Vector3()).length();
    this.camera.position.set(centre.x, centre.y + size * 0.1, centre.z + size * 1.4);
    this.camera.lookAt(centre);
    this.apply(this.layers, this.label);
    this.loop();
  }

  /** Which layers (materials) show, and which one is pointed out. */
  apply(layers: readonly string[], label: string): void {
    this.layers = layers;
    this.label = label;
    this.model?.traverse((part) => {
      if (!(part instanceof Mesh)) return;
      const material = part.material as MeshStandardMaterial;
      part.visible = layers.includes(material.name);
      material.emissive.copy(material.name === label ? HIGHLIGHT : NONE);
    });
    this.draw();
  }

  private resize(): void {
    const width = Math.max(1, this.host.clientWidth);
    const height = Math.round(Math.min(360, width * 0.9));
    this.renderer.setSize(width, height);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
  }

  private draw(): void {
    this.renderer.render(this.scene, this.camera);
  }

  private loop(): void {
    cancelAnimationFrame(this.frame);
    if (this.still) {
      this.draw();
      return;
    }
    const turn = () => {
      if (this.model) this.model.rotation.y += 0.01;
      this.draw();
      this.frame = requestAnimationFrame(turn);
    };
    this.frame = requestAnimationFrame(turn);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.renderer.dispose();
    this.renderer.domElement.remove();
  }
}
