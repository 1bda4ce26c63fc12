// `openopt lsp` driven by a client we did not write: Neovim's built-in LSP
// client (vim.lsp, Neovim >= 0.7), headless, over stdio. nvim_client.lua does
// what an editor user would do and records what came back; the checks are
// here. Run: OPENOPT_BUILD_DIR=build node --test tests/e2e/lsp/nvim.test.js
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const fx = require('./fixtures');

const NVIM = process.env.OPENOPT_NVIM || 'nvim';

/** Runs nvim_client.lua with `plan`; resolves with {result, output} (result null if none was written). */
function runNvim(plan, dir, limitMs) {
  const planPath = path.join(dir, 'plan.json');
  fs.writeFileSync(planPath, JSON.stringify(plan));
  const xdg = path.join(dir, 'xdg');
  const env = {
    ...process.env, OPENOPT_LSP_PLAN: planPath,
    XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_DATA_HOME: path.join(xdg, 'data'),
    XDG_STATE_HOME: path.join(xdg, 'state'), XDG_CACHE_HOME: path.join(xdg, 'cache'),
  };
  const script = path.join(__dirname, 'nvim_client.lua');
  // Its own process group, so a hung run is killed with the server it started.
  const proc = spawn(NVIM, ['--headless', '--clean', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${script}`],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
    }, limitMs);
    proc.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot start ${NVIM}: ${e.message}`)); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      let result = null;
      try { result = JSON.parse(fs.readFileSync(plan.result, 'utf8')); } catch { /* none */ }
      resolve({ result, output, code, signal, timedOut });
    });
  });
}

