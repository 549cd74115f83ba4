// vite.config.ts - builds the web UI into web/dist, which `hemgang serve` serves.
// The server sends a strict Content-Security-Policy (script-src 'self', style-src
// 'self'), so the output must have no inline script or style: Vite's build puts
// JS and CSS in hashed files under /assets/ (cached a year by the server) and we
// turn off the module-preload polyfill, which would otherwise be injected.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
