import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The Python server (`careverse serve`) serves the built client from src/careverse/web/static:
// `/assets/*` from static/assets and index.html for every other non-API path, so client-side
// routes survive a reload. In development, Vite serves the client and forwards the server's
// paths to a `careverse serve` running on port 8000.
const server = 'http://127.0.0.1:8000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../src/careverse/web/static', import.meta.url)),
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
