/**
 * Three builds: the Electron main process (the window; it runs the engines and the local API as
 * a plain Node child, `spamops serve`, see src-main/electron/engine-process.ts), the preload
 * (CommonJS: sandboxed preloads cannot be ES modules) and the console renderer (React). The
 * renderer uses relative asset URLs so the same build works served by Fastify at `/` and loaded
 * from disk.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      outDir: resolve(root, 'out/main'),
      rollupOptions: { input: { index: resolve(root, 'src-main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      minify: true,
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
