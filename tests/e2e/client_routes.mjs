// The pages each role can open, read from the client's sources (client/src/router.ts and the
// role areas of roles.ts) at run time, so tests visit pages added later without being told.
// Usage: node tests/e2e/client_routes.mjs ROLE...   Prints JSON:
//   { "visitor": {"pages": [...]}, "roles": {ROLE: {"pages": [...], "patterns": [...]}} }
// `pages` are paths to open as they are; `patterns` are the routes with parameters (as regular
// expressions of a path), to be opened through a link found on the other pages.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const client = resolve(import.meta.dirname, '../../client');
// Vite's own bundler, from the client's node_modules.
const vite = createRequire(join(client, 'package.json')).resolve('vite');
const { rolldown } = await import(pathToFileURL(createRequire(vite).resolve('rolldown')).href);

const out = mkdtempSync(join(tmpdir(), 'cv-routes-'));
try {
  const bundle = await rolldown({
    input: join(client, 'src/router.ts'),
    platform: 'node',
    cwd: client,
    logLevel: 'silent',
  });
  await bundle.write({ dir: out, format: 'esm', entryFileNames: 'router.mjs' });
  // The router reads the page's location when loaded; any will do here.
  globalThis.location ??= new URL('http://localhost/');
  const router = await import(pathToFileURL(join(out, 'router.mjs')).href);
  const plain = (entry) => entry.path !== '*' && !entry.path.includes(':');

  /** The plain paths `account` may open and stays on (no redirect elsewhere). */
  function pages(account) {
    const paths = new Set();
    const audiences = account ? ['public', 'open', 'signedIn'] : ['public', 'open', 'signedOut'];
    for (const entry of router.ROUTES) {
      if (!plain(entry) || !audiences.includes(entry.audience) || entry.enrolment) continue;
      if (entry.redirect?.(account)) continue;
      if (router.mayShow(router.matchRoute(entry.path), account)) paths.add(entry.path);
    }
    if (account) {
      // Every area of the role's home, whichever route serves it (its own or the placeholder).
      for (const link of router.navLinks('main', account)) paths.add(link.href);
    }
    return [...paths];
  }

  const roles = {};
  for (const role of process.argv.slice(2)) {
    const account = { role, mfa_enrolment_required: false };
    const patterns = router.ROUTES.filter(
      (entry) => entry.path.includes(':') && entry.area !== 'fromSlug' && entry.audience !== 'signedOut',
    ).map((entry) => ({
      name: entry.name,
      regex: `^${entry.path.replace(/:[A-Za-z]+/g, '[^/]+')}$`,
    }));
    roles[role] = { pages: pages(account), patterns };
  }
  process.stdout.write(JSON.stringify({ visitor: { pages: pages(null) }, roles }));
} finally {
  rmSync(out, { recursive: true, force: true });
}
