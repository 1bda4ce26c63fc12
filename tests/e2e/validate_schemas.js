#!/usr/bin/env node
// validate_schemas.js - the JSON Schemas in schemas/ against what the compiler really writes.
//   node tests/e2e/validate_schemas.js --openopt build/bin/openopt [--models DIR]
// Validates (Ajv, draft 2020-12, strict): every recipe under recipes/ and tests/lit/Recipe/valid*,
// graphs printed by `openopt graph` (imported and after the default recipe, where resnet18w48 has
// nested fused groups), the pass records of `openopt compile --record` and `openopt opt --record`,
// and the profiles and traces of `openopt profile --json --trace`.
// Also checks that the recipe schema's pass options match the live pass registry
// (`openopt recipe passes`), and that documents broken on purpose are rejected.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const Ajv2020 = require('ajv/dist/2020').default;
const jsonc = require('jsonc-parser');

const REPO = path.resolve(__dirname, '..', '..');
const args = { openopt: path.join(REPO, 'build', 'bin', 'openopt'),
               models: process.env.BENCH_MODELS || path.join(REPO, '..', 'shared', 'bench', 'models') };
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i];
  if (k === '--openopt') args.openopt = process.argv[++i];
  else if (k === '--models') args.models = process.argv[++i];
  else { console.error(`unknown argument '${k}'`); process.exit(2); }
}

