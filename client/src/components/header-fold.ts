/**
 * Whether the site header is folded away in a space, so that the world gets the whole screen
 * (on a phone the header would push the 3D view below the fold). The choice is kept in this
 * browser (localStorage); the space page shows the toggle, the shell hides the header.
 */

const KEY = 'careverse.header.folded';
const listeners = new Set<(folded: boolean) => void>();
let folded: boolean | null = null;

export function headerFolded(): boolean {
  if (folded === null) {
    try {
      folded = localStorage.getItem(KEY) === 'true';
    } catch {
      folded = false;
    }
  }
  return folded;
}

export function setHeaderFolded(value: boolean): void {
  folded = value;
  try {
    localStorage.setItem(KEY, String(value));
  } catch {
    // Private browsing or a full store: the choice holds for this visit.
  }
  for (const listener of listeners) listener(value);
}

export function onHeaderFold(listener: (folded: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
