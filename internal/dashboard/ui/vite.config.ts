import { defineConfig } from 'vite';

// Preact's JSX through Vite's own transformer: no Babel, few dependencies.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The polyfill would be an inline script, which the CSP (script-src 'self') forbids.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    proxy: { '/query': { target: 'http://localhost:8080', ws: true } },
  },
});
