#!/usr/bin/env node
// daemon_load.js - openoptd under load: server/info latency and throughput from many WebSocket clients,
// with and without a compile running, and the compile cache (an identical compile again) against a miss.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const WebSocket = require('ws');
const { startDaemon } = require('../tests/e2e/daemon/daemon');

const REPO = path.resolve(__dirname, '..');
const USAGE = `usage: node bench/daemon_load.js [--url ws://127.0.0.1:PORT/api --token TOKEN] [--clients 64]
                             [--duration 20] [--warmup 1] [--model FILE] [--hits 5] [--concurrent-compiles 1]
                             [--json FILE]

Without --url, starts build/bin/openoptd on a free port with a fresh data directory (and stops it after).
Then, on one control connection:
  1. imports --model (default: resnet18w48.onnx from $BENCH_MODELS, else <repo>/../shared/bench/models)
  2. cache miss: compile/start with a recipe not compiled before, timed from sending compile/start to its
     job/done; cache hit: the identical compile/start again, --hits times (median); prints miss/hit (goal >= 20x)
  3. baseline: --clients WebSocket connections each send server/info back-to-back (one outstanding request
     per connection) for --duration seconds, after --warmup seconds not counted
  4. under compile: the same load while compiles run back to back (each with another recipe, so each is a
     full cache miss; --concurrent-compiles at a time); the compile left running at the end is cancelled
  5. baseline again (the two baselines show the drift of a shared machine)
Prints a markdown table: requests, requests/s, latency p50/p95/p99/max (ms) and errors per phase.
The load generator runs in this one Node process, on the same machine as the daemon.`;

function parseArgs(argv) {
  const a = {
    url: null, token: null, clients: 64, duration: 20, warmup: 1, hits: 5, concurrentCompiles: 1, json: null,
    model: path.join(process.env.BENCH_MODELS || path.join(REPO, '..', 'shared', 'bench', 'models'), 'resnet18w48.onnx'),
  };
  const num = (k, s, min = 0) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < min) throw new Error(`${k} expects a number >= ${min}, got '${s}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${k}`);
      return argv[++i];
    };
    if (k === '-h' || k === '--help') { console.log(USAGE); process.exit(0); }
    else if (k === '--url') a.url = value();
    else if (k === '--token') a.token = value();
    else if (k === '--clients') a.clients = Math.floor(num(k, value(), 1));
    else if (k === '--duration') a.duration = num(k, value(), 0.1);
    else if (k === '--warmup') a.warmup = num(k, value(), 0);
    else if (k === '--hits') a.hits = Math.floor(num(k, value(), 1));
    else if (k === '--concurrent-compiles') a.concurrentCompiles = Math.floor(num(k, value(), 1));
    else if (k === '--model') a.model = value();
    else if (k === '--json') a.json = value();
    else throw new Error(`unknown argument '${k}' (see --help)`);
  }
  if (a.url && !a.token) a.token = process.env.OPENOPT_TOKEN;
  if (a.url && !a.token) throw new Error('--url needs --token (or $OPENOPT_TOKEN)');
  return a;
}

const log = (...args) => console.error('[daemon_load]', ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** One JSON-RPC connection for the control flow (imports, compiles, job/done). */
class Control {
  static async open(url, token) {
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, maxPayload: 1 << 30 });
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    return new Control(socket);
  }

  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    this.pending = new Map();
    this.jobWaiters = new Map();
    this.doneAt = new Map();
    socket.on('message', (data) => {
      const at = nowMs();
      const m = JSON.parse(String(data));
      if (m.id !== undefined && this.pending.has(m.id)) {
        this.pending.get(m.id)(m);
        this.pending.delete(m.id);
      } else if (m.method === 'job/done') {
        this.doneAt.set(m.params.job, { at, params: m.params });
        this.jobWaiters.get(m.params.job)?.();
      }
    });
  }

  request(method, params, binary) {
    const id = this.nextId++;
    const reply = new Promise((resolve) => this.pending.set(id, resolve));
    const text = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    if (binary) this.socket.send(Buffer.concat([Buffer.from(text), Buffer.from([0]), binary]), { binary: true });
    else this.socket.send(text);
    return reply.then((r) => {
      if (r.error) throw new Error(`${method}: ${r.error.message}`);
      return r.result;
    });
  }

  /** Resolves with { at, params } of the job's job/done. */
  async done(job) {
    while (!this.doneAt.has(job)) await new Promise((resolve) => this.jobWaiters.set(job, resolve));
    this.jobWaiters.delete(job);
    return this.doneAt.get(job);
  }

  /** compile/start, timed from sending it to its job/done. */
  async timedCompile(params) {
    const t0 = nowMs();
    const started = await this.request('compile/start', params);
    const { at, params: done } = await this.done(started.job);
    if (done.state !== 'done') throw new Error(`compile ${started.job} ended ${done.state}: ${JSON.stringify(done.error)}`);
    return { ms: at - t0, cache: started.cache, job: started.job, compileMs: done.result.compile.compileMs };
  }

  close() { this.socket.close(); }
}

