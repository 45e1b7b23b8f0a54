/*
 * Careverse's service worker: keeps the app's shell (index.html and the hashed /assets/ it
 * names, fetched at install) so the app still opens on a dropped link and says it is offline.
 *
 * It caches ONLY two kinds of response, by an allow-list of paths:
 * - page navigations outside /api, /fhir, /ws, /oauth, /healthz that answer HTML (the shell:
 *   index.html, which holds no personal data), network first, the cached copy when offline;
 * - GET /assets/* (hashed, immutable build files), cache first.
 * API responses (health data), WebSocket traffic and everything else are never touched: the
 * browser fetches them as if there were no worker. See docs/client.md "Light path".
 */
const CACHE = 'careverse-shell-v1';
const SHELL = '/';
const NEVER = /^\/(api|fhir|ws|oauth|healthz)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const page = await fetch(SHELL, { cache: 'no-cache' });
      if (!page.ok) return;
      const html = await page.clone().text();
      await cache.put(SHELL, page);
      const assets = [...html.matchAll(/["'](\/assets\/[^"']+)["']/g)].map((m) => m[1]);
      await cache.addAll([...new Set(assets)]);
    })(),
  );
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))),
  );
});

async function shellFirstOnline(request) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await fetch(request);
    const type = answer.headers.get('content-type') || '';
    if (answer.ok && type.startsWith('text/html')) await cache.put(SHELL, answer.clone());
    return answer;
  } catch (error) {
    const cached = await cache.match(SHELL);
    if (cached) return cached;
    throw error;
  }
}

async function assetCacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(request, answer.clone());
  return answer;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    event.respondWith(shellFirstOnline(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(assetCacheFirst(request));
  }
});
