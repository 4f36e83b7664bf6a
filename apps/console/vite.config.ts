import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Served by the gateway under /console: every asset URL is relative to it. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  // One bundle; the build script checks the first load against its own budget (200 KB gzipped).
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  logLevel: 'warn',
});
