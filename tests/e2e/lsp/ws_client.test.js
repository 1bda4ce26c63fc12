// openoptd's language server (WS /lsp, one JSON-RPC message per text frame)
// driven by clients we did not write: the npm `ws` WebSocket, TypeFox's
// vscode-ws-jsonrpc reader/writer (what Monaco editors use) and Microsoft's
// vscode-languageserver-protocol connection, against the real daemon.
// Run: OPENOPT_BUILD_DIR=build node --test tests/e2e/lsp/ws_client.test.js
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const WebSocket = require('ws');
const { createProtocolConnection } = require('vscode-languageserver-protocol/node');
const { startDaemon } = require('../daemon/daemon');
const fx = require('./fixtures');

const { ir, uni, recipe, show, within } = fx;

/** Opens a WebSocket; rejects with {status} when the upgrade is refused. */
function openSocket(url, headers = {}) {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`${url}: no WebSocket upgrade within ${fx.ANSWER_MS} ms`)); }, fx.ANSWER_MS);
    ws.once('open', () => { clearTimeout(timer); resolve(ws); });
    ws.once('unexpected-response', (req, res) => {
      clearTimeout(timer);
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: HTTP ${res.statusCode} ${body.slice(0, 300)}`), { status: res.statusCode })));
    });
    ws.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** An LSP client session over WS /lsp: vscode-ws-jsonrpc + a protocol connection. */
async function lspSession(url, headers) {
  const { toSocket, WebSocketMessageReader, WebSocketMessageWriter } = await import('vscode-ws-jsonrpc');
  const ws = await openSocket(url, headers);
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const socket = toSocket(ws);
  const conn = createProtocolConnection(new WebSocketMessageReader(socket), new WebSocketMessageWriter(socket));
  const session = { ws, conn, closed, published: [], logs: [], waiters: [] };
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    session.published.push(p);
    session.waiters = session.waiters.filter((w) => !w(p));
  });
  conn.onNotification('window/logMessage', (p) => session.logs.push(p));
  conn.onNotification('window/showMessage', (p) => session.logs.push(p));
  // What a polite client answers to the server's own requests.
  conn.onRequest('workspace/configuration', (p) => (p.items || []).map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('client/unregisterCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('window/showMessageRequest', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.onRequest('workspace/semanticTokens/refresh', () => null);
  conn.onRequest('workspace/inlayHint/refresh', () => null);
  conn.listen();

  /** Sends a request; fails clearly if the server is silent or answers an error. */
  session.request = (method, params) => within(conn.sendRequest(method, params), method).catch((e) => {
    throw new Error(`${method} ${JSON.stringify(params || null).slice(0, 600)}: ${e.message}${e.code !== undefined ? ` (code ${e.code})` : ''}`);
  });
  session.notify = (method, params) => conn.sendNotification(method, params);

  /** Resolves with the first publishDiagnostics for `uri` (seen or coming) that `pred` accepts. */
  session.diagnostics = (uri, what, pred = () => true) => {
    const seen = session.published.find((p) => p.uri === uri && pred(p));
    if (seen) return Promise.resolve(seen);
    return within(new Promise((resolve) => session.waiters.push((p) => {
      if (p.uri === uri && pred(p)) { resolve(p); return true; }
      return false;
    })), `${what} (publishDiagnostics for ${uri}; seen: ${show(session.published.map((p) => ({ uri: p.uri, version: p.version, n: p.diagnostics.length })), 1500)})`);
  };

  session.initialize = async () => {
    const result = await session.request('initialize', {
      processId: process.pid,
      clientInfo: { name: 'openopt-e2e-ws', version: '1' },
      rootUri: null,
      workspaceFolders: null,
      capabilities: {
        general: { positionEncodings: ['utf-16'] },
        workspace: { configuration: true, workspaceFolders: false },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          definition: { linkSupport: false },
          completion: { completionItem: { snippetSupport: false }, contextSupport: true },
        },
      },
    });
    session.notify('initialized', {});
    return result;
  };

  /** shutdown + exit; resolves with the shutdown result. */
  session.shutdown = async () => {
    const result = await session.request('shutdown', undefined);
    session.notify('exit');
    return result;
  };
  session.dispose = () => { try { conn.dispose(); } catch { /* closed */ } ws.terminate(); };
  return session;
}

test('the IR and recipe texts are what these tests assume (openopt-opt, openopt recipe check)', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-lsp-fixtures-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fx.checkFixturesWithCli(dir);
});

test('openoptd WS /lsp with vscode-ws-jsonrpc: capabilities, IR and recipe features, clean shutdown', async (t) => {
  const daemon = await startDaemon();
  t.after(() => daemon.stop());
  const url = `ws://127.0.0.1:${daemon.port}/lsp`;

  await t.test('the upgrade needs the token', async () => {
    await assert.rejects(openSocket(url), (e) => e.status === 401, 'no token: 401');
    await assert.rejects(openSocket(`${url}?token=not-the-token`), (e) => e.status === 401, 'wrong token: 401');
  });

  const lsp = await lspSession(`${url}?token=${encodeURIComponent(daemon.token)}`);
  t.after(() => lsp.dispose());

  // Documents live only in the session: none of these files exists.
  const docDir = path.join(os.tmpdir(), `openopt-lsp-ws-${process.pid}`);
  const denseUri = pathToFileURL(path.join(docDir, 'dense.mlir')).href;
  const shapeUri = pathToFileURL(path.join(docDir, 'shape.mlir')).href;
  const uniUri = pathToFileURL(path.join(docDir, 'unicode.mlir')).href;
  const recipeUri = pathToFileURL(path.join(docDir, 'lsp-test.recipe.json')).href;

  await t.test('initialize: the advertised capabilities', async () => {
    const { capabilities: caps } = await lsp.initialize();
    const sync = caps.textDocumentSync;
    assert.equal(typeof sync, 'object', `textDocumentSync options: ${show(sync)}`);
    assert.equal(sync.change, 2, 'incremental sync');
    assert.equal(sync.openClose, true);
    if (caps.positionEncoding !== undefined) assert.equal(caps.positionEncoding, 'utf-16');
    for (const p of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider',
      'inlayHintProvider', 'foldingRangeProvider', 'codeLensProvider']) {
      assert.ok(caps[p], `${p}: ${show(caps)}`);
    }
    assert.equal(caps.renameProvider && caps.renameProvider.prepareProvider, true, `renameProvider.prepareProvider: ${show(caps.renameProvider)}`);
    assert.ok(caps.semanticTokensProvider && caps.semanticTokensProvider.full, `semanticTokensProvider.full: ${show(caps.semanticTokensProvider)}`);
    assert.ok(caps.semanticTokensProvider.legend && caps.semanticTokensProvider.legend.tokenTypes.length > 0, 'a semantic tokens legend');
    const triggers = (caps.completionProvider && caps.completionProvider.triggerCharacters) || [];
    for (const c of ['%', '.', '"', '@', '^']) assert.ok(triggers.includes(c), `completion trigger ${c} in ${show(triggers)}`);
    const commands = (caps.executeCommandProvider && caps.executeCommandProvider.commands) || [];
    for (const c of ['openopt.run', 'openopt.showGraph', 'openopt.showPasses', 'openopt.previewPipeline']) {
      assert.ok(commands.includes(c), `command ${c} in ${show(commands)}`);
    }
  });

  await t.test('an undefined SSA value: one error exactly at the use, for the opened version', async () => {
    lsp.notify('textDocument/didOpen', { textDocument: { uri: denseUri, languageId: 'mlir', version: 1, text: fx.DENSE_UNDEF } });
    const published = await lsp.diagnostics(denseUri, 'diagnostics of the broken IR', (p) => p.diagnostics.length > 0);
    fx.check.undefDiagnostic(published);
    assert.equal(published.version, 1, `publishDiagnostics.version: ${show(published)}`);
  });

  await t.test('an incremental change that fixes it clears the diagnostics (version 2)', async () => {
    lsp.notify('textDocument/didChange', { textDocument: { uri: denseUri, version: 2 }, contentChanges: [ir.fix] });
    const published = await lsp.diagnostics(denseUri, 'diagnostics after the fix', (p) => p.version === 2);
    assert.deepEqual(published.diagnostics, [], `no diagnostics for the valid text: ${show(published)}`);
  });

  await t.test('hover on nn.matmul: the op, its summary, types and cost', async () => {
    fx.check.matmulHover(await lsp.request('textDocument/hover', { textDocument: { uri: denseUri }, position: ir.hoverMatmul }));
  });

  for (const [name, use, def] of [['%mm', ir.useOfMm, ir.defOfMm], ['%x', ir.useOfX, ir.defOfX]]) {
    await t.test(`definition of a use of ${name} goes to its definition`, async () => {
      const result = await lsp.request('textDocument/definition', { textDocument: { uri: denseUri }, position: use });
      fx.check.definition(result, denseUri, def, name);
    });
  }

  // Completion on a line inserted before `return` (versions 3, 4, 5).
  const complete = async (version, text, context, replace) => {
    const line = ir.insertLine;
    const range = replace
      ? { start: { line, character: 0 }, end: { line, character: replace.length } }
      : { start: { line, character: 0 }, end: { line, character: 0 } };
    lsp.notify('textDocument/didChange', {
      textDocument: { uri: denseUri, version },
      contentChanges: [{ range, text: replace ? text : `${text}\n` }],
    });
    return lsp.request('textDocument/completion', { textDocument: { uri: denseUri }, position: { line, character: text.length }, context });
  };

  await t.test('completion after % lists the SSA values in scope', async () => {
    fx.check.ssaCompletion(await complete(3, ir.ssaLine, { triggerKind: 2, triggerCharacter: '%' }));
  });

  await t.test('completion at an op name lists op names of nn and tosa', async () => {
    fx.check.opCompletion(await complete(4, ir.opLine, { triggerKind: 1 }, ir.ssaLine), [...ir.opNames, 'tosa.add']);
  });

  await t.test('completion after "nn." lists the nn ops', async () => {
    fx.check.dialectCompletion(await complete(5, ir.dialectLine, { triggerKind: 2, triggerCharacter: '.' }, ir.opLine));
  });

  await t.test('a shape error is reported at the op', async () => {
    lsp.notify('textDocument/didOpen', { textDocument: { uri: shapeUri, languageId: 'mlir', version: 1, text: fx.DENSE_SHAPE } });
    const published = await lsp.diagnostics(shapeUri, 'diagnostics of the IR with a shape error', (p) => p.diagnostics.length > 0);
    fx.check.shapeDiagnostic(published);
    assert.equal(published.version, 1);
  });

  await t.test('non-ASCII text: diagnostic ranges, edits and definitions count UTF-16 units', async () => {
    lsp.notify('textDocument/didOpen', { textDocument: { uri: uniUri, languageId: 'mlir', version: 1, text: fx.UNI_BAD } });
    const published = await lsp.diagnostics(uniUri, 'diagnostics of the non-ASCII IR', (p) => p.diagnostics.length > 0);
    fx.check.uniDiagnostic(published);
    lsp.notify('textDocument/didChange', { textDocument: { uri: uniUri, version: 2 }, contentChanges: [uni.fix] });
    const fixed = await lsp.diagnostics(uniUri, 'diagnostics after the non-ASCII fix', (p) => p.version === 2);
    assert.deepEqual(fixed.diagnostics, [], `the edit was applied at the UTF-16 range: ${show(fixed)}`);
    const def = await lsp.request('textDocument/definition', { textDocument: { uri: uniUri }, position: uni.useOfX });
    fx.check.definition(def, uniUri, uni.defOfX, '%x');
  });

  await t.test('a recipe with a misspelt pass: "did you mean", at the pass name', async () => {
    lsp.notify('textDocument/didOpen', { textDocument: { uri: recipeUri, languageId: 'jsonc', version: 1, text: fx.RECIPE_BAD } });
    const published = await lsp.diagnostics(recipeUri, 'diagnostics of the recipe', (p) => p.diagnostics.length > 0);
    assert.equal(published.version, 1);
    const d = published.diagnostics.find((x) => /did you mean/i.test(x.message));
    assert.ok(d, `a "did you mean" diagnostic: ${show(published)}`);
    assert.match(d.message, /openopt-fold-batchnrom/);
    assert.match(d.message, /openopt-fold-batchnorm/);
    assert.equal(d.severity, 1);
    // The string `"openopt-fold-batchnrom"`, with or without its quotes.
    const want = recipe.badRange;
    assert.equal(d.range.start.line, want.start.line, `on the pass's line: ${show(d)}`);
    assert.equal(d.range.end.line, want.start.line, `on the pass's line: ${show(d)}`);
    assert.ok([want.start.character, want.start.character + 1].includes(d.range.start.character), `starts at the name: ${show(d)}`);
    assert.ok([want.end.character, want.end.character - 1].includes(d.range.end.character), `ends at the name: ${show(d)}`);
  });

  await t.test('completion inside the passes array lists pass names', async () => {
    const line = recipe.insertLine;
    lsp.notify('textDocument/didChange', {
      textDocument: { uri: recipeUri, version: 2 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `${recipe.emptyItem}\n` }],
    });
    const position = { line, character: recipe.emptyItem.indexOf('"') + 1 };
    const result = await lsp.request('textDocument/completion', {
      textDocument: { uri: recipeUri }, position, context: { triggerKind: 2, triggerCharacter: '"' },
    });
    const labels = fx.bareLabels(result);
    for (const name of recipe.passNames) assert.ok(labels.includes(name), `${name} among ${show(labels)}`);
  });

  await t.test('openopt.previewPipeline on the fixed recipe returns its passes', async () => {
    const line = recipe.insertLine;
    lsp.notify('textDocument/didChange', {
      textDocument: { uri: recipeUri, version: 3 },
      contentChanges: [
        { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' },
        recipe.fix,
      ],
    });
    const published = await lsp.diagnostics(recipeUri, 'diagnostics of the fixed recipe', (p) => p.version === 3);
    assert.deepEqual(published.diagnostics, [], `the fixed recipe is clean: ${show(published)}`);
    const result = await lsp.request('workspace/executeCommand', { command: 'openopt.previewPipeline', arguments: [{ uri: recipeUri }] });
    assert.ok(result && Array.isArray(result.passes), `an object with passes: ${show(result)}`);
    assert.ok(result.passes.length > 0 && result.passes.every((p) => typeof p === 'string' && p.length > 0), `passes are names: ${show(result)}`);
    for (const name of ['canonicalize', 'openopt-fold-batchnorm', 'cse']) {
      assert.ok(result.passes.some((p) => p.includes(name)), `${name} in ${show(result.passes)}`);
    }
    assert.ok(!result.passes.some((p) => p.includes('batchnrom')), 'the open text counts, not an older one');
  });

  await t.test('shutdown answers null; exit ends the session; the daemon stays healthy', async () => {
    for (const uri of [denseUri, shapeUri, uniUri, recipeUri]) lsp.notify('textDocument/didClose', { textDocument: { uri } });
    assert.equal(await lsp.shutdown(), null);
    const closed = await within(lsp.closed, 'the daemon closing the WebSocket after exit', 5000);
    assert.ok([1000, 1001, 1005].includes(closed.code), `a normal close: ${show(closed)}`);
    const health = await daemon.get('/healthz');
    assert.equal(health.status, 200);
    assert.ok(await daemon.healthy(), 'healthz says ok');
    assert.equal(daemon.proc.exitCode, null, 'openoptd still runs');
  });

  await t.test('a second session (Bearer header) works; an abrupt disconnect leaves the daemon healthy', async () => {
    const second = await lspSession(url, { Authorization: `Bearer ${daemon.token}` });
    try {
      const { capabilities } = await second.initialize();
      assert.ok(capabilities.hoverProvider);
      // A new session has none of the first one's documents: open one and hover.
      second.notify('textDocument/didOpen', { textDocument: { uri: denseUri, languageId: 'mlir', version: 7, text: fx.DENSE_OK } });
      const published = await second.diagnostics(denseUri, 'diagnostics in the second session', (p) => p.version === 7);
      assert.deepEqual(published.diagnostics, []);
      fx.check.matmulHover(await second.request('textDocument/hover', { textDocument: { uri: denseUri }, position: ir.hoverMatmul }));
    } finally {
      second.dispose(); // no shutdown, no exit: the client just goes away
    }
    await new Promise((r) => setTimeout(r, 300));
    const health = await daemon.get('/healthz');
    assert.equal(health.status, 200);
    assert.equal(daemon.proc.exitCode, null, `openoptd still runs:\n${daemon.stderr().slice(-2000)}`);
  });
});
