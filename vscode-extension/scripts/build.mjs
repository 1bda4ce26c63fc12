// Builds the extension into dist/:
//   extension.js            the extension host side (Node, CommonJS; vscode external)
//   webview-graph.js/.css   the graph webview: webui/src/graph (GraphView) and its styles
//   webview-passes.js/.css  the passes webview: webui/src/passes, GraphView
//   webview-layout-worker.js the web UI's layout worker (elkjs), started from a blob: URL
//   recipe.schema.json      schemas/recipe.schema.json, for jsonValidation
// First the types: webui/scripts/gen-types.mjs (schemas/ → webui/src/generated),
// then a type check of both sides. `--production` minifies and drops source maps.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const repo = join(root, '..');
const dist = join(root, 'dist');
const production = process.argv.includes('--production');
const skipCheck = process.argv.includes('--no-check');

// Types from schemas/: the web UI's generator and output (not in git).
const generated = join(repo, 'webui/src/generated/schemas.d.ts');
if (existsSync(join(repo, 'webui/node_modules/json-schema-to-typescript'))) {
  execFileSync(process.execPath, [join(repo, 'webui/scripts/gen-types.mjs')], { stdio: 'inherit' });
} else if (!existsSync(generated)) {
  throw new Error('webui/src/generated/schemas.d.ts is missing and webui/node_modules is not installed: run `npm ci` in webui/ first');
}

if (!skipCheck) {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  for (const project of ['tsconfig.json', 'tsconfig.webview.json']) execFileSync(process.execPath, [tsc, '--noEmit', '-p', join(root, project)], { stdio: 'inherit', cwd: root });
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The web UI starts its layout worker with `new Worker(new URL('./layout.worker.ts', import.meta.url))`,
// which Vite resolves; in a webview the worker comes from a blob: URL (src/webview/common.ts).
const workerUrls = {
  name: 'openopt-webview-workers',
  setup(build) {
    build.onLoad({ filter: /webui[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const pattern = /new URL\((['"])\.\/([\w.-]+)\.ts\1,\s*import\.meta\.url\)/g;
      if (!pattern.test(source)) return undefined;
      return { contents: source.replace(pattern, (_m, _q, name) => `globalThis.openoptWorkerUrl(${JSON.stringify(name)})`), loader: 'ts' };
    });
  },
};

const common = { bundle: true, minify: production, sourcemap: production ? false : 'linked', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: { extension: join(root, 'src/extension.ts') },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'bufferutil', 'utf-8-validate'],
    // ESM builds first: the UMD ones (jsonc-parser) hide their requires from the bundler.
    mainFields: ['module', 'main'],
  }),
  esbuild.build({
    ...common,
    entryPoints: { 'webview-graph': join(root, 'src/webview/graphPage.ts'), 'webview-passes': join(root, 'src/webview/passesPage.ts') },
    outdir: dist,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    plugins: [workerUrls],
  }),
  esbuild.build({
    ...common,
    entryPoints: { 'webview-layout-worker': join(repo, 'webui/src/graph/layout.worker.ts') },
    outdir: dist,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
]);

copyFileSync(join(repo, 'schemas/recipe.schema.json'), join(dist, 'recipe.schema.json'));

// The bundle must load on its own (a require the bundler missed fails only at
// activation otherwise): load it with a stand-in for the vscode module.
execFileSync(process.execPath, ['-e', `
  const Module = require('node:module');
  const stub = new Proxy(function () {}, { get: (t, k) => (k === '__esModule' ? true : stub), apply: () => stub, construct: () => stub });
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest); };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: stub };
  const ext = require(${JSON.stringify(join(dist, 'extension.js'))});
  if (typeof ext.activate !== 'function') throw new Error('dist/extension.js exports no activate()');
`], { stdio: 'inherit' });
console.log(`build: dist/ written${production ? ' (production)' : ''}`);