/** A recipe: the built-in one with the graph pass option max-elements set to `maxElements` (a cache key no earlier compile has). */
function recipeText(maxElements) {
  const text = fs.readFileSync(path.join(REPO, 'recipes', 'default.recipe.json'), 'utf8');
  if (!/"max-elements"\s*:\s*\d+/.test(text)) throw new Error('recipes/default.recipe.json has no max-elements option to vary');
  return text.replace(/"max-elements"\s*:\s*\d+/, `"max-elements": ${maxElements}`);
}

/** --clients connections sending server/info back-to-back; resolves with the latencies (ms) in the measured window. */
async function load(url, token, clients, warmupS, durationS) {
  const sockets = await Promise.all(Array.from({ length: clients }, async () => {
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    return socket;
  }));
  const latencies = [];
  let errors = 0, requests = 0;
  const start = nowMs();
  const measureFrom = start + warmupS * 1000, stopAt = measureFrom + durationS * 1000;
  await Promise.all(sockets.map((socket) => new Promise((resolve) => {
    let id = 0, sentAt = 0;
    const send = () => {
      if (nowMs() >= stopAt) { resolve(); return; }
      sentAt = nowMs();
      socket.send(`{"jsonrpc":"2.0","id":${++id},"method":"server/info"}`);
    };
    socket.on('message', (data) => {
      const at = nowMs();
      const m = JSON.parse(String(data));
      if (m.id === undefined) return;
      if (sentAt >= measureFrom && at <= stopAt) {
        requests++;
        if (m.error || m.id !== id || m.result?.name !== 'openoptd') errors++;
        else latencies.push(at - sentAt);
      }
      send();
    });
    socket.on('close', () => resolve());
    send();
  })));
  for (const socket of sockets) socket.close();
  return { latencies, errors, requests, seconds: durationS };
}

function summarize(name, { latencies, errors, requests, seconds }) {
  const sorted = Float64Array.from(latencies).sort();
  const q = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
  return { phase: name, requests, perSecond: requests / seconds, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN, errors };
}

