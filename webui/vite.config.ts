/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';

// The editor (src/editor) starts monaco-vscode-api in "classic" mode: Monarch
// colouring, standalone themes, only the editor worker. monaco-languageclient
// still names the "extended" mode's services (TextMate, VS Code themes, views,
// workbench) and its default workers, which would put ~4 MB of never-loaded
// files (TextMate worker + onig.wasm, extension host worker, …) into dist/.
const UNUSED_IN_CLASSIC_MODE = new Set([
  '@codingame/monaco-vscode-textmate-service-override',
  '@codingame/monaco-vscode-theme-service-override',
  '@codingame/monaco-vscode-languages-service-override',
  '@codingame/monaco-vscode-views-service-override',
  '@codingame/monaco-vscode-workbench-service-override',
  '@codingame/monaco-vscode-theme-defaults-default-extension',
]);
const UNUSED_STUB = '\0openopt-unused-monaco-override';

function monacoClassicModeOnly(): Plugin {
  return {
    name: 'openopt-monaco-classic-mode-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer && /monaco-languageclient[\\/]lib[\\/]vscode[\\/]apiWrapper\.js$/.test(importer) && UNUSED_IN_CLASSIC_MODE.has(source))
        return UNUSED_STUB;
      return null;
    },
    load(id) {
      if (id !== UNUSED_STUB) return null;
      return "export default function notBundled() { throw new Error('not bundled: the editor runs monaco-vscode-api in classic mode'); }";
    },
    transform(code, id) {
      // Default worker URLs of monaco-languageclient/workerFactory; src/editor/services.ts gives its own.
      if (!/monaco-languageclient[\\/]lib[\\/]worker[\\/]index\.js$/.test(id)) return null;
      return code.replace(/new URL\('@codingame\/[^']+', import\.meta\.url\)/g, "new URL('about:blank')");
    },
  };
}

// The app is served by openoptd at / from webui/dist (see server/HttpRoutes.cpp).
export default defineConfig({
  base: '/',
  plugins: [monacoClassicModeOnly()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8192,
  },
  // monaco-vscode-api and its service overrides use `new URL('…', import.meta.url)`
  // for their assets; pre-bundling them in dev would break those URLs.
  optimizeDeps: {
    exclude: ['@codingame/monaco-vscode-api', '@codingame/monaco-vscode-editor-api', 'monaco-languageclient', 'vscode'],
  },
  resolve: {
    // one copy of the API, whoever imports it
    dedupe: ['vscode', '@codingame/monaco-vscode-api', '@codingame/monaco-vscode-editor-api'],
  },
  worker: { format: 'es' },
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
  },
});
