/**
 * Anatomical models for the consult room (heart, spine, knee): low-poly glTF files made within
 * the project by `careverse care models` (src/careverse/care/anatomy_models.py) and bundled with
 * the client, so nothing is fetched from elsewhere. Each stands on y = 0, 0.35-0.5 m tall.
 * Import this module only from 3D code: it pulls in three.js.
 */
import type { Object3D } from 'three';
import heartUrl from '../assets/models/heart.glb?url';
import kneeUrl from '../assets/models/knee.glb?url';
import spineUrl from '../assets/models/spine.glb?url';

export type AnatomyKey = 'heart' | 'spine' | 'knee';

export const ANATOMY_KEYS: readonly AnatomyKey[] = ['heart', 'spine', 'knee'];

const URLS: Record<AnatomyKey, string> = { heart: heartUrl, spine: spineUrl, knee: kneeUrl };

const loaded = new Map<AnatomyKey, Promise<Object3D>>();

export function isAnatomyKey(key: string | undefined | null): key is AnatomyKey {
  return key === 'heart' || key === 'spine' || key === 'knee';
}

/** A fresh copy of a model (each call may be added to a scene on its own). */
export async function loadAnatomyModel(key: AnatomyKey): Promise<Object3D> {
  let source = loaded.get(key);
  if (!source) {
    source = import('three/examples/jsm/loaders/GLTFLoader.js').then(async ({ GLTFLoader }) => {
      const gltf = await new GLTFLoader().loadAsync(URLS[key]);
      gltf.scene.name = `anatomy:${key}`;
      return gltf.scene;
    });
    source.catch(() => loaded.delete(key)); // a failed load may be tried again
    loaded.set(key, source);
  }
  return (await source).clone(true);
}
