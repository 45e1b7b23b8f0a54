import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { defineConfig, type Plugin } from 'vite';

// The Python server (`careverse serve`) serves the built client from src/careverse/web/static:
// `/assets/*` from static/assets and index.html for every other non-API path, so client-side
// routes survive a reload. In development, Vite serves the client and forwards the server's
// paths to a `careverse serve` running on port 8000.
const server = 'http://127.0.0.1:8000';
const outDir = fileURLToPath(new URL('../src/careverse/web/static', import.meta.url));

// Text-like assets worth compressing (images other than SVG are compressed already).
const COMPRESSIBLE = /\.(js|mjs|css|svg|json|webmanifest|glb|wasm)$/;
const MIN_BYTES = 1024;

/**
 * Pre-compress the hashed assets at build time (node's zlib, no plugin dependency): `name.br`
 * (brotli, best) and `name.gz` (gzip, best) beside each, kept only when smaller. The server
 * (careverse.web.api) sends the variant the browser accepts with `Content-Encoding`, so nothing
 * is compressed per request.
 */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress);
  const gz = promisify(gzip);
  return {
    name: 'careverse-precompress',
    apply: 'build',
    async writeBundle(_options, bundle) {
      const names = Object.keys(bundle).filter(
        (name) => name.startsWith('assets/') && COMPRESSIBLE.test(name),
      );
      await Promise.all(
        names.map(async (name) => {
          const path = join(outDir, name);
          const source = await readFile(path);
          if (source.byteLength < MIN_BYTES) return;
          const [br, gzipped] = await Promise.all([
            brotli(source, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: source.byteLength,
              },
            }),
            gz(source, { level: constants.Z_BEST_COMPRESSION }),
          ]);
          if (br.byteLength < source.byteLength) await writeFile(`${path}.br`, br);
          if (gzipped.byteLength < source.byteLength) await writeFile(`${path}.gz`, gzipped);
        }),
      );
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/fhir': { target: server, changeOrigin: false },
      '/healthz': { target: server, changeOrigin: false },
      '/ws': { target: server, ws: true, changeOrigin: false },
    },
  },
});
