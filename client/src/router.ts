/**
 * History API routing. The server answers index.html for any non-API path without a file
 * extension, so every route here also works on reload and as a bookmark.
 */

export type Route =
  | { name: 'root' }
  | { name: 'signIn' }
  | { name: 'signUp' }
  | { name: 'home' }
  | { name: 'security' }
  | { name: 'mfaSetup' }
  | { name: 'forgotPassword' }
  | { name: 'resetPassword' }
  | { name: 'area'; slug: string }
  | { name: 'space'; id: string }
  | { name: 'notFound' };

/** Paths owned by the server; links to them are real page loads, never client routes. */
const SERVER_PREFIXES = ['/api/', '/fhir/', '/ws', '/healthz', '/assets/'];

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'root' };
  if (path === '/signin') return { name: 'signIn' };
  if (path === '/signup') return { name: 'signUp' };
  if (path === '/home') return { name: 'home' };
  if (path === '/settings/security') return { name: 'security' };
  if (path === '/setup-two-step') return { name: 'mfaSetup' };
  if (path === '/forgot-password') return { name: 'forgotPassword' };
  if (path === '/reset-password') return { name: 'resetPassword' };
  const space = /^\/spaces\/([0-9a-fA-F-]{1,64})$/.exec(path);
  if (space?.[1]) return { name: 'space', id: space[1] };
  const area = /^\/([a-z0-9-]+)$/.exec(path);
  if (area?.[1]) return { name: 'area', slug: area[1] };
  return { name: 'notFound' };
}

type Listener = (route: Route) => void;
const listeners = new Set<Listener>();

export function currentRoute(): Route {
  return matchRoute(location.pathname);
}

export function onRouteChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The path and query last shown: a change of the fragment alone is not a new page. */
let shownLocation = location.pathname + location.search;

function emit(): void {
  shownLocation = location.pathname + location.search;
  const route = currentRoute();
  for (const listener of listeners) listener(route);
}

/** Go to a same-origin path (with optional query), adding a history entry unless `replace`. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const target = new URL(path, location.origin);
  if (target.origin !== location.origin) return;
  const url = target.pathname + target.search + target.hash;
  if (url === location.pathname + location.search + location.hash && !options.replace) {
    emit();
    return;
  }
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  emit();
}

/** A safe place to return to after signing in: a same-origin client path, never another site. */
export function safeNextPath(value: string | null): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return null;
  }
  const route = matchRoute(new URL(value, location.origin).pathname);
  // Never back to pages about signing in, nor to a reset link (its token is gone by then).
  const noReturn: Route['name'][] = ['signIn', 'signUp', 'forgotPassword', 'resetPassword', 'notFound'];
  if (noReturn.includes(route.name)) return null;
  return value;
}

function isClientLink(anchor: HTMLAnchorElement, event: MouseEvent): boolean {
  if (event.defaultPrevented || event.button !== 0) return false;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (anchor.target && anchor.target !== '_self') return false;
  if (anchor.hasAttribute('download') || anchor.getAttribute('rel')?.includes('external')) {
    return false;
  }
  const href = anchor.getAttribute('href');
  if (!href || href.startsWith('#')) return false;
  const url = new URL(anchor.href, location.origin);
  if (url.origin !== location.origin) return false;
  return !SERVER_PREFIXES.some((prefix) => url.pathname.startsWith(prefix));
}

/** Listen for back/forward and turn same-origin link clicks into client navigations. */
export function startRouter(): void {
  window.addEventListener('popstate', () => {
    // Following an in-page link (`#section`) also fires popstate; the page stays as it is.
    if (location.pathname + location.search === shownLocation) return;
    emit();
  });
  document.addEventListener('click', (event) => {
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || !isClientLink(anchor, event)) return;
    event.preventDefault();
    const url = new URL(anchor.href);
    navigate(url.pathname + url.search + url.hash);
  });
}
