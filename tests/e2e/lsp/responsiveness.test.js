// The language server under pressure, over stdio with exact control of
// timing: cancellation while an analysis runs, a burst of edits, a 20 MB
// document (with $/progress), IR that would crash the parser, and a crashing
// language server behind openoptd's WS /lsp.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const path = require('node:path');
const WebSocket = require('ws');
const { generate } = require('../../../bench/gen_lsp_chain.js');
const { startDaemon } = require('../daemon/daemon.js');

const buildDir = process.env.OPENOPT_BUILD_DIR || path.resolve(__dirname, '../../../build');
const openopt = path.join(buildDir, 'bin', 'openopt');
const WAIT_MS = 60000;

// Servers a test started: one whose test failed before stopping it would keep
// this process alive (its pipes are open) until ctest's timeout.
const running = new Set();
test.afterEach(() => {
  for (const proc of running) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  running.clear();
});

/** An `openopt lsp` child with Content-Length framing on its pipes. */
function startServer() {
  const proc = spawn(openopt, ['lsp', '--log-level', 'warn'], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const messages = [];
  const listeners = new Set();
  let buffer = Buffer.alloc(0);
  proc.stdout.on('data', (data) => {
    buffer = Buffer.concat([buffer, data]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
      buffer = buffer.subarray(end + 4 + length);
      messages.push(message);
      for (const listener of listeners) listener(message);
    }
  });
  const frame = (m) => { const body = Buffer.from(JSON.stringify(m)); return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]); };
  const server = {
    proc, messages, stderr: () => stderr,
    send(...ms) { proc.stdin.write(Buffer.concat(ms.map(frame))); },
    waitFor(predicate, what) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { listeners.delete(listener); reject(new Error(`no ${what} within ${WAIT_MS} ms; stderr:\n${stderr}`)); }, WAIT_MS);
        const listener = (m) => { if (predicate(m)) { clearTimeout(timer); listeners.delete(listener); resolve(m); } };
        listeners.add(listener);
        proc.on('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`server exited (${code ?? signal}) waiting for ${what}:\n${stderr}`)); });
      });
    },
    async request(id, method, params) {
      server.send({ jsonrpc: '2.0', id, method, params });
      return server.waitFor((m) => m.id === id, `answer to ${method} #${id}`);
    },
    async stop() {
      const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
      server.send({ jsonrpc: '2.0', id: 'bye', method: 'shutdown' }, { jsonrpc: '2.0', method: 'exit' });
      return exited;
    },
  };
  return server;
}

const init = (server, capabilities = {}) => server.request(0, 'initialize', { capabilities });
const open = (server, uri, text, version = 1) => server.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'mlir', version, text } } });
const diagnosticsOf = (uri, version) => (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && (version === undefined || m.params.version === version);

/** A single-function chain of about `mb` megabytes. */
function bigChain(mb) {
  const ops = Math.round((mb * 1024 * 1024) / 91);
  return generate({ layout: 'single', ops }).text;
}

test('a request cancelled while the first analysis runs answers RequestCancelled', async () => {
  const server = startServer();
  await init(server);
  const uri = 'file:///t/big.mlir';
  open(server, uri, bigChain(8));
  server.send({ jsonrpc: '2.0', id: 7, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 3, character: 8 } } });
  server.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 7 } });
  const answer = await server.waitFor((m) => m.id === 7, 'answer to the cancelled hover');
  assert.deepStrictEqual(answer.error && answer.error.code, -32800, JSON.stringify(answer));
  // The analysis it waited for still finishes and the server goes on.
  await server.waitFor(diagnosticsOf(uri, 1), 'diagnostics of the big document');
  const hover = await server.request(8, 'textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 10 } });
  assert.ok(hover.result && /tosa/.test(hover.result.contents.value), JSON.stringify(hover));
  assert.strictEqual(server.messages.filter((m) => m.id === 7).length, 1, 'one answer per request');
  assert.strictEqual(await server.stop(), 0);
});

test('a read waiting for an analysis that an edit supersedes answers ContentModified', async () => {
  const server = startServer();
  await init(server);
  const uri = 'file:///t/big2.mlir';
  const text = bigChain(4);
  open(server, uri, text);
  server.send({ jsonrpc: '2.0', id: 3, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 3, character: 8 } } },
    { jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: 2 }, contentChanges: [{ text: text + '\n' }] } });
  const answer = await server.waitFor((m) => m.id === 3, 'answer to the hover');
  // Either the first analysis finished before the edit arrived (a result) or
  // the edit superseded it (ContentModified); never a stale publish.
  assert.ok(answer.result !== undefined || (answer.error && answer.error.code === -32801), JSON.stringify(answer));
  await server.waitFor(diagnosticsOf(uri, 2), 'diagnostics of version 2');
  assert.strictEqual(await server.stop(), 0);
});