test('Neovim (vim.lsp over stdio): diagnostics, incremental fix, hover, definition, completion, shutdown', async (t) => {
  const version = spawnSync(NVIM, ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, `${NVIM} is not runnable: ${version.error || version.stderr}`);
  const lsp = fx.lspSubcommand();
  assert.ok(lsp.ok, `the language server is not in this build: ${lsp.why}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-lsp-nvim-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'dense.mlir');
  const shapeFile = path.join(dir, 'shape.mlir');
  fs.writeFileSync(file, fx.DENSE_UNDEF);
  fs.writeFileSync(shapeFile, fx.DENSE_SHAPE);
  const uniFile = path.join(dir, 'unicode.mlir');
  fs.writeFileSync(uniFile, fx.UNI_BAD);
  const { ir, uni } = fx;
  const plan = {
    cmd: [fx.bin('openopt'), 'lsp'],
    root: dir,
    timeoutMs: fx.ANSWER_MS,
    result: path.join(dir, 'result.json'),
    file,
    shapeFile,
    fix: ir.fix,
    hover: ir.hoverMatmul,
    definitions: [{ name: '%mm', position: ir.useOfMm }, { name: '%x', position: ir.useOfX }],
    completions: [
      { name: 'ssa', line: ir.insertLine, text: ir.ssaLine, context: { triggerKind: 2, triggerCharacter: '%' } },
      { name: 'op', line: ir.insertLine, text: ir.opLine, context: { triggerKind: 1 } },
      { name: 'dialect', line: ir.insertLine, text: ir.dialectLine, context: { triggerKind: 2, triggerCharacter: '.' } },
    ],
    unicode: { file: uniFile, fix: uni.fix, definition: uni.useOfX },
  };
  // Each of the ~17 waits may take ANSWER_MS; a run that outlives all of
  // them is hung (nvim itself), and is killed.
  const run = await runNvim(plan, dir, fx.ANSWER_MS * 18 + 30000);
  const context = () => {
    // Neovim logs the server's stderr (and its own RPC errors) here.
    let log = '';
    try { log = fs.readFileSync(path.join(dir, 'xdg', 'cache', 'nvim', 'lsp.log'), 'utf8').slice(-4000); } catch { /* none */ }
    return `\nnvim exit ${run.code}/${run.signal}${run.timedOut ? ' (killed: timed out)' : ''}; nvim output:\n${run.output.slice(-4000)}\nlsp.log:\n${log}`;
  };
  assert.ok(run.result, `nvim_client.lua wrote no result${context()}`);
  const { result } = run;
  assert.equal(result.fatal, undefined, `nvim_client.lua failed: ${result.fatal}${context()}`);

  const show = fx.show;
  const steps = new Map(result.steps.map((s) => [s.name, s]));
  /** The data of a step, or a failure with the step's error. */
  const data = (name) => {
    const s = steps.get(name);
    assert.ok(s, `step "${name}" did not run (an earlier step failed: ${show(result.steps.filter((x) => !x.ok))})${context()}`);
    assert.ok(s.ok, `step "${name}" failed: ${s.error}${context()}`);
    return s.data;
  };
  const uri = () => data('diagnostic').uri;

  await t.test('initialize: the capabilities this client relies on', () => {
    const caps = data('start').server_capabilities;
    const sync = caps.textDocumentSync;
    assert.equal(typeof sync === 'object' ? sync.change : sync, 2, `incremental sync: ${show(sync)}`);
    if (typeof sync === 'object') assert.equal(sync.openClose, true);
    assert.ok(caps.hoverProvider, 'hoverProvider');
    assert.ok(caps.definitionProvider, 'definitionProvider');
    assert.ok(caps.completionProvider, 'completionProvider');
    for (const c of ['%', '.']) assert.ok((caps.completionProvider.triggerCharacters || []).includes(c), `trigger character ${c}`);
  });

  await t.test('the undefined SSA value is reported exactly at its use', () => {
    const d = data('diagnostic');
    fx.check.undefDiagnostic(d.published);
    if (d.published.version !== undefined) assert.equal(d.published.version, 0, 'nvim opens documents as version 0');
    // What Neovim made of it (vim.diagnostic: 0-based lines, byte columns).
    const v = d.nvim.find((x) => x.severity === 1);
    assert.ok(v, `vim.diagnostic.get(): ${show(d.nvim)}`);
    assert.deepEqual([v.lnum, v.col, v.end_lnum, v.end_col],
      [ir.undefRange.start.line, ir.undefRange.start.character, ir.undefRange.end.line, ir.undefRange.end.character]);
    assert.match(v.message, ir.undefMessage);
  });

  await t.test('an incremental didChange that fixes the error clears the diagnostics', () => {
    const d = data('fix');
    assert.equal(d.text.join('\n') + '\n', fx.DENSE_OK, 'the buffer is the valid text now');
    assert.deepEqual(d.published.diagnostics, []);
    if (d.published.version !== undefined) assert.equal(d.published.version, d.version);
    assert.deepEqual(d.nvim, []);
  });

  await t.test('hover on nn.matmul: the op, its summary, types and cost', () => fx.check.matmulHover(data('hover')));

  for (const [name, want] of [['%mm', ir.defOfMm], ['%x', ir.defOfX]]) {
    await t.test(`definition of a use of ${name} goes to its definition`,
      () => fx.check.definition(data(`definition ${name}`), uri(), want, name));
  }

  await t.test('completion after % lists the SSA values in scope', () => fx.check.ssaCompletion(data('completion ssa')));
  await t.test('completion at an op name lists nn ops', () => fx.check.opCompletion(data('completion op')));
  await t.test('completion after "nn." lists the nn ops', () => fx.check.dialectCompletion(data('completion dialect')));
  await t.test('a shape error is reported at the op', () => fx.check.shapeDiagnostic(data('shape diagnostic').published));

  await t.test('non-ASCII text: diagnostic ranges, edits and definitions count UTF-16 units', () => {
    const d = data('unicode diagnostic');
    fx.check.uniDiagnostic(d.published);
    // Neovim turned the UTF-16 range into byte columns of its buffer.
    const v = d.nvim.find((x) => x.severity === 1);
    assert.ok(v, `vim.diagnostic.get(): ${show(d.nvim)}`);
    assert.deepEqual([v.lnum, v.col, v.end_col],
      [uni.dupRange.start.line, fx.byteCol(fx.UNI_BAD, uni.dupRange.start), fx.byteCol(fx.UNI_BAD, uni.dupRange.end)]);
    const f = data('unicode fix');
    assert.equal(f.text.join('\n') + '\n', fx.UNI_OK, 'the buffer is the valid text now');
    assert.deepEqual(f.published.diagnostics, [], `the server applied the edit where nvim did: ${show(f.published)}`);
    fx.check.definition(data('unicode definition'), d.uri, uni.defOfX, '%x');
  });

  await t.test('shutdown answers null and exit ends the server with status 0', () => {
    const d = data('shutdown');
    assert.equal(d.shutdown_result, null);
    assert.deepEqual(d.exit, { code: 0, signal: 0 });
    assert.deepEqual(result.rpc_errors, [], 'no JSON-RPC errors on the client side');
  });
});
