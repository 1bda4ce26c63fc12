// The VS Code extension in a real VS Code (code-server 4.100, installed by
// prepare.sh) driven through Debian's chromium with playwright-core, against
// the real openopt and openoptd of the build: the language server's
// diagnostics, hover and recipe completion; the Run, Show graph and Show
// passes lenses through a local daemon the extension starts; the graph linked
// with the editor; bad settings; a remote daemon with a wrong and a right
// token; daemons killed and coming back. Screenshots of every step go to
// build/test-artefacts/vscode/.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { bin, repo, benchModels } = require('../daemon/daemon.js');

const here = __dirname;
const buildDir = process.env.OPENOPT_BUILD_DIR || path.join(repo, 'build');
const codeServer = path.join(here, 'node_modules/.bin/code-server');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

function artefactDir() {
  const dir = process.env.OPENOPT_ARTEFACTS || path.join(buildDir, 'test-artefacts', 'vscode');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Screenshots of an earlier run would pass for this one's. */
function clearArtefacts() {
  for (const f of fs.readdirSync(artefactDir())) if (/\.(png|log)$/.test(f)) fs.rmSync(path.join(artefactDir(), f));
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(artefactDir(), `${name}.png`) });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (async) until it returns a truthy value. */
async function until(check, { timeout = 30_000, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(200);
  }
}