test('50 rapid edits are coalesced: diagnostics for the last version, few in between', async () => {
  const server = startServer();
  await init(server);
  const uri = 'file:///t/burst.mlir';
  const { text } = generate({ layout: 'single', ops: 2000 });
  open(server, uri, text);
  await server.waitFor(diagnosticsOf(uri, 1), 'diagnostics of version 1');
  // Alternate an error and a fix on line 3; the last edit leaves an error.
  const lines = text.split('\n');
  const good = lines[3];
  const bad = good.replace(/ : \(/, ' : (').replace(/%\w+,/, '%nope,').replace(/tosa\.(\w+) %\w+ :/, 'tosa.$1 %nope :');
  assert.notStrictEqual(bad, good);
  const edits = [];
  for (let v = 2; v <= 51; ++v)
    edits.push({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: (v % 2 ? good : bad).length } }, text: v % 2 ? bad : good }] } });
  // The document alternates; start from `good` on line 3.
  server.send(...edits);
  const last = await server.waitFor(diagnosticsOf(uri, 51), 'diagnostics of version 51');
  assert.ok(last.params.diagnostics.length >= 1, 'version 51 has the error');
  await new Promise((r) => setTimeout(r, 500));
  // The burst is one write, but the pipe may hand it to the server in pieces
  // (a page at a time): an analysis of a version that was the latest when it
  // started may then finish, and publish, before the rest arrives (seen once
  // under a loaded ctest: versions 1, 2, 51). What must hold: versions in
  // order, ending with 51, and the burst coalesced rather than one analysis
  // per edit.
  const versions = server.messages.filter(diagnosticsOf(uri)).map((m) => m.params.version);
  assert.strictEqual(versions[0], 1, JSON.stringify(versions));
  assert.strictEqual(versions[versions.length - 1], 51, JSON.stringify(versions));
  assert.ok(versions.every((v, i) => i === 0 || v > versions[i - 1]), JSON.stringify(versions));
  assert.ok(versions.length <= 4, `the 50 edits were not coalesced: ${JSON.stringify(versions)}`);
  assert.strictEqual(await server.stop(), 0);
});

test('a 20 MB document is analysed with $/progress and the server stays responsive', async () => {
  const server = startServer();
  await init(server, { window: { workDoneProgress: true } });
  const uri = 'file:///t/huge.mlir';
  const text = bigChain(20);
  assert.ok(text.length >= 20e6, `generated ${text.length} bytes`);
  open(server, uri, text);
  const small = 'file:///t/small.mlir';
  open(server, small, 'func.func @f() {\n  return\n}\n');
  // Another document is served while the big one is analysed.
  await server.waitFor(diagnosticsOf(small, 1), 'diagnostics of the small document');
  const begin = await server.waitFor((m) => m.method === '$/progress' && m.params.value.kind === 'begin', 'progress begin');
  await server.waitFor(diagnosticsOf(uri, 1), 'diagnostics of the 20 MB document');
  await server.waitFor((m) => m.method === '$/progress' && m.params.token === begin.params.token && m.params.value.kind === 'end', 'progress end');
  assert.ok(server.messages.some((m) => m.method === 'window/workDoneProgress/create'), 'progress token created');
  const hover = await server.request(2, 'textDocument/hover', { textDocument: { uri }, position: { line: 100000, character: 14 } });
  assert.ok(hover.result, JSON.stringify(hover).slice(0, 300));
  assert.strictEqual(await server.stop(), 0);
});

test('IR nested deeper than the parser can take is refused, not crashed on', async () => {
  const server = startServer();
  await init(server);
  const uri = 'file:///t/deep.mlir';
  const n = 100000;
  open(server, uri, 'func.func @f() {\n' + 'scf.execute_region {\n'.repeat(n) + '}\n'.repeat(n) + '  return\n}\n');
  const published = await server.waitFor(diagnosticsOf(uri, 1), 'diagnostics of the deep document');
  assert.match(published.params.diagnostics[0].message, /nests deeper than \d+ levels/);
  const again = await server.request(5, 'textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
  assert.ok(!again.error, JSON.stringify(again));
  assert.strictEqual(await server.stop(), 0);
});

test('a language server that crashes behind WS /lsp closes that socket with 1011; the daemon lives on', async () => {
  const daemon = await startDaemon();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/lsp?token=${daemon.token}`);
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, capabilities: {} } }));
    await new Promise((resolve) => ws.once('message', resolve));
    // Find the child: the only `openopt lsp` whose parent is this daemon.
    const { execFileSync } = require('node:child_process');
    const children = execFileSync('pgrep', ['-P', String(daemon.proc.pid), '-f', 'openopt lsp']).toString().trim().split('\n');
    assert.strictEqual(children.length, 1);
    process.kill(Number(children[0]), 'SIGSEGV');
    const { code, reason } = await closed;
    assert.strictEqual(code, 1011);
    assert.match(reason, /language server ended: killed by signal 11/);
    const health = await fetch(`${daemon.http}/healthz`, { headers: { Authorization: `Bearer ${daemon.token}` } });
    assert.strictEqual(health.status, 200);
  } finally {
    await daemon.stop();
  }
});

test('WS /lsp sessions are limited by --max-lsp-sessions (503 beyond), and a closed one frees its place', async () => {
  const daemon = await startDaemon({ args: ['--max-lsp-sessions', '1'] });
  try {
    const url = `ws://127.0.0.1:${daemon.port}/lsp?token=${daemon.token}`;
    const connect = () => new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.on('open', () => resolve({ ws }));
      ws.on('unexpected-response', (req, res) => resolve({ status: res.statusCode }));
      ws.on('error', (e) => resolve({ error: e }));
    });
    const first = await connect();
    assert.ok(first.ws, 'the first session opens');
    const second = await connect();
    assert.strictEqual(second.status, 503);
    const closed = new Promise((resolve) => first.ws.on('close', resolve));
    first.ws.close();
    await closed;
    // The session count drops when the session object goes; allow it a moment.
    let third;
    for (let i = 0; i < 50 && !(third && third.ws); ++i) {
      third = await connect();
      if (!third.ws) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(third.ws, `a new session opens after the first closed (last status ${third.status})`);
    third.ws.close();
  } finally {
    await daemon.stop();
  }
});