const median = (values) => { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let daemon = null, url = args.url, token = args.token;
  if (!url) {
    daemon = await startDaemon();
    url = daemon.ws;
    token = daemon.token;
    log(`started openoptd on port ${daemon.port} (data ${daemon.dataDir})`);
  }
  const control = await Control.open(url, token);
  try {
    const info = await control.request('server/info', {});
    // Import the model.
    const bytes = fs.readFileSync(args.model);
    const t0 = nowMs();
    const imported = await control.request('model/import', { name: path.basename(args.model), binary: true }, bytes);
    const importDone = await control.done(imported.job);
    if (importDone.params.state !== 'done') throw new Error(`import failed: ${JSON.stringify(importDone.params.error)}`);
    const model = imported.model;
    log(`imported ${path.basename(args.model)} (${(bytes.length / 1e6).toFixed(1)} MB) in ${(importDone.at - t0).toFixed(0)} ms`);

    // Cache: a miss (a recipe never compiled here), then the identical compile again.
    const nonce = daemon ? 0 : 1 + Math.floor(Math.random() * 1e6);
    const baseMaxElements = 1048576;
    const missParams = { model, recipe: recipeText(baseMaxElements + nonce), recipeName: 'bench-miss.recipe.json' };
    log('cache miss: compiling...');
    const miss = await control.timedCompile(missParams);
    const hits = [];
    for (let i = 0; i < args.hits; i++) hits.push(await control.timedCompile(missParams));
    log(`miss ${miss.ms.toFixed(0)} ms (${miss.cache}); hits ${hits.map((h) => `${h.ms.toFixed(1)} ms (${h.cache})`).join(', ')}`);

    // Baseline load.
    log(`baseline: ${args.clients} clients x server/info for ${args.duration} s...`);
    const baseline = summarize('baseline (no compile)', await load(url, token, args.clients, args.warmup, args.duration));

    // The same load while compiles run back to back.
    let stop = false, compilesDone = 0, compileBusyMs = 0;
    const running = new Set();
    let next = 1;
    const chain = async () => {
      while (!stop) {
        const maxElements = baseMaxElements + nonce + 1000 + next++;
        const startedAt = nowMs();
        const started = await control.request('compile/start', { model, recipe: recipeText(maxElements), recipeName: `bench-load-${maxElements}.recipe.json` });
        running.add(started.job);
        const { at, params } = await control.done(started.job);
        running.delete(started.job);
        compileBusyMs += at - startedAt;
        if (params.state === 'done') compilesDone++;
        else if (!stop) throw new Error(`a load compile ended ${params.state}: ${JSON.stringify(params.error)}`);
      }
    };
    log(`under compile: the same load while compiles run (${args.concurrentCompiles} at a time)...`);
    const chains = Array.from({ length: args.concurrentCompiles }, chain);
    await sleep(300); // let the first compile start
    const loadStart = nowMs();
    const loaded = summarize('during compiles', await load(url, token, args.clients, args.warmup, args.duration));
    const loadMs = nowMs() - loadStart;
    stop = true;
    const unfinished = [...running];
    for (const job of unfinished) await control.request('job/cancel', { job }).catch(() => {});
    await Promise.all(chains);
    compileBusyMs = Math.min(compileBusyMs, (loadMs + 300) * args.concurrentCompiles);

    // Baseline again: on a shared machine the two baselines show how much the load itself drifted.
    log(`baseline again: ${args.clients} clients x server/info for ${args.duration} s...`);
    const baselineAfter = summarize('baseline, after', await load(url, token, args.clients, args.warmup, args.duration));

    // Report.
    const hitMedian = median(hits.map((h) => h.ms));
    const ratio = miss.ms / hitMedian;
    const cpus = os.cpus();
    const lines = [];
    lines.push(`openoptd ${info.version} (compiler ${info.compilerVersion}, ${info.workers} workers) on ${cpus.length} x ${cpus[0]?.model.trim()}; ` +
      `load generator in the same machine (Node ${process.version}, one process)`);
    lines.push('');
    lines.push(`server/info from ${args.clients} WebSocket clients, back-to-back, ${args.duration} s per phase (after ${args.warmup} s warm-up):`);
    lines.push('');
    lines.push('| phase                 | requests |   req/s | p50 ms | p95 ms | p99 ms | max ms | errors |');
    lines.push('|-----------------------|---------:|--------:|-------:|-------:|-------:|-------:|-------:|');
    for (const r of [baseline, loaded, baselineAfter])
      lines.push(`| ${r.phase.padEnd(21)} | ${String(r.requests).padStart(8)} | ${fmt(r.perSecond, 0).padStart(7)} | ${fmt(r.p50).padStart(6)} | ` +
        `${fmt(r.p95).padStart(6)} | ${fmt(r.p99).padStart(6)} | ${fmt(r.max).padStart(6)} | ${String(r.errors).padStart(6)} |`);
    lines.push('');
    lines.push(`During the loaded phase ${compilesDone} compile(s) of ${path.basename(args.model)} finished and ${unfinished.length} ` +
      `was cancelled at the end; compiles were running ${fmt(100 * Math.min(1, compileBusyMs / ((loadMs + 300) * args.concurrentCompiles)), 0)}% of the time.`);
    const base = { perSecond: (baseline.perSecond + baselineAfter.perSecond) / 2, p99: (baseline.p99 + baselineAfter.p99) / 2 };
    lines.push(`Under compile: throughput ${fmt(100 * loaded.perSecond / base.perSecond, 0)}% of the mean baseline, p99 ${fmt(loaded.p99 / base.p99, 2)}x its p99.`);
    lines.push('');
    lines.push('Compile cache (compile/start sent -> job/done received):');
    lines.push('');
    lines.push('| compile                      |    wall ms | daemon-reported compileMs | cache |');
    lines.push('|------------------------------|-----------:|--------------------------:|-------|');
    lines.push(`| first (miss)                 | ${fmt(miss.ms, 1).padStart(10)} | ${fmt(miss.compileMs, 1).padStart(25)} | ${miss.cache.padEnd(5)} |`);
    hits.forEach((h, i) => lines.push(`| identical again #${String(i + 1).padEnd(11)} | ${fmt(h.ms, 1).padStart(10)} | ${fmt(h.compileMs, 2).padStart(25)} | ${h.cache.padEnd(5)} |`));
    lines.push('');
    lines.push(`miss / hit (median of ${hits.length}): ${fmt(ratio, 0)}x  (goal >= 20x: ${ratio >= 20 && miss.cache === 'miss' && hits.every((h) => h.cache === 'hit') ? 'met' : 'NOT MET'})`);
    console.log(lines.join('\n'));
    if (args.json)
      fs.writeFileSync(args.json, JSON.stringify({ baseline, loaded, baselineAfter, miss, hits, ratio, compilesDone, clients: args.clients, duration: args.duration }) + '\n');
  } finally {
    control.close();
    if (daemon) {
      await daemon.stop();
      fs.rmSync(daemon.dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(`daemon_load: ${e.stack || e.message}`);
  process.exit(1);
});
