// Bundles the client's route table (client/src/router.ts, with the role areas of roles.ts) into
// one script, printed to standard output, that defines `careverseRouteInventory(roles)`. The
// phone test runs it in Chromium (any DOM the modules touch is there), so the pages each role
// can open come from the sources at run time and a page added later is visited untold.
// Usage: node tests/e2e/client_routes.mjs > inventory.js
//
// careverseRouteInventory(roles) answers
//   { "visitor": {"pages": [...]}, "roles": {ROLE: {"pages": [...], "patterns": [...]}} }
// `pages` are paths to open as they are; `patterns` the routes with parameters (a regular
// expression of the path each), to open through a link found on the other pages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const client = resolve(import.meta.dirname, '../../client');
// Vite's own bundler, from the client's node_modules.
const vite = createRequire(join(client, 'package.json')).resolve('vite');
const { rolldown } = await import(pathToFileURL(createRequire(vite).resolve('rolldown')).href);

const ENTRY = `
import { ROUTES, matchRoute, mayShow, navLinks } from ${JSON.stringify(join(client, 'src/router.ts'))};

const plain = (entry) => entry.path !== '*' && !entry.path.includes(':');

/** The plain paths \`account\` may open and stays on (no redirect elsewhere). */
function pages(account) {
  const paths = new Set();
  const audiences = account ? ['public', 'open', 'signedIn'] : ['public', 'open', 'signedOut'];
  for (const entry of ROUTES) {
    if (!plain(entry) || !audiences.includes(entry.audience) || entry.enrolment) continue;
    if (entry.redirect?.(account)) continue;
    if (mayShow(matchRoute(entry.path), account)) paths.add(entry.path);
  }
  // Every area of the role's home, whichever route serves it (its own or the placeholder).
  if (account) for (const link of navLinks('main', account)) paths.add(link.href);
  return [...paths];
}

globalThis.careverseRouteInventory = (roles) => {
  const patterns = ROUTES.filter(
    (entry) => entry.path.includes(':') && entry.area !== 'fromSlug' && entry.audience !== 'signedOut',
  ).map((entry) => ({ name: entry.name, regex: '^' + entry.path.replace(/:[A-Za-z]+/g, '[^/]+') + '$' }));
  const byRole = {};
  for (const role of roles) {
    byRole[role] = { pages: pages({ role, mfa_enrolment_required: false }), patterns };
  }
  return { visitor: { pages: pages(null) }, roles: byRole };
};
`;

const out = mkdtempSync(join(tmpdir(), 'cv-routes-'));
try {
  writeFileSync(join(out, 'entry.js'), ENTRY);
  const bundle = await rolldown({
    input: join(out, 'entry.js'),
    platform: 'browser',
    cwd: client,
    logLevel: 'silent',
    // Stylesheets a page imports do not matter to the route table (rolldown no longer bundles CSS).
    plugins: [
      {
        name: 'no-css',
        load(id) {
          if (/\.css(\?.*)?$/.test(id)) return { code: 'export default "";', moduleType: 'js' };
        },
      },
    ],
  });
  await bundle.write({ dir: out, format: 'iife', entryFileNames: 'inventory.js' });
  process.stdout.write(readFileSync(join(out, 'inventory.js'), 'utf8'));
} finally {
  rmSync(out, { recursive: true, force: true });
}
