import { resolve } from 'node:path';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Two pages in one build: the app at dist/index.html and the Uppy example at
// dist/examples/uppy/index.html. `base: './'` makes asset URLs relative so both work wherever
// `onehop serve` mounts them.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows scripts from 'self' only: no inline module-preload polyfill.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        uppy: resolve(import.meta.dirname, 'examples/uppy/index.html'),
      },
    },
  },
  server: {
    // `npm run dev` against a running `onehop dev` on its default port.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/s3': 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['client/test/**/*.test.{ts,tsx}', 'src/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
