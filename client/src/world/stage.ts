/**
 * The stage of a space: the 3D scene (three.js, loaded on first use) or the accessible 2D view,
 * and switching between them. In 2D there is no frame loop, so walking to someone is stepped
 * here; when WebGL or the scene's download fails, the 2D view serves instead and says why.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { t } from '../i18n';
import type { Controls } from './controls';
import type { Scene3D } from './scene3d';
import { chooseMode, hasWebGL2, worldSettings, type WorldMode } from './settings';
import type { WorldState } from './world-state';

export interface StageOptions {
  /** The space's state and one's controls (both new for each space the page shows). */
  state: () => WorldState;
  controls: () => Controls;
  /** Whether the space has welcomed us: the scene is built from what the welcome says. */
  welcomed: () => boolean;
  announce: (message: string) => void;
  /** One's pose changed while walking in 2D. */
  moved: () => void;
}

/** How often walking is stepped in 2D. */
const STEP_MS = 50;

export class Stage implements ReactiveController {
  private _mode: WorldMode = '2d';
  private _webgl = true;
  private _scene: Scene3D | null = null;
  private _loading = false;
  private _error = '';
  /** Bumped when a scene is disposed: a scene still loading for it is not used. */
  private token = 0;
  private stepTimer: number | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: StageOptions,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  get mode(): WorldMode {
    return this._mode;
  }

  /** Whether 3D can be offered (WebGL 2 is there, and the scene has not failed). */
  get webgl(): boolean {
    return this._webgl;
  }

  get scene(): Scene3D | null {
    return this._scene;
  }

  /** The scene is being downloaded and built. */
  get loading(): boolean {
    return this._loading;
  }

  /** Why the 3D scene could not be shown ('' when nothing failed). */
  get error(): string {
    return this._error;
  }

  /** The mode the address asks for, or the saved choice, on entering the page. */
  choose(search: string): void {
    this._mode = chooseMode(search);
    this._webgl = this._mode === '3d' || hasWebGL2();
    this.host.requestUpdate();
  }

  /** Entering a space: in 2D, walking can start at once (3D waits for `showScene`). */
  start(): void {
    if (this._mode === '2d') this.startStepping();
  }

  /** Leave the space: no scene, no stepping. */
  stop(): void {
    this.stopStepping();
    this.disposeScene();
  }

  async switchTo(mode: WorldMode): Promise<void> {
    if (mode === this._mode) return;
    this.setMode(mode);
    // The address no longer forces a mode: the saved choice holds from now on.
    const url = new URL(location.href);
    if (url.searchParams.has('mode')) {
      url.searchParams.delete('mode');
      history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    }
    if (mode === '2d') {
      this.disposeScene();
      this.startStepping();
      this.options.announce(t('world.announce.mode2d'));
    } else {
      this.stopStepping();
      await this.showScene();
      this.options.announce(t('world.announce.mode3d'));
    }
  }

  private setMode(mode: WorldMode): void {
    this._mode = mode;
    this.host.requestUpdate();
  }

  /** Build the 3D scene, if 3D is the mode and the space has welcomed us. */
  async showScene(): Promise<void> {
    if (this._scene || this._mode !== '3d' || !this.options.welcomed()) return;
    const token = ++this.token;
    const controls = this.options.controls();
    this._loading = true;
    this._error = '';
    this.host.requestUpdate();
    await this.host.updateComplete;
    try {
      const { Scene3D } = await import('./scene3d');
      const viewport = this.host.querySelector<HTMLElement>('.world-viewport');
      if (token !== this.token || this._mode !== '3d' || !viewport) return;
      controls.attach(viewport);
      const joystick = viewport.querySelector<HTMLElement>('.world-joystick');
      const knob = viewport.querySelector<HTMLElement>('.world-joystick__knob');
      if (joystick && knob) controls.attachJoystick(joystick, knob);
      this._scene = Scene3D.create({
        container: viewport.querySelector<HTMLElement>('.world-canvas-host') ?? viewport,
        vrSlot: this.host.querySelector<HTMLElement>('.world-vr-slot'),
        state: this.options.state(),
        controls,
        reducedMotion: worldSettings().reducedMotion,
      });
    } catch (error) {
      // No WebGL after all (or the download failed): the 2D view serves instead.
      controls.detach();
      this._webgl = false;
      this._error =
        error instanceof Error && /import|fetch|module/i.test(error.message)
          ? t('world.scene.downloadFailed')
          : t('world.scene.unavailable');
      this.setMode('2d');
      this.startStepping();
    } finally {
      if (token === this.token) this._loading = false;
      this.host.requestUpdate();
    }
  }

  private disposeScene(): void {
    this.token += 1;
    this.options.controls().detach();
    this._scene?.dispose();
    this._scene = null;
  }

  /** In 2D there is no frame loop: walking to someone is stepped here. */
  private startStepping(): void {
    if (this.stepTimer !== null) return;
    let last = performance.now();
    this.stepTimer = window.setInterval(() => {
      const now = performance.now();
      const dt = Math.min((now - last) / 1000, 0.25);
      last = now;
      const controls = this.options.controls();
      if (controls.step(dt)) {
        const pose = controls.pose;
        this.options.state().setSelf(pose.x, pose.y, pose.z, pose.yaw);
        this.options.moved();
      }
    }, STEP_MS);
  }

  private stopStepping(): void {
    if (this.stepTimer !== null) window.clearInterval(this.stepTimer);
    this.stepTimer = null;
  }
}
