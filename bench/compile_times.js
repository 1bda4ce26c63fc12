#!/usr/bin/env node
// compile_times.js - how long code generation takes: cold, with kernels reused, and after a one-op edit.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const ort = require('../tests/e2e/lib/ort');

const REPO = path.resolve(__dirname, '..');
const USAGE = `usage: node bench/compile_times.js [--models DIR] [--openopt PATH] [--rounds 5] [--only REGEX]
                              [--json FILE] [--skip-table] [--skip-edit]

1. Cold compiles. For every DIR/*.onnx and a MobileNetV2 (bench/gen_mobilenetv2.py, written to
   build/bench-models/), each round runs \`openopt run MODEL --random-inputs --kernel-cache EMPTY_DIR\`
   and reads its compile_ms (import excluded) and kernel counts; ONNX Runtime's session creation
   (graphOptimizationLevel=all, 1 thread) is timed in the same rounds for scale.
2. One-op edit of resnet18w48. Its IR (openopt import) and a copy with one nn.relu made an nn.sigmoid;
   rounds alternate a cold compile of the edited IR (empty cache) and an incremental one (a cache
   filled by compiling the original IR first, not timed). Both outputs must be equal, bit for bit.
3. Shared shapes: MobileNetV2 with other weights (--seed 1), compiled against a cache filled by the
   first one: how many kernels it reuses.
Prints medians, min-max and spread ((max - min) / median) per row; --json FILE writes JSON lines.
  --models   default: $BENCH_MODELS, else <repo>/../shared/bench/models
  --openopt  default: $OPENOPT_BIN, else <repo>/build/bin/openopt`;

function parseArgs(argv) {
  const a = {
    models: process.env.BENCH_MODELS || path.join(REPO, '..', 'shared', 'bench', 'models'),
    openopt: process.env.OPENOPT_BIN || path.join(REPO, 'build', 'bin', 'openopt'),
    rounds: 5, only: null, json: null, table: true, edit: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${k}`);
      return argv[++i];
    };
    if (k === '-h' || k === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (k === '--models') a.models = value();
    else if (k === '--openopt') a.openopt = value();
    else if (k === '--rounds') {
      a.rounds = Number(value());
      if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new Error('--rounds expects a positive integer');
    } else if (k === '--only') a.only = new RegExp(value());
    else if (k === '--json') a.json = value();
    else if (k === '--skip-table') a.table = false;
    else if (k === '--skip-edit') a.edit = false;
    else throw new Error(`unknown argument '${k}' (see --help)`);
  }
  return a;
}

function median(xs) {
  const s = xs.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const spread = (xs) => (Math.max(...xs) - Math.min(...xs)) / median(xs);
const summary = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), spread: spread(xs) });
const fmt = (s, d = 0) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}-${s.max.toFixed(d)}, ${(100 * s.spread).toFixed(0)}%)`;

function freshDir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `openopt-bench-${tag}-`));
}

