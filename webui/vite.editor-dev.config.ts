// Builds only the editor dev page (editor-dev.html) into a throwaway folder, to
// load it from openoptd (WS /lsp checks the Origin):
//   npx vite build -c vite.editor-dev.config.ts --outDir /tmp/eddist
import { resolve } from 'node:path';
import { defineConfig, mergeConfig } from 'vite';
import base from './vite.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    build: {
      outDir: '/tmp/eddist',
      emptyOutDir: true,
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'editor-dev.html') } },
    },
  }),
);
