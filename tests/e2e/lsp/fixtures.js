// Shared texts and helpers for the language-server end-to-end tests
// (nvim.test.js: Neovim's built-in client over stdio; ws_client.test.js:
// vscode-ws-jsonrpc against openoptd's WS /lsp).
//
// Positions are LSP positions (0-based line, UTF-16 character; the texts are
// ASCII) and are computed from the texts, so a fixture edit moves them along.
// What `openopt-opt` says about the texts is pinned in checkFixturesWithCli().
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../../..');
const buildDir = process.env.OPENOPT_BUILD_DIR || path.join(repo, 'build');
const bin = (name) => path.join(buildDir, 'bin', name);

/** How long any one answer from the server may take. */
const ANSWER_MS = Number(process.env.OPENOPT_LSP_TEST_TIMEOUT_MS || 20000);

// ---------------------------------------------------------------- IR texts

/** A small, valid dense layer in the nn dialect. */
const DENSE_OK = [
  '// A small dense layer: matmul, bias add, relu.',
  'func.func @dense(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {',
  '  %mm = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>',
  '  %sum = nn.add %mm, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>',
  '  %act = nn.relu %sum : tensor<4x16xf32>',
  '  return %act : tensor<4x16xf32>',
  '}',
  '',
].join('\n');

/** Parse error: %nope is never defined. openopt-opt: 5:18 "use of undeclared SSA value name". */
const DENSE_UNDEF = DENSE_OK.replace('nn.relu %sum', 'nn.relu %nope');

/**
 * Shape-inference (verifier) error: B has 9 rows but A 8 columns.
 * openopt-opt: 3:9 (at `nn.matmul`) "MatMul: A has 8 columns but B has 9 rows".
 */
const DENSE_SHAPE = DENSE_OK
  .replace('%w: tensor<8x16xf32>', '%w: tensor<9x16xf32>')
  .replace('(tensor<4x8xf32>, tensor<8x16xf32>)', '(tensor<4x8xf32>, tensor<9x16xf32>)');

/**
 * Non-ASCII before the positions that matter: LSP characters are UTF-16 code
 * units, MLIR's columns bytes (π: 2 bytes, 1 unit; 🙂: 4 bytes, 2 units).
 * UNI_BAD declares %b twice. openopt-opt: 2:90 (bytes) "region entry argument '%b' is already in use".
 */
const UNI_OK = DENSE_OK.replace('@dense(', '@"dense_π🙂"(');
const UNI_BAD = UNI_OK.replace('%b: tensor<16xf32>)', '%b: tensor<16xf32>, %b: tensor<1xf32>)');

// ------------------------------------------------------------ recipe texts

/** A recipe with a misspelt pass (openopt recipe check: 9:7 ... did you mean 'openopt-fold-batchnorm'?). */
const RECIPE_BAD = [
  '// A recipe for the language-server tests, with a misspelt pass.',
  '{',
  '  "$schema": "../schemas/recipe.schema.json",',
  '  "name": "lsp-test",',
  '  "target": { "kind": "cpu" },',
  '  "graph": {',
  '    "passes": [',
  '      "canonicalize",',
  '      "openopt-fold-batchnrom",',
  '      "cse"',
  '    ]',
  '  }',
  '}',
  '',
].join('\n');
const RECIPE_OK = RECIPE_BAD.replace('batchnrom', 'batchnorm');

// ------------------------------------------------------------- positions

function lines(text) { return text.split('\n'); }

/** Position of the `occurrence`-th (0-based) `needle` in `text`, plus `delta` characters. */
function posOf(text, needle, { occurrence = 0, delta = 0 } = {}) {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`fixture: ${JSON.stringify(needle)} #${occurrence} not found`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length + delta };
}

