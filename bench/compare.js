#!/usr/bin/env node
// compare.js - our compiled models against ONNX Runtime (CPU), side by side, on the same machine in one run.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const ort = require('../tests/e2e/lib/ort');
const { randomTensors } = require('../tests/e2e/lib/random_tensors');
const { writeNpy } = require('../tests/e2e/lib/npy');
const { tensorPath } = require('../tests/e2e/lib/tensor_files');

const REPO = path.resolve(__dirname, '..');
const USAGE = `usage: node bench/compare.js [--models DIR] [--openopt PATH] [--threads 1,2] [--rounds 5]
                        [--iterations 20] [--warmup 10] [--only REGEX] [--json FILE] [--timeout S]
                        [--recipe FILE] [--geomean-exclude REGEX] [--no-aot] [--cc CC]

For every DIR/*.onnx (DIR may be a comma-separated list) and every thread count, alternates rounds of ours and ORT (ours, ORT, ours, ORT, ...):
  ours: openopt run MODEL --random-inputs --seed 1 --iterations K --threads T  (its latency_ms median;
        the JIT compile is not timed)
  AOT:  the model compiled once per thread count as a shared library (openopt compile --emit shared-lib
        --threads T), run by runtime/examples/run_model.c (built with --cc against the
        library's header) on the same kind of inputs: K timed runs after 2 untimed ones (median)
  ORT:  in this process, intraOpNumThreads=T, interOpNumThreads=1, sequential, graphOptimizationLevel=all;
        --warmup runs once per session and 2 before each round, then K timed session.run calls (median),
        writing into output tensors allocated once, garbage collected (untimed) every 8 calls so that the
        binding's copy of the outputs does not fault in fresh pages (see rerunWithExposedGc)
Per (model, threads): the median of the round medians for each side, ours/ORT, AOT/ORT, AOT/ours, and the spread
(max - min) / median of the round medians; then the geomean of ours/ORT per thread count.
Prints a markdown table on stdout, progress on stderr; --json FILE also writes one JSON object per line.
  --models   default: $BENCH_MODELS, else <repo>/../shared/bench/models
  --openopt  default: $OPENOPT_BIN, else <repo>/build/bin/openopt
  --timeout  seconds for one openopt run, compile included (default 600)
  --recipe   compile with this recipe (default: the built-in one)
  --no-aot   leave out the AOT column
  --cc       the C compiler for the AOT driver (default: $CC, else cc)
  --geomean-exclude  models left out of a second geomean line (default ^tiny_conv_mm$, whose time is
             the binding's per-call cost; '' prints the full geomean only)`;

