import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

const outDir = resolve(import.meta.dirname, 'server/dist');

// Each widget is its own entry: a host page embedding one loads that widget (and the chunks it shares with the
// others, e.g. React), never the console. Their names are stable (widgets/<name>.js and .css) so that a host page
// can link them; the console (index.html) is the demo host that embeds all three.
const widgets = ['admin-card', 'user-details', 'outbound-search'] as const;
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
    // One stylesheet for the console and every widget (about 4 kB gzipped), at a stable address a host page
    // links: widgets/convrs.css.
    cssCodeSplit: false,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'frontend/index.html'),
        ...Object.fromEntries(widgets.map((w) => [w, resolve(import.meta.dirname, `frontend/src/widgets/${w}.ts`)])),
      },
      // A widget entry keeps its exports (mount) for the host page to import.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => ((widgets as readonly string[]).includes(chunk.name) ? 'widgets/[name].js' : 'assets/[name]-[hash].js'),
        // The chunk every widget shares (React, the GraphQL client, src/shared).
        chunkFileNames: (chunk) => (chunk.moduleIds.some((id) => id.includes('/node_modules/react-dom/')) ? 'assets/shared-[hash].js' : 'assets/[name]-[hash].js'),
        assetFileNames: (asset) => (asset.names?.some((n) => n.endsWith('.css')) ? 'widgets/convrs.css' : 'assets/[name]-[hash][extname]'),
      },
    },
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
