/** The person's world settings, kept in this browser (localStorage), with change listeners. */

export type WorldMode = '3d' | '2d';

export interface WorldSettings {
  /** Call audio volume, 0..1. */
  volume: number;
  /** No camera easing, bobbing or pulsing; starts from the system's `prefers-reduced-motion`. */
  reducedMotion: boolean;
  /** Turn in 30° steps instead of smoothly (more comfortable for some people, and in VR). */
  snapTurn: boolean;
  /** The chosen mode, or null to let the device decide. */
  mode: WorldMode | null;
}

const KEY = 'careverse.world.settings';

function prefersReducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

function defaults(): WorldSettings {
  return { volume: 1, reducedMotion: prefersReducedMotion(), snapTurn: false, mode: null };
}

function load(): WorldSettings {
  const base = defaults();
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<WorldSettings> | null;
    if (!saved || typeof saved !== 'object') return base;
    return {
      volume:
        typeof saved.volume === 'number' && saved.volume >= 0 && saved.volume <= 1
          ? saved.volume
          : base.volume,
      reducedMotion:
        typeof saved.reducedMotion === 'boolean' ? saved.reducedMotion : base.reducedMotion,
      snapTurn: typeof saved.snapTurn === 'boolean' ? saved.snapTurn : base.snapTurn,
      mode: saved.mode === '2d' || saved.mode === '3d' ? saved.mode : null,
    };
  } catch {
    return base;
  }
}

let current: WorldSettings | null = null;
const listeners = new Set<(settings: WorldSettings) => void>();

export function worldSettings(): WorldSettings {
  current ??= load();
  return current;
}

export function updateWorldSettings(change: Partial<WorldSettings>): WorldSettings {
  current = { ...worldSettings(), ...change };
  try {
    localStorage.setItem(KEY, JSON.stringify(current));
  } catch {
    // Private browsing or a full store: the settings still hold for this visit.
  }
  for (const listener of listeners) listener(current);
  return current;
}

export function onWorldSettings(listener: (settings: WorldSettings) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** True when this browser can draw the 3D scene (WebGL2). */
export function hasWebGL2(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    // Give the test context back at once: browsers allow only a few at a time.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return gl !== null;
  } catch {
    return false;
  }
}

interface NetworkInformationLike {
  saveData?: boolean;
  effectiveType?: string;
}

/** A slow or metered link, where the 3D scene's download is not worth it by default. */
export function onSlowLink(): boolean {
  const connection = (navigator as Navigator & { connection?: NetworkInformationLike }).connection;
  if (!connection) return false;
  return connection.saveData === true || ['slow-2g', '2g'].includes(connection.effectiveType ?? '');
}

/**
 * The mode to start in: `?mode=` in the address, else the saved choice, else 3D where WebGL2
 * works and the link is not slow, else 2D.
 */
export function chooseMode(search: string): WorldMode {
  const forced = new URLSearchParams(search).get('mode');
  if (forced === '2d' || forced === '3d') return forced;
  const saved = worldSettings().mode;
  if (saved) return saved === '3d' && !hasWebGL2() ? '2d' : saved;
  return hasWebGL2() && !onSlowLink() ? '3d' : '2d';
}