let failures = 0, passes = 0;
function check(name, ok, detail) {
  if (ok) { passes++; console.log(`ok   ${name}`); }
  else { failures++; console.log(`FAIL ${name}${detail ? `\n     ${detail}` : ''}`); }
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addKeyword({ keyword: 'enumDescriptions', schemaType: 'array' }); // VS Code's completion docs
const schema = (name) => ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', name), 'utf8')));
const validateRecipe = schema('recipe.schema.json');
const validateGraph = schema('graph.schema.json');
const validateRecord = schema('pass-record.schema.json');
const validateProfile = schema('profile.schema.json');
const validateTrace = ajv.getSchema('https://openoptimizer.dev/schemas/profile.schema.json#/$defs/trace');
const explain = (v) => ajv.errorsText(v.errors, { separator: '\n     ' });

function readJsonc(file) {
  const errors = [];
  const value = jsonc.parse(fs.readFileSync(file, 'utf8'), errors, { allowTrailingComma: true });
  if (errors.length) throw new Error(`${file}: JSONC parse error ${jsonc.printParseErrorCode(errors[0].error)}`);
  return value;
}

function openopt(argv) {
  const r = spawnSync(args.openopt, argv, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`openopt ${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// 1. Recipes.
const recipeFiles = [path.join(REPO, 'recipes', 'default.recipe.json'),
  ...fs.readdirSync(path.join(REPO, 'recipes', 'examples')).map((f) => path.join(REPO, 'recipes', 'examples', f)),
  path.join(REPO, 'tests', 'lit', 'Recipe', 'valid.recipe.json')];
for (const file of recipeFiles)
  check(`recipe schema accepts ${path.relative(REPO, file)}`, validateRecipe(readJsonc(file)), explain(validateRecipe));
const broken = {
  'no target': { graph: { passes: [] } },
  'unknown target kind': { target: { kind: 'tpu' } },
  'option of the wrong type': { target: { kind: 'cpu' }, graph: { passes: [{ pass: 'openopt-fold-constants', options: { 'max-elements': 'x' } }] } },
  'unknown option of a known pass': { target: { kind: 'cpu' }, graph: { passes: [{ pass: 'openopt-dce', options: { aggressive: true } }] } },
  'threads out of range': { target: { kind: 'cpu', threads: 0 } },
};
for (const [what, doc] of Object.entries(broken))
  check(`recipe schema rejects: ${what}`, !validateRecipe(doc));

// The schema's per-pass options are the registry's, names and types.
const registry = JSON.parse(openopt(['recipe', 'passes']));
const recipeSchema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'recipe.schema.json'), 'utf8'));
const schemaPassNames = recipeSchema.$defs.passName.anyOf[0].enum;
for (const pass of registry) {
  const def = recipeSchema.$defs[`options-${pass.name}`];
  check(`recipe schema lists pass ${pass.name}`, schemaPassNames.includes(pass.name) && def);
  if (!def) continue;
  const inSchema = Object.keys(def.properties).sort();
  const inRegistry = pass.options.map((o) => o.name).sort();
  check(`recipe schema options of ${pass.name} match the registry`,
    JSON.stringify(inSchema) === JSON.stringify(inRegistry), `schema ${inSchema} vs registry ${inRegistry}`);
  for (const o of pass.options)
    if (def.properties[o.name] && o.type)
      check(`  ${pass.name}.${o.name} is ${o.type}`, def.properties[o.name].type === o.type,
        `schema says ${def.properties[o.name].type}`);
}

// 2. Graphs.
function allNodes(nodes, out = []) {
  for (const n of nodes) { out.push(n); if (n.children) allNodes(n.children, out); }
  return out;
}
const graphCases = [
  ['tiny_conv_mm', []],
  ['resnet18w48', ['--after', 'all']],
  ['bert2l_tied', ['--after', 'openopt-recognize-ops']],
];
for (const [model, extra] of graphCases) {
  const file = path.join(args.models, `${model}.onnx`);
  const graph = JSON.parse(openopt(['graph', file, ...extra]));
  const name = `graph schema accepts ${model} ${extra.join(' ')}`.trim();
  check(name, validateGraph(graph), explain(validateGraph));
  const ids = new Set(allNodes(graph.nodes).map((n) => n.id));
  const dangling = graph.edges.filter((e) => !ids.has(e.source) || !ids.has(e.target));
  check(`${model}: every edge joins two nodes`, dangling.length === 0, JSON.stringify(dangling[0]));
  check(`${model}: node ids are unique`, ids.size === allNodes(graph.nodes).length);
  if (model === 'resnet18w48') {
    const groups = graph.nodes.filter((n) => n.op === 'nn.fused');
    check('resnet18w48 after the default recipe has nested fused groups',
      groups.length > 0 && groups.every((g) => g.children.length >= 2), `${groups.length} groups`);
    check('resnet18w48 after the default recipe has no BatchNormalization',
      !allNodes(graph.nodes).some((n) => n.op === 'nn.batch_norm'));
  }
}
const mangled = JSON.parse(openopt(['graph', path.join(args.models, 'tiny_conv_mm.onnx')]));
delete mangled.nodes[1].results;
check('graph schema rejects a node without results', !validateGraph(mangled));

// 3. Pass records.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-schemas-'));
try {
  const tiny = path.join(args.models, 'tiny_conv_mm.onnx');
  openopt(['compile', tiny, '--record', '-o', path.join(work, 'compile')]);
  const compiled = JSON.parse(fs.readFileSync(path.join(work, 'compile', 'record.json'), 'utf8'));
  check('pass-record schema accepts openopt compile --record', validateRecord(compiled), explain(validateRecord));
  check('compile record covers graph passes and lowering',
    compiled.passes.some((p) => p.argument === 'openopt-fuse-ops') &&
    compiled.passes.some((p) => p.argument === 'convert-func-to-llvm'));
  openopt(['opt', tiny, '--recipe', path.join(REPO, 'recipes', 'default.recipe.json'), '--graph-only',
           '--record', path.join(work, 'opt'), '-o', path.join(work, 'opt.mlir')]);
  const opted = JSON.parse(fs.readFileSync(path.join(work, 'opt', 'record.json'), 'utf8'));
  check('pass-record schema accepts openopt opt --record', validateRecord(opted), explain(validateRecord));
  opted.passes[0].wallMs = 'fast';
  check('pass-record schema rejects a non-numeric wall time', !validateRecord(opted));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

// 4. Profiles and traces.
const profileWork = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-profile-'));
try {
  const profileCases = [
    ['tiny_conv_mm', ['--iterations', '2']],
    ['resnet18w48', ['--iterations', '1', '--warmup', '1']],
  ];
  for (const [model, extra] of profileCases) {
    const file = path.join(args.models, `${model}.onnx`);
    const json = path.join(profileWork, `${model}.json`), trace = path.join(profileWork, `${model}.trace.json`);
    openopt(['profile', file, '--random-inputs', ...extra, '--json', json, '--trace', trace]);
    const profile = JSON.parse(fs.readFileSync(json, 'utf8'));
    check(`profile schema accepts ${model}`, validateProfile(profile), explain(validateProfile));
    const percent = profile.ops.reduce((sum, op) => sum + op.percent, 0);
    check(`${model}: profile percentages sum to 100`, Math.abs(percent - 100) < 0.05, `${percent}`);
    check(`${model}: every op ran once per iteration`, profile.ops.every((op) => op.calls === profile.iterations));
    // Profile rows point at the graph the recipe's passes leave.
    const graph = JSON.parse(openopt(['graph', file, '--after', 'all']));
    const topLevel = graph.nodes.filter((n) => n.op !== 'input' && n.op !== 'output');
    const graphIds = new Map(topLevel.map((n) => [n.id, n]));
    check(`${model}: one profile row per top-level graph node, same ids and ops`,
      profile.ops.length === topLevel.length &&
      profile.ops.every((op) => graphIds.has(op.id) && graphIds.get(op.id).op === op.op &&
                                graphIds.get(op.id).flops === op.flops),
      `${profile.ops.length} rows, ${topLevel.length} nodes`);

    const traceDoc = JSON.parse(fs.readFileSync(trace, 'utf8'));
    check(`trace of ${model} has the trace shape`, validateTrace(traceDoc), explain(validateTrace));
    const runs = traceDoc.traceEvents.filter((e) => e.cat === 'run');
    const calls = traceDoc.traceEvents.filter((e) => e.cat === 'op');
    check(`${model}: trace has every run and every op call`,
      runs.length === profile.iterations && calls.length === profile.iterations * profile.ops.length,
      `${runs.length} runs, ${calls.length} calls`);
    check(`${model}: every op call lies inside a run`, calls.every((c) =>
      runs.some((r) => c.ts >= r.ts && c.ts + c.dur <= r.ts + r.dur + 1e-3)));
    check(`${model}: op calls carry op and flops`, calls.every((c) => typeof c.args.op === 'string' && 'flops' in c.args));
    if (model === 'resnet18w48')
      check('resnet18w48 profile has epilogue groups', profile.ops.some((op) => op.kind === 'epilogue'));
  }
  const bad = JSON.parse(fs.readFileSync(path.join(profileWork, 'tiny_conv_mm.json'), 'utf8'));
  delete bad.ops[0].calls;
  check('profile schema rejects a row without calls', !validateProfile(bad));
  const badTrace = { traceEvents: [{ name: 'x', cat: 'op', ph: 'B', ts: 0, dur: 1, pid: 1, tid: 1, args: {} }], displayTimeUnit: 'ms' };
  check('trace shape rejects a non-complete event', !validateTrace(badTrace));
} finally {
  fs.rmSync(profileWork, { recursive: true, force: true });
}

console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