function parseArgs(argv) {
  const a = {
    models: process.env.BENCH_MODELS || path.join(REPO, '..', 'shared', 'bench', 'models'),
    openopt: process.env.OPENOPT_BIN || path.join(REPO, 'build', 'bin', 'openopt'),
    threads: [1, 2], rounds: 5, iterations: 20, warmup: 10, only: null, json: null, timeout: 600,
    recipe: null, geomeanExclude: /^tiny_conv_mm$/, aot: true, cc: process.env.CC || 'cc',
  };
  const posInt = (k, s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${k} expects a positive integer, got '${s}'`);
    return n;
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
    else if (k === '--threads') a.threads = value().split(',').map((s) => posInt(k, s));
    else if (k === '--rounds') a.rounds = posInt(k, value());
    else if (k === '--iterations') a.iterations = posInt(k, value());
    else if (k === '--warmup') a.warmup = posInt(k, value());
    else if (k === '--only') a.only = new RegExp(value());
    else if (k === '--no-aot') a.aot = false;
    else if (k === '--cc') a.cc = value();
    else if (k === '--geomean-exclude') {
      const v = value();
      a.geomeanExclude = v ? new RegExp(v) : null;
    }
    else if (k === '--json') a.json = value();
    else if (k === '--timeout') a.timeout = posInt(k, value());
    else if (k === '--recipe') a.recipe = value();
    else throw new Error(`unknown argument '${k}' (see --help)`);
  }
  return a;
}

function median(xs) {
  const s = xs.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function spread(xs) {
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}

// The node binding copies every output into a new ArrayBuffer per call; V8 frees those only when it
// collects garbage, so between collections each call writes fresh pages, and on these VMs the page faults
// cost more than a small op itself (a 0.2 ms Concat measured 4.5 ms in phases of ~40 calls). ORT's own
// work is what is compared: the script re-runs itself with --expose-gc, and ortRound collects garbage
// (untimed, then one untimed call to warm the caches again) before every 8th timed call, so the copies
// land in memory already mapped. Returns true when the
// caller should stop (the re-run did the work).
function rerunWithExposedGc(argv) {
  if (typeof global.gc === 'function') return false;
  const r = spawnSync(process.execPath, ['--expose-gc', process.argv[1], ...argv], { stdio: 'inherit' });
  process.exitCode = r.status === null ? 1 : r.status;
  return true;
}

// The .onnx files of one or more comma-separated directories, sorted by name within each.
function listModels(dirs, only) {
  const models = [];
  for (const dir of dirs.split(',')) {
    if (!fs.existsSync(dir)) throw new Error(`models directory not found: ${dir} (--models DIR)`);
    models.push(...fs.readdirSync(dir).filter((f) => f.endsWith('.onnx'))
      .filter((f) => !only || only.test(f)).sort().map((f) => path.join(dir, f)));
  }
  return models;
}

// One `openopt run --iterations K`; returns its median in ms.
function oursRound(args, model, threads, outDir) {
  const cmd = ['run', model, '--random-inputs', '--seed', '1', '--iterations', String(args.iterations),
               '--threads', String(threads), '--output-dir', outDir];
  if (args.recipe) cmd.push('--recipe', args.recipe);
  const r = spawnSync(args.openopt, cmd, { encoding: 'utf8', timeout: args.timeout * 1000 });
  if (r.error) throw new Error(r.error.code === 'ETIMEDOUT' ? `openopt timed out after ${args.timeout} s` : r.error.message);
  if (r.status !== 0) {
    const line = r.stderr.split('\n').find((l) => l.startsWith('error:')) || r.stderr.trim().split('\n').pop();
    throw new Error(`openopt exited with ${r.status}: ${line || '(no message)'}`);
  }
  const m = /^latency_ms median=(\S+) min=(\S+) p95=(\S+) iterations=(\d+)/m.exec(r.stdout);
  if (!m) throw new Error(`no 'latency_ms median=...' line in openopt's output: ${r.stdout.trim().slice(0, 200)}`);
  return Number(m[1]);
}

// Runs `cmd` (an array) to completion; its stdout, or an error quoting its last stderr line.
function runTool(cmd, timeoutS) {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: timeoutS * 1000 });
  if (r.error) throw new Error(r.error.code === 'ETIMEDOUT' ? `${path.basename(cmd[0])} timed out after ${timeoutS} s` : r.error.message);
  if (r.status !== 0) {
    const line = r.stderr.split('\n').find((l) => l.startsWith('error')) || r.stderr.trim().split('\n').pop();
    throw new Error(`${path.basename(cmd[0])} exited with ${r.status}: ${line || '(no message)'}`);
  }
  return r.stdout;
}

// The model as a shared library for `threads` threads, its driver, and input files; what aotRound runs.
function prepareAot(args, model, threads, infos, dir) {
  const name = path.basename(model, '.onnx');
  const out = path.join(dir, `${name}_t${threads}`);
  const compile = [args.openopt, 'compile', model, '--emit', 'shared-lib', '-o', out, '--threads', String(threads)];
  if (args.recipe) compile.push('--recipe', args.recipe);
  // The compiler names the library (lib<ID>.so, beside <ID>.h).
  const written = /^wrote (\S+\.so) /m.exec(runTool(compile, args.timeout));
  if (!written) throw new Error('openopt compile wrote no library');
  const id = path.basename(written[1]).replace(/^lib/, '').replace(/\.so$/, '');
  const driver = path.join(out, 'run_model');
  runTool([args.cc, '-O2', `-DMODEL_HEADER="${id}.h"`, `-DMODEL_OPEN=${id}_open`,
           path.join(REPO, 'runtime', 'examples', 'run_model.c'), '-I', out, '-L', out, `-l${id}`,
           `-Wl,-rpath,${out}`, '-o', driver], 120);
  const inputs = path.join(out, 'inputs');
  fs.mkdirSync(inputs, { recursive: true });
  for (const [n, t] of Object.entries(randomTensors(infos, 1))) writeNpy(tensorPath(inputs, n), t);
  const outputs = path.join(out, 'outputs');
  fs.mkdirSync(outputs, { recursive: true });
  return { driver, inputs, outputs };
}

// One run of the AOT driver: K timed runs after 2 untimed; median in ms.
function aotRound(args, aot) {
  const stdout = runTool([aot.driver, '--iterations', String(args.iterations), '--warmup', '2',
                          aot.inputs, aot.outputs], args.timeout);
  return JSON.parse(stdout.trim().split('\n').pop()).medianMs;
}