/** A process and its whole process group (code-server's extension host, the daemon it started, the language server). */
function spawnGroup(command, args, options) {
  const proc = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => {
    output += d;
    if (output.length > 1 << 20) output = output.slice(-(1 << 19));
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  return {
    proc,
    output: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** An openoptd on a fixed port (so that it can come back on the same one) with a token file. */
async function startRemoteDaemon(dataDir, port) {
  const tokenFile = path.join(dataDir, 'admin.token');
  const daemon = spawnGroup(bin('openoptd'), ['--data-dir', path.join(dataDir, 'db'), '--token-file', tokenFile, '--port', String(port)], {});
  await until(() => /listening on http:\/\/127\.0\.0\.1:\d+\//.test(daemon.output()), { timeout: 20_000, what: `openoptd on port ${port}:\n${daemon.output()}` });
  return { ...daemon, token: fs.readFileSync(tokenFile, 'utf8').trim() };
}

test('the OpenOptimizer extension in code-server', { timeout: 1_800_000 }, async (t) => {
  // ------------------------------------------------------------ set-up
  clearArtefacts();
  const vsix = execFileSync(path.join(here, 'prepare.sh'), { encoding: 'utf8', timeout: 1_200_000, stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  assert.ok(fs.existsSync(vsix), `the extension package ${vsix}`);
  const sizeKiB = Math.round(fs.statSync(vsix).size / 1024);
  assert.ok(sizeKiB < 2048, `the .vsix is ${sizeKiB} KiB: no node_modules in it`);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-vscode-'));
  const userData = path.join(root, 'user-data');
  const extensions = path.join(root, 'extensions');
  const workspace = path.join(root, 'workspace');
  for (const d of [path.join(userData, 'User'), extensions, workspace, path.join(root, 'config'), path.join(root, 'data')]) fs.mkdirSync(d, { recursive: true });

  // The workspace: a bench model's IR (with an nn.conv) and a recipe.
  const mlir = path.join(workspace, 'tiny.mlir');
  execFileSync(bin('openopt'), ['import', path.join(benchModels, 'tiny_conv_mm.onnx'), '-o', mlir]);
  const mlirText = fs.readFileSync(mlir, 'utf8');
  assert.match(mlirText, /nn\.conv/);
  const lines = mlirText.split('\n');
  const lineOf = (needle) => lines.findIndex((l) => l.includes(needle)) + 1;
  const convLine = lineOf('= nn.conv');
  const reluLine = lineOf('= nn.relu');
  const matmulLine = lineOf('= nn.matmul');
  const recipeText = '// A recipe for the test\n{\n  "name": "test",\n  "target": { "kind": "cpu", "threads": 1 },\n  "graph": { "passes": ["canonicalize", "cse"] }\n}\n';
  fs.writeFileSync(path.join(workspace, 'test.recipe.json'), recipeText);

  const settingsFile = path.join(userData, 'User', 'settings.json');
  const baseSettings = {
    'openopt.compilerPath': bin('openopt'),
    'openopt.daemonPath': bin('openoptd'),
    'openopt.run.iterations': 5,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'editor.wordWrap': 'off',
    'editor.minimap.enabled': false,
    'editor.hover.delay': 100,
    // Typed edits stay as typed: no completion pops up (and commits) on its own.
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.suggestOnTriggerCharacters': false,
    'editor.acceptSuggestionOnCommitCharacter': false,
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
    'window.restoreWindows': 'none',
  };
  fs.writeFileSync(settingsFile, JSON.stringify(baseSettings, null, 2));
  // Settings changed while it runs go into the workspace's settings, which VS
  // Code's file watcher reports (code-server does not watch the user's file).
  fs.mkdirSync(path.join(workspace, '.vscode'));
  const writeSettings = (extra = {}) => fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(extra, null, 2));
  writeSettings();

  const env = { ...process.env, XDG_CONFIG_HOME: path.join(root, 'config'), XDG_DATA_HOME: path.join(root, 'data') };
  const dirs = ['--user-data-dir', userData, '--extensions-dir', extensions];
  execFileSync(codeServer, ['--install-extension', vsix, ...dirs], { env, encoding: 'utf8', timeout: 120_000 });
  const port = await freePort();
  const server = spawnGroup(codeServer, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...dirs, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace], { env });
  await until(() => /HTTP server listening/.test(server.output()), { timeout: 60_000, what: `code-server:\n${server.output()}` });

  const remoteData = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-vscode-remote-'));
  let remote = null;
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--use-gl=swiftshader'] });
  t.after(async () => {
    await browser.close().catch(() => {});
    await server.stop();
    if (remote) await remote.stop();
    fs.writeFileSync(path.join(artefactDir(), 'code-server.log'), server.output());
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(remoteData, { recursive: true, force: true });
  });

  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // The extension's failures reach the page's console: a failed activation, or
  // an error with a stack in its bundle (its own messages to the user have none).
  const extensionErrors = [];
  const ours = /Activating extension 'openoptimizer\.openopt' failed|openoptimizer\.openopt-[\d.]+\/dist\/extension\.js/;
  page.on('console', (m) => {
    if (m.type() === 'error' && ours.test(m.text())) extensionErrors.push(m.text());
  });
  page.on('pageerror', (e) => {
    if (/openopt/i.test(e.message)) extensionErrors.push(e.message);
  });

  // ------------------------------------------------------------ helpers on the page
  const statusItem = page.locator('.statusbar-item', { hasText: 'openoptd:' }).first();
  const statusText = async () => (await statusItem.textContent()).trim();
  const notification = (pattern) => page.locator('.notification-toast .notification-list-item-message', { hasText: pattern }).first();
  const waitNotification = async (pattern, timeout = 60_000) => {
    await notification(pattern).waitFor({ timeout });
    return (await notification(pattern).textContent()).trim();
  };
  const command = async (title) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  };
  const clearNotifications = async () => {
    await command('Notifications: Clear All Notifications');
    await sleep(300);
  };
  const gotoLine = async (where) => {
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`:${where}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: `Go to line ${where.split(':')[0]}` }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await sleep(200);
  };
  /** Opens a workspace file from the explorer (Quick Open would also offer the webviews named after it). */
  const openFile = async (name) => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
    await page.locator(`.tab.active[data-resource-name="${name}"]`).waitFor();
  };
  /** The editor of a file in the first editor group (the webviews open beside it), scrolled to the top. */
  const showFile = async (name) => {
    await command('View: Focus First Editor Group');
    await openFile(name);
    await gotoLine('1');
  };
  const lens = (title) => page.locator('.codelens-decoration a', { hasText: title }).first();
  const clickLens = async (title) => {
    await showFile('tiny.mlir');
    await lens(title).waitFor({ timeout: 60_000 });
    await lens(title).click();
  };
  /** The frame of one of the extension's webviews, by the page it shows. */
  const webview = (name) =>
    until(async () => {
      for (const f of page.frames()) {
        try {
          if ((await f.evaluate(() => document.body?.dataset.page)) === name) return f;
        } catch {
          // a frame going away
        }
      }
      return null;
    }, { timeout: 60_000, what: `the ${name} webview` });
  const cursorLine = async () => {
    const text = await page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first().textContent();
    return Number(/Ln (\d+)/.exec(text)[1]);
  };
  const localDaemonPids = () =>
    execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(bin('openoptd')) && l.includes(userData))
      .map((l) => Number(l.trim().split(/\s+/)[0]));

  /** A step; when it fails, a screenshot of the window as it was. */
  let failures = 0;
  const step = (name, fn) =>
    t.test(name, async () => {
      try {
        // Whatever a failed step left open (a quick pick, a widget) is closed first.
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        await fn();
      } catch (e) {
        await shot(page, `failed-${++failures}`).catch(() => {});
        throw e;
      }
    });

  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });

  // ------------------------------------------------------------ the language server (stdio)
  await step('an .mlir file gets the Run / Show graph / Show passes lenses from the language server', async () => {
    await openFile('tiny.mlir');
    await lens('Run').waitFor({ timeout: 60_000 });
    const titles = await page.locator('.codelens-decoration a').allTextContents();
    assert.deepEqual(titles.slice(0, 3), ['▶ Run', 'Show graph', 'Show passes']);
    assert.match(await statusText(), /openoptd: stopped/);
    await shot(page, '01-lenses');
  });

  await step('hover on nn.conv shows its FLOPs', async () => {
    const column = lines[convLine - 1].indexOf('nn.conv') + 3;
    await showFile('tiny.mlir');
    await gotoLine(`${convLine}:${column}`);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover', { hasText: 'FLOPs' }).first();
    await hover.waitFor({ timeout: 30_000 });
    const text = await hover.textContent();
    assert.match(text, /nn\.conv/);
    assert.match(text, /FLOPs\s*\|?\s*14,080/);
    await shot(page, '02-hover-conv');
    await page.keyboard.press('Escape');
  });

  await step('a planted type error shows in the Problems view at its line, and goes away when undone', async () => {
    // The relu's type: 1x4x8x8 becomes 1x4x8x9, which its operand does not have.
    await showFile('tiny.mlir');
    try {
      await gotoLine(`${reluLine}`);
      await page.keyboard.press('End');
      for (let i = 0; i < '8xf32>'.length; i++) await page.keyboard.press('Shift+ArrowLeft');
      await page.keyboard.type('9xf32>');
      await command('View: Focus Problems');
      // The text is analysed as it is typed: wait for the diagnostic of the whole edit.
      const marker = page.locator('.markers-panel .monaco-list-row', { hasText: `[Ln ${reluLine}, ` }).filter({ hasText: '1x4x8x9' }).first();
      await marker.waitFor({ timeout: 30_000 });
      assert.match(await marker.textContent(), /openopt\[Ln \d+, Col \d+\]/, 'the source is the language server');
      await shot(page, '03-problems');
      await command('View: Focus First Editor Group');
      await page.keyboard.press('Control+Z');
      await until(async () => (await page.locator('.markers-panel .monaco-list-row', { hasText: `[Ln ${reluLine}, ` }).count()) === 0, { what: 'the marker to go' });
    } finally {
      // The later steps run the file as it was.
      await showFile('tiny.mlir');
      await command('File: Revert File');
    }
  });

  // ------------------------------------------------------------ the daemon (local)
  await step('Run: a local daemon is started, the model runs, the latency is shown', async () => {
    await clearNotifications();
    await clickLens('Run');
    const text = await waitNotification(/Run of tiny\.mlir @main: median/, 180_000);
    assert.match(text, /median [\d.]+ (ms|µs) \(min [\d.]+ (ms|µs), p95 [\d.]+ (ms|µs); 5 runs\); outputs output 1×10/);
    await until(async () => /openoptd: 127\.0\.0\.1:\d+/.test(await statusText()), { what: 'the status bar to show the local daemon' });
    assert.equal(localDaemonPids().length, 1, 'one local openoptd, started by the extension');
    // The outputs' first values and the latency are in the output channel.
    await page.locator('.output-view .view-line', { hasText: 'output: 1×10 f32 [' }).first().waitFor({ timeout: 10_000 });
    await shot(page, '04-run');
  });

  await step('Show graph draws the graph; a node click shows its line, the cursor highlights its node', async () => {
    await clearNotifications();
    await clickLens('Show graph');
    const frame = await webview('graph');
    await frame.locator('.graph-view[data-drawn="7"]').waitFor({ timeout: 60_000 });
    const drawn = await frame.evaluate(() => window.openoptGraph.canvas.lastDrawn.nodes);
    assert.equal(drawn, 7, 'input, conv, relu, flatten, matmul, add, output');
    // Graph → editor: click the conv node; the editor's cursor goes to its line.
    const point = await frame.evaluate(() => {
      const view = window.openoptGraph;
      const conv = [...view.graphIndex.byId.values()].find((n) => n.op === 'nn.conv');
      return { id: conv.id, ...view.canvas.screenPoint(conv.id) };
    });
    await frame.locator('canvas.graph-canvas').click({ position: { x: point.x, y: point.y } });
    await until(async () => (await cursorLine()) === convLine, { what: `the cursor on line ${convLine}` });
    await frame.locator('.node-panel h3').waitFor();
    assert.match(await frame.locator('.node-panel').textContent(), /nn\.conv[^]*FLOPs14,080/);
    await shot(page, '05-graph-node-to-line');
    // Editor → graph: the cursor on the matmul's line highlights the matmul node.
    await command('View: Focus First Editor Group');
    await gotoLine(`${matmulLine}`);
    const highlighted = await until(async () => {
      const id = await frame.evaluate(() => document.body.dataset.highlighted);
      return id && id !== point.id ? id : null;
    }, { what: 'a highlighted node' });
    const op = await frame.evaluate((id) => window.openoptGraph.graphIndex.byId.get(id).op, highlighted);
    assert.equal(op, 'nn.matmul');
    await shot(page, '06-graph-line-to-node');
  });

  await step('Show passes lists the compile\'s passes with a diff of the selected one', async () => {
    await clickLens('Show passes');
    const frame = await webview('passes');
    await frame.locator('.pass-list [role=option]').nth(10).waitFor({ timeout: 120_000 });
    const names = await frame.locator('.pass-list [role=option] .pass-name').allTextContents();
    assert.ok(names.length > 20, `${names.length} passes`);
    for (const p of ['canonicalize', 'openopt-fuse-ops', 'openopt-convert-nn-to-linalg']) assert.ok(names.includes(p), p);
    await frame.locator('.pass-list [role=option]', { hasText: 'openopt-fuse-ops' }).first().click();
    await until(async () => (await frame.locator('.pass-header').textContent()).includes('openopt-fuse-ops'), { what: 'the fuse-ops header' });
    await frame.locator('.diff-pane .line.add').first().waitFor({ timeout: 30_000 });
    assert.match(await frame.locator('.diff-pane').textContent(), /nn\.fused/);
    assert.ok((await frame.locator('.op-chip').count()) > 0, 'the ops the pass changed');
    // The graph after that pass (the daemon re-runs the graph passes on the stored IR).
    await frame.locator('.graph-view[data-drawn]:not([data-drawn="0"])').first().waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('.webview-status.error').count(), 0,
      `no error: ${await frame.locator('.webview-status').first().textContent().catch(() => '')}`);
    await shot(page, '07-passes');
    // The IR before and after it, side by side in VS Code's diff editor.
    await frame.locator('button', { hasText: 'Side by side in the editor' }).click();
    await page.locator('.tab', { hasText: 'openopt-fuse-ops' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.monaco-diff-editor .line-insert').first().waitFor({ timeout: 30_000 });
    assert.match((await page.locator('.monaco-diff-editor .editor.modified .view-lines').first().textContent()).replace(/\u00a0/g, ' '), /nn\.constant/);
    await shot(page, '07b-pass-side-by-side');
    await command('View: Close Editor');
  });

  await step('a *.recipe.json gets completion of pass names from the language server', async () => {
    await showFile('test.recipe.json');
    // In the second pass name, emptied: ["canonicalize", "|"].
    const recipeLines = recipeText.split('\n');
    const line = recipeLines.findIndex((l) => l.includes('"cse"')) + 1;
    const column = recipeLines[line - 1].indexOf('"cse"') + 5;
    await gotoLine(`${line}:${column}`);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget .monaco-list-row', { hasText: 'openopt-fold-batchnorm' }).first().waitFor({ timeout: 30_000 });
    // Narrowed down: the language server's item is the pass (module kind; the schema's are values).
    await page.keyboard.type('fold-b');
    const pass = page.locator('.suggest-widget .monaco-list-row', { has: page.locator('.codicon-symbol-module'), hasText: 'openopt-fold-batchnorm' }).first();
    await pass.waitFor({ timeout: 30_000 });
    await shot(page, '08-recipe-completion');
    await page.keyboard.press('Escape');
    await command('File: Revert File');
    // The recipe's lens: the passes it expands to, from the language server.
    await lens('Preview pipeline').click();
    await page.locator('.tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 30_000 });
    const preview = (await page.locator('.editor-group-container.active .view-lines').first().textContent()).replace(/\u00a0/g, ' ');
    assert.match(preview, /The pipeline of test/);
    assert.match(preview, /Graph passes:/);
    await command('View: Revert and Close Editor');
  });

  await step('palette: Compile with recipe…, Profile, Open web UI', async () => {
    await showFile('tiny.mlir');
    await clearNotifications();
    await command('OpenOptimizer: Compile with recipe…');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'test.recipe.json' }).first().click();
    const compiled = await waitNotification(/Compiled tiny\.mlir with test\.recipe\.json/, 120_000);
    assert.match(compiled, /cache (miss|graph|hit), \d+ ms, \d+ → \d+ ops, \d+ passes/);
    await clearNotifications();
    await command('OpenOptimizer: Profile');
    assert.match(await waitNotification(/Profile of tiny\.mlir/, 120_000), /Profile of tiny\.mlir: \d+ ops; the slowest is nn\.\w+/);
    await page.locator('.output-view .view-line', { hasText: /ms\s+[\d.]+%\s+nn\./ }).first().waitFor({ timeout: 10_000 });
    await shot(page, '09-profile');
    // The web UI of the same daemon, with its token. code-server opens
    // localhost addresses through its port proxy (/proxy/PORT/, without the
    // query), so the page is checked for the port, the extension's log for the
    // address it asked for.
    const port = /openoptd: 127\.0\.0\.1:(\d+)/.exec(await statusText())[1];
    const popup = page.waitForEvent('popup', { timeout: 30_000 });
    await command('OpenOptimizer: Open web UI');
    const web = await popup;
    await until(async () => web.url().includes(`:${port}/`) || web.url().includes(`/proxy/${port}/`), { what: `a page for port ${port} (${web.url()})` });
    await page.locator('.output-view .view-line', { hasText: `opening the web UI at http://127.0.0.1:${port}/?token=…` }).first().waitFor({ timeout: 10_000 });
    await waitNotification(/the web UI of openoptd/);
    await web.close();
    await shot(page, '10-open-web-ui');
  });

  await step('the local daemon killed is reported and restarted; Run works again', async () => {
    await clearNotifications();
    const [pid] = localDaemonPids();
    process.kill(pid, 'SIGKILL');
    const text = await waitNotification(/the local openoptd was killed \(SIGKILL\); restarting it/);
    assert.match(text, /Running commands fail; run them again once it is back/);
    await until(async () => /openoptd: 127\.0\.0\.1:\d+$/.test(await statusText()) && localDaemonPids().length === 1 && localDaemonPids()[0] !== pid, { timeout: 60_000, what: 'the restarted daemon' });
    await clearNotifications();
    await clickLens('Run');
    await waitNotification(/Run of tiny\.mlir @main: median/, 120_000);
    await shot(page, '11-local-daemon-restarted');
  });

  // ------------------------------------------------------------ settings
  await step('invalid settings are named with what is wrong; fixing them recovers', async () => {
    await clearNotifications();
    writeSettings({ 'openopt.remoteUrl': 'http://127.0.0.1:1', 'openopt.threads': 0 });
    const text = await waitNotification(/openopt\.remoteUrl/);
    assert.match(text, /openopt\.remoteUrl: "http:\/\/127\.0\.0\.1:1" starts with http:\/\/ but the daemon is reached over WebSocket: use ws:\/\//);
    assert.match(text, /openopt\.threads must be a whole number from 1 to 256/);
    await until(async () => /openoptd: error/.test(await statusText()), { what: 'the status bar error' });
    await clearNotifications();
    await clickLens('Run');
    assert.match(await waitNotification(/Run failed/), /openopt\.remoteUrl: .*use ws:\/\//);
    await shot(page, '12-bad-settings');
    await clearNotifications();
    writeSettings({ 'openopt.compilerPath': '/nonexistent/openopt' });
    assert.match(await waitNotification(/openopt\.compilerPath/), /openopt\.compilerPath: \/nonexistent\/openopt does not exist/);
    await clearNotifications();
    writeSettings();
    await waitNotification(/the settings are fine now/);
    await until(async () => !/error/.test(await statusText()), { what: 'the status bar without error' });
    await showFile('tiny.mlir');
    await lens('Run').waitFor({ timeout: 60_000 });
  });

  // ------------------------------------------------------------ a remote daemon
  const remotePort = await freePort();
  await step('remote: no or a wrong token gives a clear message; the right one works', async () => {
    remote = await startRemoteDaemon(remoteData, remotePort);
    await clearNotifications();
    writeSettings({ 'openopt.remoteUrl': `ws://127.0.0.1:${remotePort}` });
    const refused = await waitNotification(/refused the token/);
    assert.match(refused, new RegExp(`openoptd at ws://127\\.0\\.0\\.1:${remotePort}/(api|lsp) refused the token \\(HTTP 401\\); set the right one with "OpenOptimizer: Set remote token"`));
    await until(async () => /openoptd: error/.test(await statusText()), { what: 'the status bar error' });
    await shot(page, '13-remote-refused');

    await clearNotifications();
    await command('OpenOptimizer: Set remote token');
    await page.locator('.quick-input-widget input[type=password]').waitFor();
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    await waitNotification(/refused the token/);

    await clearNotifications();
    await command('OpenOptimizer: Set remote token');
    await page.locator('.quick-input-widget input[type=password]').waitFor();
    await page.keyboard.type(remote.token);
    await page.keyboard.press('Enter');
    await until(async () => (await statusText()).includes(`openoptd: 127.0.0.1:${remotePort}`), { what: 'the status bar with the remote daemon' });
    // The lenses now come from the remote daemon's WS /lsp.
    await showFile('tiny.mlir');
    await lens('Run').waitFor({ timeout: 60_000 });
    await until(() => /lsp\.open/.test(remote.output()), { what: 'a WS /lsp session on the remote daemon' });
    await clearNotifications();
    await clickLens('Run');
    await waitNotification(/Run of tiny\.mlir @main: median/, 180_000);
    assert.match(remote.output(), /method=run\/start/);
    await shot(page, '14-remote-run');
  });

  await step('remote: a killed daemon is reported, commands fail with the reason, and it is picked up when back', async () => {
    await clearNotifications();
    process.kill(remote.proc.pid, 'SIGKILL');
    await new Promise((r) => (remote.proc.exitCode !== null || remote.proc.signalCode ? r() : remote.proc.once('exit', r)));
    const lost = await waitNotification(/lost the connection to openoptd/);
    assert.match(lost, new RegExp(`ws://127\\.0\\.0\\.1:${remotePort}`));
    await until(async () => /reconnecting/.test(await statusText()), { what: 'the status bar reconnecting' });
    // The lenses went with the language server (through the same daemon): the palette.
    const started = Date.now();
    await showFile('tiny.mlir');
    await command('OpenOptimizer: Run');
    const failure = await waitNotification(/Run failed/, 30_000);
    assert.match(failure, /could not reach openoptd|connection .* closed|was lost/);
    assert.ok(Date.now() - started < 25_000, 'the command failed instead of hanging');
    await shot(page, '15-remote-down');
    await clearNotifications();
    remote = await startRemoteDaemon(remoteData, remotePort);
    await waitNotification(/reconnected to openoptd/, 60_000);
    await until(async () => (await statusText()).includes(`openoptd: 127.0.0.1:${remotePort}`), { what: 'connected again' });
    await clearNotifications();
    await clickLens('Run');
    await waitNotification(/Run of tiny\.mlir @main: median/, 180_000);
    await shot(page, '16-remote-back');
  });

  await step('the extension reported no errors of its own in the page', () => {
    assert.deepEqual(extensionErrors, []);
  });
});