// One `openopt run`: compile_ms, the kernel counts and the process's wall time.
function run(args, model, cacheDir, outDir) {
  // --iterations 1: `openopt run` prints compile_ms and the kernel counts when it times runs.
  const cmd = ['run', model, '--random-inputs', '--seed', '1', '--iterations', '1', '--kernel-cache', cacheDir];
  if (outDir) cmd.push('--output-dir', outDir);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(args.openopt, cmd, { encoding: 'utf8', timeout: 600000 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`openopt run ${path.basename(model)} exited with ${r.status}: ${r.stderr.trim()}`);
  const compile = /^compile_ms (\S+)/m.exec(r.stderr);
  const kernels = /^kernels compiled=(\d+) reused=(\d+) distinct=(\d+) calls=(\d+) glue=(\w+)/m.exec(r.stderr);
  if (!compile || !kernels) throw new Error(`no compile_ms/kernels lines from openopt run: ${r.stderr.trim()}`);
  return { compileMs: Number(compile[1]), wallMs, compiled: +kernels[1], reused: +kernels[2],
           distinct: +kernels[3], calls: +kernels[4], glue: kernels[5] };
}

function ensureMobileNet(seed) {
  const dir = path.join(REPO, 'build', 'bench-models');
  const file = path.join(dir, seed ? `mobilenetv2_seed${seed}.onnx` : 'mobilenetv2.onnx');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync('/usr/bin/python3', [path.join(__dirname, 'gen_mobilenetv2.py'), file, '--seed', String(seed)],
                        { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gen_mobilenetv2.py failed: ${r.stderr}`);
  }
  return file;
}

async function ortSessionMs(model) {
  const t0 = process.hrtime.bigint();
  const session = await ort.createSession(model, { threads: 1 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await session.release();
  return ms;
}

async function coldTable(args, out) {
  const models = fs.readdirSync(args.models).filter((f) => f.endsWith('.onnx')).sort()
    .map((f) => path.join(args.models, f));
  models.push(ensureMobileNet(0));
  console.log('| model | compile_ms median (min-max, spread) | kernels distinct / calls | ORT session ms | ours/ORT |');
  console.log('|---|---:|---:|---:|---:|');
  for (const model of models) {
    const name = path.basename(model, '.onnx');
    if (args.only && !args.only.test(name)) continue;
    const ours = [], theirs = [];
    let last;
    for (let r = 0; r < args.rounds; r++) {
      const cache = freshDir('cold');
      try {
        last = run(args, model, cache);
      } finally {
        fs.rmSync(cache, { recursive: true, force: true });
      }
      ours.push(last.compileMs);
      theirs.push(await ortSessionMs(model));
      process.stderr.write(`[compile] ${name} round ${r + 1}/${args.rounds}: ${last.compileMs.toFixed(0)} ms\n`);
    }
    const row = { kind: 'cold', model: name, compile_ms: summary(ours), ort_session_ms: summary(theirs),
                  distinct: last.distinct, calls: last.calls };
    out.push(row);
    console.log(`| ${name} | ${fmt(row.compile_ms)} | ${last.distinct} / ${last.calls} | ` +
                `${row.ort_session_ms.median.toFixed(0)} | ${(row.compile_ms.median / row.ort_session_ms.median).toFixed(1)} |`);
  }
}

function sameFiles(a, b) {
  const names = fs.readdirSync(a).sort();
  return names.length > 0 && names.every((n) => fs.readFileSync(path.join(a, n)).equals(fs.readFileSync(path.join(b, n))));
}

function editExperiment(args, out) {
  const model = path.join(args.models, 'resnet18w48.onnx');
  const work = freshDir('edit');
  const original = path.join(work, 'resnet18w48.mlir');
  const edited = path.join(work, 'resnet18w48_edited.mlir');
  const imp = spawnSync(args.openopt, ['import', model, '-o', original], { encoding: 'utf8' });
  if (imp.status !== 0) throw new Error(`openopt import failed: ${imp.stderr}`);
  const text = fs.readFileSync(original, 'utf8');
  // The third nn.relu (in the first residual block) becomes an nn.sigmoid.
  let seen = 0;
  const editedText = text.replace(/nn\.relu/g, (m) => (++seen === 3 ? 'nn.sigmoid' : m));
  if (seen < 3) throw new Error('resnet18w48 has fewer than three nn.relu ops');
  fs.writeFileSync(edited, editedText);

  const cold = [], incremental = [], coldWall = [], incWall = [];
  let inc;
  for (let r = 0; r < args.rounds; r++) {
    const c1 = freshDir('c'), c2 = freshDir('i'), o1 = freshDir('o'), o2 = freshDir('o');
    try {
      const c = run(args, edited, c1, o1);
      run(args, original, c2); // fills the cache
      inc = run(args, edited, c2, o2);
      if (!sameFiles(o1, o2)) throw new Error('the incremental compile computes other outputs than the cold one');
      cold.push(c.compileMs); coldWall.push(c.wallMs);
      incremental.push(inc.compileMs); incWall.push(inc.wallMs);
      process.stderr.write(`[edit] round ${r + 1}/${args.rounds}: cold ${c.compileMs.toFixed(0)} ms, ` +
                           `incremental ${inc.compileMs.toFixed(0)} ms (compiled ${inc.compiled}, reused ${inc.reused}, ` +
                           `glue ${inc.glue})\n`);
    } finally {
      for (const d of [c1, c2, o1, o2]) fs.rmSync(d, { recursive: true, force: true });
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
  const row = { kind: 'edit', model: 'resnet18w48', cold_ms: summary(cold), incremental_ms: summary(incremental),
                cold_wall_ms: summary(coldWall), incremental_wall_ms: summary(incWall),
                compiled: inc.compiled, reused: inc.reused, distinct: inc.distinct, glue: inc.glue,
                ratio: median(cold) / median(incremental), wall_ratio: median(coldWall) / median(incWall) };
  out.push(row);
  console.log('\n| resnet18w48, one nn.relu -> nn.sigmoid | cold | incremental | cold / incremental |');
  console.log('|---|---:|---:|---:|');
  console.log(`| compile_ms median (min-max, spread) | ${fmt(row.cold_ms)} | ${fmt(row.incremental_ms)} | ${row.ratio.toFixed(1)}x |`);
  console.log(`| process wall ms (import, compile, three runs) | ${fmt(row.cold_wall_ms)} | ${fmt(row.incremental_wall_ms)} | ${row.wall_ratio.toFixed(1)}x |`);
  console.log(`| kernels compiled / reused / distinct | ${inc.distinct} / 0 / ${inc.distinct} | ${inc.compiled} / ${inc.reused} / ${inc.distinct} | |`);
  console.log(`| the glue (code around the kernel calls) | compiled | ${inc.glue} | |`);
}

function sharedShapes(args, out) {
  const first = ensureMobileNet(0), second = ensureMobileNet(1);
  const cache = freshDir('shared');
  try {
    run(args, first, cache);
    const r = run(args, second, cache);
    out.push({ kind: 'shared-shapes', model: 'mobilenetv2 seed 1 after seed 0', ...r });
    console.log(`\nMobileNetV2 with other weights after the first: kernels compiled ${r.compiled}, reused ${r.reused} ` +
                `of ${r.distinct}; compile_ms ${r.compileMs.toFixed(0)}`);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const rows = [];
  if (args.table) await coldTable(args, rows);
  if (args.edit) {
    editExperiment(args, rows);
    sharedShapes(args, rows);
  }
  if (args.json) fs.writeFileSync(args.json, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

main().catch((e) => {
  console.error(`compile_times: ${e.message}`);
  process.exit(1);
});