// K timed session.run calls after 2 untimed ones (the previous round of ours evicted ORT's caches); median in ms.
async function ortRound(session, feeds, fetches, iterations) {
  for (let i = 0; i < 2; i++) await session.run(feeds, fetches);
  const times = [];
  for (let i = 0; i < iterations; i++) {
    if (i % 8 === 0) {
      global.gc();
      await session.run(feeds, fetches); // caches warm again after the collection
    }
    const t0 = process.hrtime.bigint();
    await session.run(feeds, fetches);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

// One tensor per output, of the type and shape of `results` (a first run's), for session.run to write into.
function preallocatedOutputs(results) {
  const Tensor = ort.loadOrt().Tensor;
  const fetches = {};
  for (const [name, t] of Object.entries(results)) {
    if (t.type === 'string') return undefined; // strings cannot be preallocated: ORT allocates all outputs
    fetches[name] = new Tensor(t.type, new t.data.constructor(t.data.length), t.dims);
  }
  return fetches;
}

async function benchOne(args, model, threads, outDir) {
  const name = path.basename(model, '.onnx');
  const session = await ort.createSession(model, { threads });
  const feeds = ort.toOrtFeeds(session, randomTensors(ort.inputInfo(session), 1));
  // ORT writes into output tensors allocated once, as ours writes into the buffers `openopt run` allocates
  // once: a fresh multi-MB output per call costs page faults that can exceed the op itself on these VMs.
  const fetches = preallocatedOutputs(await session.run(feeds));
  for (let i = 0; i < args.warmup; i++) await session.run(feeds, fetches);
  const row = { kind: 'model', model: name, threads, rounds: args.rounds, iterations: args.iterations,
                ours_rounds_ms: [], ort_rounds_ms: [] };
  let aot = null;
  if (args.aot) {
    row.aot_rounds_ms = [];
    try {
      aot = prepareAot(args, model, threads, ort.inputInfo(session), outDir);
    } catch (e) {
      row.aot_error = e.message;
    }
  }
  for (let r = 0; r < args.rounds; r++) {
    if (!row.error) {
      try {
        row.ours_rounds_ms.push(oursRound(args, model, threads, outDir));
      } catch (e) {
        row.error = e.message; // keep timing ORT: its column is still useful
      }
    }
    if (aot && !row.aot_error) {
      try {
        row.aot_rounds_ms.push(aotRound(args, aot));
      } catch (e) {
        row.aot_error = e.message;
      }
    }
    row.ort_rounds_ms.push(await ortRound(session, feeds, fetches, args.iterations));
    const aotText = !args.aot ? '' : `, AOT ${row.aot_error ? 'error' : row.aot_rounds_ms[r].toFixed(3) + ' ms'}`;
    process.stderr.write(`[compare] ${name} threads=${threads} round ${r + 1}/${args.rounds}: ours ` +
                         `${row.error ? 'error' : row.ours_rounds_ms[r].toFixed(3) + ' ms'}${aotText}, ORT ${row.ort_rounds_ms[r].toFixed(3)} ms\n`);
  }
  await session.release();
  const r4 = (x) => Number(x.toPrecision(4));
  row.ort_rounds_ms = row.ort_rounds_ms.map(r4);
  row.ort_median_ms = median(row.ort_rounds_ms);
  row.ort_spread = r4(spread(row.ort_rounds_ms));
  if (!row.error) {
    row.ours_median_ms = median(row.ours_rounds_ms);
    row.ours_spread = r4(spread(row.ours_rounds_ms));
    row.ratio = r4(row.ours_median_ms / row.ort_median_ms);
  }
  if (args.aot && !row.aot_error) {
    row.aot_rounds_ms = row.aot_rounds_ms.map(r4);
    row.aot_median_ms = median(row.aot_rounds_ms);
    row.aot_spread = r4(spread(row.aot_rounds_ms));
    row.aot_ratio = r4(row.aot_median_ms / row.ort_median_ms);
    if (!row.error) row.aot_vs_jit = r4(row.aot_median_ms / row.ours_median_ms);
  }
  return row;
}

function printTable(rows, threadCounts, exclude) {
  const f = (x, d = 3) => (x === undefined ? '-' : x.toFixed(d));
  const pct = (x) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
  const withAot = rows.some((r) => r.aot_rounds_ms !== undefined);
  console.log('| model | threads | ours median ms | ORT median ms | ours/ORT | ours spread | ORT spread |' +
              (withAot ? ' AOT median ms | AOT/ORT | AOT/ours | AOT spread |' : ''));
  console.log('|---|---:|---:|---:|---:|---:|---:|' + (withAot ? '---:|---:|---:|---:|' : ''));
  const escape = (text) => text.replace(/\|/g, '\\|');
  for (const r of rows) {
    const ours = r.error ? `error: ${escape(r.error)}` : f(r.ours_median_ms);
    const aot = !withAot ? '' : r.aot_error ? ` error: ${escape(r.aot_error)} | - | - | - |`
      : ` ${f(r.aot_median_ms)} | ${f(r.aot_ratio, 2)} | ${f(r.aot_vs_jit, 3)} | ${pct(r.aot_spread)} |`;
    console.log(`| ${r.model} | ${r.threads} | ${ours} | ${f(r.ort_median_ms)} | ${f(r.ratio, 2)} | ` +
                `${pct(r.ours_spread)} | ${pct(r.ort_spread)} |${aot}`);
  }
  console.log();
  const summaries = [];
  for (const t of threadCounts) {
    const ratios = rows.filter((r) => r.threads === t && r.ratio !== undefined).map((r) => r.ratio);
    const missing = rows.filter((r) => r.threads === t).length - ratios.length;
    const geomean = ratios.length ? Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length) : undefined;
    summaries.push({ kind: 'geomean', threads: t, ratio: geomean, models: ratios.length, failed: missing });
    console.log(`geomean ours/ORT, threads=${t}: ${f(geomean, 2)} over ${ratios.length} model(s)` +
                (missing ? ` (${missing} failed, not included)` : ''));
    // The performance goal's set leaves out models whose time is the
    // binding's per-call cost, not the compiled code's (tiny_conv_mm).
    const kept = rows.filter((r) => r.threads === t && r.ratio !== undefined &&
                                    !(exclude && exclude.test(r.model)));
    const aotRows = rows.filter((r) => r.threads === t && r.aot_vs_jit !== undefined &&
                                       !(exclude && exclude.test(r.model)));
    if (aotRows.length) {
      const g = Math.exp(aotRows.reduce((s, r) => s + Math.log(r.aot_vs_jit), 0) / aotRows.length);
      const worst = aotRows.reduce((w, r) => (r.aot_vs_jit > w.aot_vs_jit ? r : w));
      summaries.push({ kind: 'geomean_aot_vs_jit', threads: t, ratio: g, models: aotRows.length,
                       worst_model: worst.model, worst_ratio: worst.aot_vs_jit });
      console.log(`geomean AOT/ours, threads=${t}${exclude ? `, without /${exclude.source}/` : ''}: ` +
                  `${f(g, 3)} over ${aotRows.length} model(s); largest ${f(worst.aot_vs_jit, 3)} (${worst.model})`);
    }
    if (exclude && kept.length && kept.length < ratios.length) {
      const g = Math.exp(kept.reduce((s, r) => s + Math.log(r.ratio), 0) / kept.length);
      summaries.push({ kind: 'geomean_excluding', threads: t, ratio: g, models: kept.length,
                       excluded: exclude.source });
      console.log(`geomean ours/ORT, threads=${t}, without /${exclude.source}/: ${f(g, 2)} ` +
                  `over ${kept.length} model(s)`);
    }
  }
  return summaries;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (rerunWithExposedGc(process.argv.slice(2))) return;
  if (!fs.existsSync(args.openopt)) throw new Error(`openopt not found at ${args.openopt} (--openopt PATH or OPENOPT_BIN)`);
  const models = listModels(args.models, args.only);
  if (!models.length) throw new Error(`no .onnx models in ${args.models}${args.only ? ' matching --only' : ''}`);
  const ortVersion = ort.loadOrt().env.versions.common;
  process.stderr.write(`[compare] ${models.length} model(s), threads ${args.threads.join(',')}, ${args.rounds} rounds ` +
                       `x ${args.iterations} iterations, ORT ${ortVersion}, ${os.cpus().length} CPUs\n`);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-compare-'));
  const rows = [];
  try {
    for (const model of models) {
      for (const t of args.threads) rows.push(await benchOne(args, model, t, outDir));
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  const summaries = printTable(rows, args.threads, args.geomeanExclude);
  if (args.json) {
    const stamp = { date: new Date().toISOString(), ort_version: ortVersion, host_cpus: os.cpus().length };
    const lines = [...rows, ...summaries].map((r) => JSON.stringify({ ...r, ...stamp }));
    fs.writeFileSync(args.json, lines.join('\n') + '\n');
  }
  if (rows.some((r) => r.error || r.aot_error)) process.exitCode = 1;
}

module.exports = { parseArgs, rerunWithExposedGc, listModels, median, spread, benchOne, printTable };

if (require.main === module) {
  main().catch((e) => {
    console.error('error: ' + (e && e.message ? e.message : e));
    process.exit(1);
  });
}
