#!/usr/bin/env node
// peak_memory.js - peak resident memory of `openopt run` against ONNX Runtime on the same models, each measured
// by /usr/bin/time -v (its "Maximum resident set size") around a fresh process.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { listModels } = require('./compare');

const REPO = path.resolve(__dirname, '..');
const USAGE = `usage: node bench/peak_memory.js [--models DIR[,DIR...]] [--openopt PATH] [--threads 1]
                              [--iterations 20] [--only REGEX] [--json FILE]

For every DIR/*.onnx, two fresh processes under /usr/bin/time -v:
  ours: openopt run MODEL --random-inputs --iterations K --threads T   (import, compile and K runs)
  ORT:  node, one InferenceSession (intraOpNumThreads=T, graphOptimizationLevel=all), K session.run calls
and their peak resident set sizes (MiB), with two floors for reading them: the same two processes on the
smallest model given (what the program and its libraries cost before any model-sized memory).
  --models   default: $BENCH_MODELS, else <repo>/../shared/bench/models
  --openopt  default: $OPENOPT_BIN, else <repo>/build/bin/openopt`;

function parseArgs(argv) {
  const a = {
    models: process.env.BENCH_MODELS || path.join(REPO, '..', 'shared', 'bench', 'models'),
    openopt: process.env.OPENOPT_BIN || path.join(REPO, 'build', 'bin', 'openopt'),
    threads: 1, iterations: 20, only: null, json: null,
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
    else if (k === '--threads') a.threads = Number(value());
    else if (k === '--iterations') a.iterations = Number(value());
    else if (k === '--only') a.only = new RegExp(value());
    else if (k === '--json') a.json = value();
    else throw new Error(`unknown argument '${k}' (see --help)`);
  }
  for (const k of ['threads', 'iterations'])
    if (!Number.isInteger(a[k]) || a[k] < 1) throw new Error(`--${k} expects a positive integer`);
  return a;
}

// The ORT side, run as a child: `node peak_memory.js --ort-child MODEL THREADS ITERATIONS`.
async function ortChild(model, threads, iterations) {
  const ort = require('../tests/e2e/lib/ort');
  const { randomTensors } = require('../tests/e2e/lib/random_tensors');
  const session = await ort.createSession(model, { threads });
  const feeds = ort.toOrtFeeds(session, randomTensors(ort.inputInfo(session), 1));
  for (let i = 0; i < iterations; i++) await session.run(feeds);
  await session.release();
}

// Peak RSS in MiB of `command args` under /usr/bin/time -v; throws with the command's last error line.
function peakMiB(command, args) {
  const r = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`/usr/bin/time: ${r.error.message} (Debian package 'time')`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) {
    const line = r.stderr.split('\n').find((l) => l.startsWith('error:')) || r.stderr.trim().split('\n')[0];
    throw new Error(`${path.basename(command)} exited with ${r.status}: ${line || '(no message)'}`);
  }
  return Number(m[1]) / 1024;
}

function measure(args, model) {
  const row = { model: path.basename(model, '.onnx'), threads: args.threads, bytes: fs.statSync(model).size };
  try {
    row.ours_mib = peakMiB(args.openopt, ['run', model, '--random-inputs', '--iterations', String(args.iterations),
                                          '--threads', String(args.threads)]);
  } catch (e) {
    row.error = e.message;
  }
  row.ort_mib = peakMiB(process.execPath, [__filename, '--ort-child', model, String(args.threads),
                                           String(args.iterations)]);
  if (row.ours_mib !== undefined) row.ratio = row.ours_mib / row.ort_mib;
  return row;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const models = listModels(args.models, args.only);
  if (!models.length) throw new Error('no models matched');
  const rows = [];
  for (const model of models) {
    const row = measure(args, model);
    process.stderr.write(`[peak_memory] ${row.model}: ours ${row.error ? 'error' : row.ours_mib.toFixed(1)} MiB, ` +
                         `ORT ${row.ort_mib.toFixed(1)} MiB\n`);
    rows.push(row);
  }
  const smallest = models.reduce((x, y) => (fs.statSync(x).size <= fs.statSync(y).size ? x : y));
  const floor = measure(args, smallest);
  const f = (x) => (x === undefined ? '-' : x.toFixed(1));
  console.log(`| model | weights MiB | ours peak MiB | ORT peak MiB | ours/ORT |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.model} | ${f(r.bytes / 1048576)} | ${r.error ? 'error: ' + r.error : f(r.ours_mib)} | ` +
                `${f(r.ort_mib)} | ${r.ratio === undefined ? '-' : r.ratio.toFixed(2)} |`);
  console.log(`\nfloor (${floor.model}, the smallest model): ours ${f(floor.ours_mib)} MiB, ORT ${f(floor.ort_mib)} MiB`);
  if (args.json)
    fs.writeFileSync(args.json, rows.concat([{ kind: 'floor', ...floor }]).map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

if (process.argv[2] === '--ort-child') {
  ortChild(process.argv[3], Number(process.argv[4]), Number(process.argv[5])).catch((e) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  });
} else {
  try {
    main();
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exit(2);
  }
}
