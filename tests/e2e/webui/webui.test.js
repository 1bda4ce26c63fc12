// The browser app against the real daemon: Debian's chromium (headless, via
// playwright-core) drives what a user does: upload, graph, compile, pass
// diffs linked to the graph, the IR editor with the language server, run and
// profile with the heat overlay, and a daemon restart. Any console error fails.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDaemon, benchModels } = require('../daemon/daemon.js');
const { launch, watchConsole, artefactDir } = require('./browser.js');

const tiny = path.join(benchModels, 'tiny_conv_mm.onnx');
const resnet = path.join(benchModels, 'resnet18w48.onnx');

async function shot(page, name) {
  await page.screenshot({ path: path.join(artefactDir(), `${name}.png`) });
}

/** Page coordinates of a text in a Monaco editor (after revealing its line and letting it render). */
async function editorPoint(page, which, needle) {
  const pick = (which) => {
    const app = window.openopt;
    return which === 'editor' ? app.editor.handle.editor : app.passes.diff.editor.getModifiedEditor();
  };
  const line = await page.evaluate(({ which, needle, pickSource }) => {
    const ed = eval(pickSource)(which);
    const match = ed.getModel().findMatches(needle, false, false, true, null, false, 1)[0];
    if (!match) return null;
    ed.revealLineInCenter(match.range.startLineNumber, 1);
    return { line: match.range.startLineNumber, column: match.range.startColumn };
  }, { which, needle, pickSource: pick.toString() });
  if (!line) return null;
  await page.waitForTimeout(300);
  return page.evaluate(({ which, line, pickSource }) => {
    const ed = eval(pickSource)(which);
    const pos = ed.getScrolledVisiblePosition({ lineNumber: line.line, column: line.column + 1 });
    const box = ed.getDomNode().getBoundingClientRect();
    return { x: box.left + pos.left + 2, y: box.top + pos.top + pos.height / 2, line: line.line };
  }, { which, line, pickSource: pick.toString() });
}