/** Range of the `occurrence`-th `needle` in `text`. */
function rangeOf(text, needle, opts = {}) {
  const start = posOf(text, needle, opts);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

/** Position on the line of `needle` (first occurrence) inside the occurrence of `token` on that line. */
function posIn(text, lineNeedle, token, delta = 1) {
  const p = posOf(text, lineNeedle);
  const col = lines(text)[p.line].indexOf(token, p.character);
  if (col < 0) throw new Error(`fixture: ${token} not on the line of ${lineNeedle}`);
  return { line: p.line, character: col + delta };
}

/** Everything the tests need to know about the IR texts, derived from them. */
const ir = {
  // The undefined value, exactly where the parser reports it.
  undefRange: rangeOf(DENSE_UNDEF, '%nope'),
  undefMessage: /undeclared SSA value/i,
  // The edit that turns DENSE_UNDEF into DENSE_OK.
  fix: { range: rangeOf(DENSE_UNDEF, '%nope'), text: '%sum' },
  // The shape error is reported at the op (its name token).
  shapeOpRange: rangeOf(DENSE_SHAPE, 'nn.matmul'),
  shapeMessage: /8 columns but B has 9 rows/,
  // Hover inside `nn.matmul`.
  hoverMatmul: posOf(DENSE_OK, 'nn.matmul', { delta: 4 }),
  matmulSummary: 'ONNX MatMul: matrix product with numpy semantics',
  // The use of %mm in the nn.add line, and %mm's definition.
  useOfMm: posIn(DENSE_OK, '%sum = nn.add', '%mm', 1),
  defOfMm: rangeOf(DENSE_OK, '%mm'),
  // The use of the block argument %x in the matmul line, and its definition.
  useOfX: posIn(DENSE_OK, '%mm = nn.matmul', '%x', 1),
  defOfX: rangeOf(DENSE_OK, '%x'),
  // Completion lines inserted before `return`.
  insertLine: posOf(DENSE_OK, '  return').line,
  ssaLine: '  %t = nn.relu %',
  ssaInScope: ['x', 'w', 'b', 'mm', 'sum', 'act'],
  opLine: '  %t = ',
  opNames: ['nn.relu', 'nn.matmul'],
  dialectLine: '  %t = nn.',
};

const uni = {
  dupRange: rangeOf(UNI_BAD, '%b', { occurrence: 1 }),
  dupMessage: /already in use/,
  // The edit that turns UNI_BAD into UNI_OK (a range after the non-ASCII).
  fix: { range: rangeOf(UNI_BAD, ', %b: tensor<1xf32>'), text: '' },
  useOfX: posIn(UNI_OK, '%mm = nn.matmul', '%x', 1),
  defOfX: rangeOf(UNI_OK, '%x'),
};
/** The byte column of an LSP position in `text` (what Neovim's vim.diagnostic reports). */
function byteCol(text, pos) { return Buffer.byteLength(lines(text)[pos.line].slice(0, pos.character)); }

const recipe = {
  badRange: rangeOf(RECIPE_BAD, '"openopt-fold-batchnrom"'),
  // The edit that fixes the misspelling.
  fix: { range: rangeOf(RECIPE_BAD, 'batchnrom'), text: 'batchnorm' },
  // An empty string element inserted before "cse": completion inside its quotes.
  insertLine: posOf(RECIPE_BAD, '      "cse"').line,
  emptyItem: '      "",',
  passNames: ['canonicalize', 'cse', 'openopt-fold-batchnorm', 'openopt-fuse-ops', 'openopt-dce'],
};

// -------------------------------------------------- reading LSP results

/** The text of a Hover's contents (MarkupContent, MarkedString or an array of them). */
function hoverText(hover) {
  if (!hover || !hover.contents) return '';
  const one = (c) => (typeof c === 'string' ? c : c && typeof c.value === 'string' ? c.value : '');
  return Array.isArray(hover.contents) ? hover.contents.map(one).join('\n') : one(hover.contents);
}

/** The items of a completion result (CompletionItem[] or CompletionList). */
function completionItems(result) {
  if (!result) return [];
  return Array.isArray(result) ? result : result.items || [];
}

/** The strings a completion item would put in the document, or show. */
function itemTexts(item) {
  const edit = item.textEdit && (item.textEdit.newText ?? '');
  return [item.label, item.insertText, item.filterText, edit].filter((s) => typeof s === 'string');
}

/** Labels without a leading '%' or surrounding quotes (clients differ in what they show). */
function bareLabels(result) {
  return completionItems(result).map((i) => String(i.label).replace(/^%/, '').replace(/^"(.*)"$/, '$1'));
}

/** Location | Location[] | LocationLink[] as [{uri, range}] (the LocationLink's targetSelectionRange). */
function locations(result) {
  if (!result) return [];
  const list = Array.isArray(result) ? result : [result];
  return list.map((l) => (l.targetUri ? { uri: l.targetUri, range: l.targetSelectionRange || l.targetRange } : l));
}

/** A short printable form of a value for assertion messages. */
function show(value, max = 4000) {
  const s = JSON.stringify(value, null, 1);
  return s && s.length > max ? s.slice(0, max) + '...' : s;
}

// ----------------------------------------------- checks of the environment

/**
 * Whether this build's `openopt` has the `lsp` subcommand. (An unknown
 * subcommand also exits 0 today, after printing "Unknown subcommand", so
 * the exit status alone does not tell.)
 */
function lspSubcommand() {
  const r = spawnSync(bin('openopt'), ['lsp', '--help'], { encoding: 'utf8', timeout: 20000 });
  const ok = r.status === 0 && !/Unknown subcommand/i.test(r.stderr || '') && !/Unknown subcommand/i.test(r.stdout || '');
  return { ok, why: ok ? '' : `\`${bin('openopt')} lsp --help\` -> status ${r.status}: ${(r.stderr || String(r.error || '')).trim().slice(0, 400)}` };
}

/**
 * Pins what the tests assume about the texts against openopt-opt and
 * `openopt recipe check`: the valid ones pass, the broken ones fail at the
 * places the tests expect. Throws with the tool's output otherwise.
 */
function checkFixturesWithCli(tmpDir) {
  const run = (args, file, text) => {
    const p = path.join(tmpDir, file);
    fs.writeFileSync(p, text);
    return spawnSync(args[0], [...args.slice(1), p], { encoding: 'utf8', timeout: 60000 });
  };
  const opt = bin('openopt-opt');
  const ok = run([opt], 'dense.mlir', DENSE_OK);
  if (ok.status !== 0) throw new Error(`DENSE_OK does not parse:\n${ok.stderr}`);
  const at = (r) => `${r.start.line + 1}:${r.start.character + 1}`;
  const undef = run([opt], 'undef.mlir', DENSE_UNDEF);
  if (undef.status === 0 || !undef.stderr.includes(`undef.mlir:${at(ir.undefRange)}: error: use of undeclared SSA value name`)) {
    throw new Error(`DENSE_UNDEF: expected an error at ${at(ir.undefRange)}:\n${undef.stderr}`);
  }
  const shape = run([opt], 'shape.mlir', DENSE_SHAPE);
  if (shape.status === 0 || !shape.stderr.includes(`shape.mlir:${at(ir.shapeOpRange)}: error: MatMul: A has 8 columns but B has 9 rows`)) {
    throw new Error(`DENSE_SHAPE: expected an error at ${at(ir.shapeOpRange)}:\n${shape.stderr}`);
  }
  const uniOk = run([opt], 'uni.mlir', UNI_OK);
  if (uniOk.status !== 0) throw new Error(`UNI_OK does not parse:\n${uniOk.stderr}`);
  const uniBad = run([opt], 'unibad.mlir', UNI_BAD);
  const byteAt = `${uni.dupRange.start.line + 1}:${byteCol(UNI_BAD, uni.dupRange.start) + 1}`;
  if (uniBad.status === 0 || !uniBad.stderr.includes(`unibad.mlir:${byteAt}: error: region entry argument '%b' is already in use`)) {
    throw new Error(`UNI_BAD: expected an error at ${byteAt}:\n${uniBad.stderr}`);
  }
  const cli = bin('openopt');
  const good = run([cli, 'recipe', 'check'], 'good.recipe.json', RECIPE_OK);
  if (good.status !== 0) throw new Error(`RECIPE_OK does not check:\n${good.stdout}${good.stderr}`);
  const bad = run([cli, 'recipe', 'check'], 'bad.recipe.json', RECIPE_BAD);
  const want = `bad.recipe.json:${at(recipe.badRange)}: error: /graph/passes/1: unknown pass 'openopt-fold-batchnrom'; did you mean 'openopt-fold-batchnorm'?`;
  if (bad.status === 0 || !bad.stderr.includes(want)) throw new Error(`RECIPE_BAD: expected\n${want}\ngot:\n${bad.stderr}`);
}

/** Rejects with `what` if `promise` does not settle within `ms`. */
function within(promise, what, ms = ANSWER_MS) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer from the server within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

module.exports = {
  repo, buildDir, bin, ANSWER_MS,
  DENSE_OK, DENSE_UNDEF, DENSE_SHAPE, UNI_OK, UNI_BAD, RECIPE_BAD, RECIPE_OK,
  ir, uni, recipe, lines, posOf, rangeOf, byteCol,
  hoverText, completionItems, itemTexts, bareLabels, locations, show,
  lspSubcommand, checkFixturesWithCli, within,
};

// ------------------------------------------- checks both clients share
const assert = require('node:assert/strict');

const check = {
  /** The publishDiagnostics of DENSE_UNDEF: exactly one error, exactly at %nope. */
  undefDiagnostic(published) {
    const errors = published.diagnostics.filter((d) => d.severity === 1);
    assert.equal(errors.length, 1, `one error diagnostic: ${show(published)}`);
    const [e] = errors;
    assert.deepEqual(e.range, ir.undefRange, `the range of %nope (line ${ir.undefRange.start.line}, characters ${ir.undefRange.start.character}-${ir.undefRange.end.character}): ${show(e)}`);
    assert.match(e.message, ir.undefMessage);
  },
  /** The publishDiagnostics of DENSE_SHAPE: the shape error, starting at `nn.matmul`, covering it. */
  shapeDiagnostic(published) {
    const e = published.diagnostics.find((d) => d.severity === 1 && ir.shapeMessage.test(d.message));
    assert.ok(e, `a shape error matching ${ir.shapeMessage}: ${show(published)}`);
    assert.deepEqual(e.range.start, ir.shapeOpRange.start, `starts at nn.matmul: ${show(e)}`);
    assert.equal(e.range.end.line, ir.shapeOpRange.start.line, `ends on the op's line: ${show(e)}`);
    assert.ok(e.range.end.character >= ir.shapeOpRange.end.character, `covers nn.matmul: ${show(e)}`);
  },
  /** The publishDiagnostics of UNI_BAD: one error at the second %b, in UTF-16 units. */
  uniDiagnostic(published) {
    const errors = published.diagnostics.filter((d) => d.severity === 1);
    assert.equal(errors.length, 1, `one error diagnostic: ${show(published)}`);
    assert.deepEqual(errors[0].range, uni.dupRange, `the second %b in UTF-16 units (byte columns would be ${byteCol(UNI_BAD, uni.dupRange.start)}-${byteCol(UNI_BAD, uni.dupRange.end)}): ${show(errors[0])}`);
    assert.match(errors[0].message, uni.dupMessage);
  },
  /** Hover on nn.matmul in DENSE_OK. */
  matmulHover(hover) {
    const text = hoverText(hover);
    assert.ok(text.includes('nn.matmul'), `hover names the op: ${show(hover)}`);
    assert.ok(text.includes(ir.matmulSummary), `hover has the ODS summary "${ir.matmulSummary}": ${show(hover)}`);
    assert.ok(text.includes('tensor<4x16xf32>'), `hover has the result type: ${show(hover)}`);
    assert.match(text, /FLOP/i, `hover has the FLOPs: ${show(hover)}`);
    assert.match(text, /bytes/i, `hover has the bytes: ${show(hover)}`);
    assert.match(text, /intensity/i, `hover has the arithmetic intensity: ${show(hover)}`);
  },
  /** A definition result: one location in `uri` starting at `want.start`. */
  definition(result, uri, want, name) {
    const locs = locations(result);
    assert.equal(locs.length, 1, `one location for ${name}: ${show(result)}`);
    assert.equal(locs[0].uri, uri, `in the same document: ${show(result)}`);
    assert.deepEqual(locs[0].range.start, want.start, `definition of ${name} at ${show(want.start)}: ${show(result)}`);
    assert.equal(locs[0].range.end.line, want.start.line, `one-line range: ${show(result)}`);
  },
  ssaCompletion(result) {
    const labels = bareLabels(result);
    for (const name of ir.ssaInScope) assert.ok(labels.includes(name), `%${name} among ${show(labels)}`);
  },
  opCompletion(result, names = ir.opNames) {
    const labels = bareLabels(result);
    for (const name of names) assert.ok(labels.includes(name), `${name} among ${show(labels.slice(0, 300))}`);
  },
  dialectCompletion(result) {
    const items = completionItems(result);
    const relu = items.find((i) => itemTexts(i).some((s) => s === 'relu' || s === 'nn.relu'));
    assert.ok(relu, `relu among ${show(items.map((i) => i.label).slice(0, 300))}`);
  },
};

module.exports.check = check;
