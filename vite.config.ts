import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

const outDir = resolve(import.meta.dirname, 'server/dist');
const gateway = 'http://localhost:8080';

// emptyOutDir wipes server/dist, but the Go binary's //go:embed needs the folder to exist in a fresh clone,
// so the committed placeholder is written back after every build.
function keepEmbedPlaceholder(): Plugin {
  return {
    name: 'convrs:keep-embed-placeholder',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(outDir, '.gitkeep'), '');
    },
  };
}

export default defineConfig({
  root: 'frontend',
  plugins: [react(), keepEmbedPlaceholder()],
  build: {
    outDir,
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/query': { target: gateway, ws: true },
      '/auth': gateway,
      '/oauth': gateway,
      '/healthz': gateway,
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