test('the web UI against the real openoptd', { timeout: 600_000 }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-webui-'));
  let daemon = await startDaemon({ dataDir });
  const port = daemon.port;
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  const consoleWatch = watchConsole(page);

  await t.test('the token from the printed address is kept and dropped from the address bar', async () => {
    await page.goto(`${daemon.http}/?token=${daemon.token}`);
    await page.waitForSelector('body[data-ready=true]');
    assert.ok(!page.url().includes('token='), page.url());
    assert.equal(await page.getAttribute('.connection', 'data-state'), 'open');
  });

  await t.test('upload tiny_conv_mm.onnx: the graph shows its nodes', async () => {
    await page.setInputFiles('#model-file', tiny);
    await page.waitForSelector('.model-list [role=option][aria-selected=true] >> text=tiny_conv_mm.onnx');
    const graph = page.locator('#panel-graph .graph-view');
    await graph.and(page.locator('[data-drawn]')).waitFor();
    // input, conv, relu, flatten, matmul, add, output
    assert.equal(await graph.getAttribute('data-drawn'), '7');
    const drawn = await page.evaluate(() => window.openopt.graph.canvas.lastDrawn.nodes);
    assert.equal(drawn, 7, 'all seven nodes are in view after fit');
    // Click the conv node: the side panel names it.
    const point = await page.evaluate(() => {
      const c = window.openopt.graph.canvas;
      const id = [...window.openopt.graph.graphIndex.byId.values()].find((n) => n.op === 'nn.conv').id;
      const p = c.screenPoint(id);
      const r = c.canvas.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    });
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('.node-panel h3');
    const panel = await page.textContent('#panel-graph .node-panel');
    assert.match(panel, /nn\.conv/);
    assert.match(panel, /1×4×8×8 f32/);
    assert.match(panel, /FLOPs/);
    await shot(page, '1-graph-tiny');
  });

  await t.test('search by op finds the node', async () => {
    await page.fill('#panel-graph .graph-search', 'matmul');
    const option = page.locator('#panel-graph .search-results [role=option]');
    await option.first().waitFor();
    assert.equal(await option.count(), 1);
    await page.fill('#panel-graph .graph-search', '');
  });

  await t.test('compile a resnet-style model: the timeline lists passes and the BN fold and bias fusion diffs show', async () => {
    await page.setInputFiles('#model-file', resnet);
    await page.waitForSelector('.model-list [role=option][aria-selected=true] >> text=resnet18w48.onnx');
    await page.locator('#panel-graph .graph-view[data-drawn]').waitFor();
    await page.click('#panel-graph button:has-text("Compile (default recipe)")');
    await page.waitForSelector('#panel-passes:not([hidden]) .passes[data-pass]', { timeout: 180_000 });
    const names = await page.$$eval('.pass-list [role=option] .pass-name', (els) => els.map((e) => e.textContent));
    assert.ok(names.length > 20, `${names.length} passes listed`);
    for (const p of ['openopt-fold-batchnorm', 'openopt-fuse-ops', 'openopt-convert-nn-to-linalg']) assert.ok(names.includes(p), p);

    // The fold: pick it, the header says what changed, the diff removes nn.batch_norm.
    await page.click('.pass-list [role=option]:has-text("openopt-fold-batchnorm")');
    await page.waitForFunction(() => document.querySelector('.pass-header').textContent.includes('openopt-fold-batchnorm'));
    await page.waitForFunction(() => window.openopt.passes.diff && window.openopt.passes.diff.editor.getLineChanges()?.length > 0);
    const fold = await page.evaluate(() => {
      const d = window.openopt.passes.diff.editor;
      return { before: d.getOriginalEditor().getValue(), after: d.getModifiedEditor().getValue(), changes: d.getLineChanges().length };
    });
    assert.equal((fold.before.match(/nn\.batch_norm/g) || []).length, 20);
    assert.equal((fold.after.match(/nn\.batch_norm/g) || []).length, 0);
    assert.ok(fold.changes > 0);
    assert.match(await page.textContent('.pass-header'), /changed the IR/);
    await page.waitForSelector('.passes .graph-view[data-drawn]');
    await shot(page, '2-pass-fold-batchnorm');

    // Arrow keys step through the (changed-only) passes.
    await page.check('#passes-changed');
    await page.focus('.pass-list');
    const before = await page.getAttribute('.passes', 'data-pass');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((b) => document.querySelector('.passes').dataset.pass !== b, before);

    // The fusion: bias and ReLU join the convolutions in nn.fused groups.
    await page.click('.pass-list [role=option]:has-text("openopt-fuse-ops")');
    await page.waitForFunction(() => document.querySelector('.pass-header').textContent.includes('openopt-fuse-ops'));
    await page.waitForFunction(() => /nn\.fused "epilogue"/.test(window.openopt.passes.diff.editor.getModifiedEditor().getValue()));
    await page.waitForFunction(() => document.querySelector('.passes .graph-view .graph-title').textContent.includes('openopt-fuse-ops'));
    await page.locator('.passes .graph-view[data-drawn]').waitFor();
    await shot(page, '3-pass-fuse-ops');
  });

  await t.test('an op picked in the diff is highlighted in the graph, and a graph node highlights its lines', async () => {
    const point = await editorPoint(page, 'diff', 'nn.fused "epilogue"');
    assert.ok(point, 'a fused group in the diff');
    await page.mouse.click(point.x, point.y);
    await page.waitForFunction(() => document.querySelector('.passes').dataset.linkedNode);
    const linked = await page.evaluate(() => ({
      node: document.querySelector('.passes').dataset.linkedNode,
      selected: window.openopt.passes.graph.canvas.selection,
    }));
    assert.match(linked.node, /Conv/);
    assert.equal(linked.selected, linked.node);
    // And back: the selection marks the group's lines on the modified side.
    await page.waitForFunction(() => (document.querySelector('.passes').dataset.linkedLines || '').split('|')[1]);
    const lines = (await page.getAttribute('.passes', 'data-linked-lines')).split('|')[1].split(',').map(Number);
    assert.ok(lines.includes(point.line), `line ${point.line} in ${lines}`);
    await shot(page, '4-diff-graph-link');
  });

  await t.test('IR editor: hover shows the op documentation; a typed error gets a diagnostic marker', async () => {
    await page.click('[role=tab]:has-text("IR editor")');
    await page.waitForFunction(() => window.openopt.editor.handle && /nn\.conv/.test(window.openopt.editor.handle.getText()), null, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('.editor-panel').dataset.lsp === 'connected', null, { timeout: 30_000 });
    const conv = await editorPoint(page, 'editor', 'nn.conv');
    // The first analysis of the whole model may still run: keep pointing until the hover comes.
    const hoverText = async () => page.evaluate(() => [...document.querySelectorAll('.monaco-hover:not(.hidden)')].map((e) => e.textContent).join('\n'));
    const deadline = Date.now() + 60_000;
    let shown = '';
    while (!/FLOPs/.test(shown) && Date.now() < deadline) {
      await page.mouse.move(conv.x, conv.y);
      await page.mouse.move(conv.x + 3, conv.y);
      await page.waitForTimeout(1500);
      shown = await hoverText();
    }
    const hoverText2 = shown;
    assert.match(hoverText2, /nn\.conv/);
    assert.match(hoverText2, /convolution/i);
    assert.match(hoverText2, /FLOPs/);
    await shot(page, '5-editor-hover');
    await page.mouse.move(5, 5);

    // Type an error: a use of a value that does not exist.
    await page.evaluate(() => {
      const ed = window.openopt.editor.handle.editor;
      const line = ed.getModel().findMatches('return', false, false, true, null, false, 1)[0].range.startLineNumber;
      ed.focus();
      ed.setPosition({ lineNumber: line, column: 1 });
    });
    await page.keyboard.type('%oops = nn.relu %does_not_exist : tensor<1x4xf32>');
    await page.keyboard.press('Escape'); // no completion accepted by the Enter below
    await page.keyboard.press('Enter');
    await page.waitForSelector('.editor-host .squiggly-error', { timeout: 30_000 });
    const { markers, typedLine, text } = await page.evaluate(() => {
      const h = window.openopt.editor.handle;
      const model = h.editor.getModel();
      const line = model.findMatches('%oops', false, false, true, null, false, 1)[0]?.range.startLineNumber;
      return { markers: h.markers(), typedLine: line, text: line ? model.getLineContent(line) : '' };
    });
    assert.ok(typedLine, 'the typed line is in the document');
    assert.ok(markers.some((m) => m.severity === 8 && m.startLineNumber === typedLine), `${JSON.stringify(markers)} for line ${typedLine}: ${text}`);
    await shot(page, '6-editor-diagnostic');
  });

  await t.test('run: the latency chart and the per-op table fill, and the heat overlay appears', async () => {
    await page.click('[role=tab]:has-text("Run & profile")');
    await page.fill('#run-iterations', '5');
    await page.click('button:has-text("Run and profile")');
    await page.waitForSelector('.profile-table tbody tr', { timeout: 180_000 });
    const rows = await page.$$eval('.profile-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    assert.ok(rows.length >= 20, `${rows.length} rows`);
    assert.equal(await page.getAttribute('.runs', 'data-samples'), '5');
    // Sorting by name puts the rows in name order.
    await page.click('.profile-table th[data-key=name] button');
    const sortedNames = await page.$$eval('.profile-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(sortedNames, [...sortedNames].sort((a, b) => a.localeCompare(b)));
    await shot(page, '7-run-profile');
    // Exports: the Chrome trace opens in Perfetto (trace-event JSON), the table as CSV.
    const download = async (label) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(`button:has-text("${label}")`)]);
      return fs.readFileSync(await file.path(), 'utf8');
    };
    const trace = JSON.parse(await download('Chrome trace (Perfetto)'));
    const events = Array.isArray(trace) ? trace : trace.traceEvents;
    assert.ok(events.filter((e) => e.ph === 'X' && e.cat === 'op').length >= rows.length * 5, 'every op, every timed run');
    const csv = (await download('Table CSV')).trim().split('\n');
    assert.equal(csv[0], 'id,name,op,calls,totalMs,meanMs,minMs,maxMs,percent,flops,gflopsPerSecond');
    assert.equal(csv.length - 1, rows.length);
    const latency = (await download('Latency CSV')).trim().split('\n');
    assert.equal(latency.length, 6, 'header and five runs');
    await page.click('[role=tab]:has-text("Graph")');
    await page.waitForFunction(() => Number(document.querySelector('#panel-graph .graph-view').dataset.heat) > 0);
    const heat = await page.evaluate(() => {
      const g = window.openopt.graph;
      const ids = [...g.canvas['heat'].keys()];
      return { ids: ids.length, drawn: ids.filter((id) => g.canvas.hasNode(id)).length };
    });
    assert.ok(heat.ids >= 20 && heat.drawn === heat.ids, JSON.stringify(heat));
    assert.ok(await page.isVisible('#panel-graph .heat-legend'));
    await shot(page, '8-heat-overlay');
  });

  await t.test('the page survives a daemon restart and resynchronises', async () => {
    consoleWatch.state.expectRefused = true;
    await daemon.stop();
    await page.waitForSelector('.connection[data-state=closed], .connection[data-state=connecting]');
    daemon = await startDaemon({ dataDir, args: ['--port', String(port)] });
    await page.waitForSelector('.connection[data-state=open]', { timeout: 30_000 });
    await page.waitForFunction(() => Number(document.querySelector('.app').dataset.resynced) >= 1);
    consoleWatch.state.expectRefused = false;
    const names = await page.$$eval('.model-list .model-name', (els) => els.map((e) => e.textContent));
    assert.deepEqual(names.sort(), ['resnet18w48.onnx', 'tiny_conv_mm.onnx']);
    // The app works again: picking the tiny model draws its graph.
    await page.click('.model-list [role=option]:has-text("tiny_conv_mm.onnx")');
    await page.waitForFunction(() => document.querySelector('#panel-graph .graph-view').dataset.drawn === '7');
    await shot(page, '9-after-restart');
  });

  await t.test('no console errors during the run', () => {
    assert.deepEqual(consoleWatch.errors, []);
  });
});
