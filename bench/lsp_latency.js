#!/usr/bin/env node
// lsp_latency.js - edit -> publishDiagnostics latency of `openopt lsp` against mlir-lsp-server, on the same
// generated 5,000-op TOSA file, the same edits, in the same run.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const { spawn } = require('child_process');
const { pathToFileURL } = require('url');
const { StreamMessageReader, StreamMessageWriter, createMessageConnection } = require('vscode-jsonrpc/node');
const chain = require('./gen_lsp_chain');

const REPO = path.resolve(__dirname, '..');
const DEFAULT_OPENOPT = path.join(path.resolve(REPO, process.env.OPENOPT_BUILD_DIR || 'build'), 'bin', 'openopt');
const DEFAULT_PEER = '/usr/lib/llvm-22/bin/mlir-lsp-server';
const GOAL = 0.3;

const USAGE = `usage: node bench/lsp_latency.js [--layout single|functions|both] [--rounds 3] [--edits 20] [--ops 5000]
                             [--only openopt|mlir-lsp-server] [--openopt PATH] [--mlir-lsp-server PATH]
                             [--timeout 120] [--json FILE] [--keep-files]

For each layout (default both) of a generated chain of --ops TOSA ops (elementwise, a tosa.matmul every
tenth; see bench/gen_lsp_chain.js):
  single     one function holding the whole chain
  functions  the chain split into functions of 100 ops, called in a chain from @main
starts both servers fresh (ours: \`${path.relative(process.cwd(), DEFAULT_OPENOPT) || DEFAULT_OPENOPT} lsp\`, or --openopt PATH;
the peer: ${DEFAULT_PEER}, or --mlir-lsp-server PATH), initializes them, opens the file (timed, not
counted) and then sends --edits edits --rounds times to each server (the servers take turns by round, the
order alternating). The edits come in pairs at ops spread over the chain: an error (a wrong result type,
or an undefined value), then a valid change of the same line (tosa.tanh -> tosa.sigmoid, ...) that fixes it.
Each edit is a textDocument/didChange: an incremental range change to a server whose initialize result
advertises textDocumentSync change 2, the full text to one that advertises 1. A sample is the time from
sending the didChange to receiving the textDocument/publishDiagnostics with that version (or, from a
server that leaves version out, the first publish after sending); edits are sequential. Every publish is
checked: >= 1 error after an error edit, 0 errors after a valid one; a mismatch is a correctness failure
(reported, and the exit status is 1).
Prints per layout: open time, median / p95 / min / max of the samples per server, the medians of the
valid and of the error edits, and ours / mlir-lsp-server for median and p95 (goal: p95 ratio <= ${GOAL}).
--json FILE writes the raw samples and the summaries. --keep-files keeps the generated .mlir files.`;

function parseArgs(argv) {
  const { values: v } = util.parseArgs({
    args: argv,
    options: {
      layout: { type: 'string', default: 'both' }, rounds: { type: 'string', default: '3' },
      edits: { type: 'string', default: '20' }, ops: { type: 'string', default: '5000' },
      only: { type: 'string' }, openopt: { type: 'string', default: DEFAULT_OPENOPT },
      'mlir-lsp-server': { type: 'string', default: DEFAULT_PEER }, timeout: { type: 'string', default: '120' },
      json: { type: 'string' }, 'keep-files': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) { console.log(USAGE); process.exit(0); }
  const int = (k, min) => {
    const n = Number(v[k]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${k} expects an integer >= ${min}, got '${v[k]}'`);
    return n;
  };
  const oneOf = (k, allowed) => {
    if (v[k] !== undefined && !allowed.includes(v[k])) throw new Error(`--${k} expects ${allowed.join(' or ')}, got '${v[k]}'`);
    return v[k] ?? null;
  };
  const layout = oneOf('layout', ['single', 'functions', 'both']);
  const a = {
    layouts: layout === 'both' ? ['single', 'functions'] : [layout],
    rounds: int('rounds', 1), edits: int('edits', 2), ops: int('ops', 100),
    only: oneOf('only', ['openopt', 'mlir-lsp-server']),
    openopt: path.resolve(v.openopt), peer: path.resolve(v['mlir-lsp-server']),
    timeoutS: int('timeout', 1), json: v.json ?? null, keepFiles: v['keep-files'],
  };
  if (a.edits % 2) throw new Error(`--edits must be even (error / fix pairs), got ${a.edits}`);
  return a;
}

const log = (...args) => console.error('[lsp_latency]', ...args);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** One language server over stdio. */
class LspServer {
  constructor(name, command, args) {
    this.name = name;
    this.command = [command, ...args].join(' ');
    this.stderrTail = '';
    this.exited = null;
    this.publishes = 0; // all publishDiagnostics received
    this.stale = 0; // publishes for an older version than the one awaited (ignored)
    this.waiter = null;
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => { this.stderrTail = (this.stderrTail + d).slice(-4000); });
    this.exitedPromise = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        if (this.waiter) this.waiter.reject(new Error(`${name} exited (${signal || code}) while waiting for diagnostics${this.stderrHint()}`));
        resolve(this.exited);
      });
      this.proc.on('error', (e) => {
        this.exited = { code: null, signal: null, error: e };
        if (this.waiter) this.waiter.reject(e);
        resolve(this.exited);
      });
    });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout), new StreamMessageWriter(this.proc.stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (params) => this.onPublish(params, nowMs()));
    this.conn.onNotification(() => {}); // window/logMessage, $/progress, ...
    // Server -> client requests (workspace/configuration, client/registerCapability, window/workDoneProgress/create): null.
    this.conn.onRequest(() => null);
    this.conn.onError(([e]) => log(`${name}: connection error: ${e && e.message}`));
    this.conn.listen();
  }

  stderrHint() { return this.stderrTail.trim() ? `; its stderr ends:\n${this.stderrTail.trim().split('\n').slice(-10).join('\n')}` : ''; }

  onPublish(params, at) {
    this.publishes++;
    const w = this.waiter;
    if (!w || params.uri !== w.uri) return;
    if (params.version !== undefined && params.version !== null) {
      if (params.version < w.version) { this.stale++; return; }
      if (params.version !== w.version) return w.reject(new Error(`${this.name} published diagnostics for version ${params.version} while version ${w.version} was awaited`));
    }
    this.waiter = null;
    clearTimeout(w.timer);
    w.resolve({ at, params });
  }

  /** Arms the wait for the publish of `version` of `uri`; returns the promise (arm before sending). */
  expectPublish(uri, version, timeoutS) {
    if (this.waiter) throw new Error('already waiting');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`${this.name}: no publishDiagnostics for version ${version} within ${timeoutS} s${this.stderrHint()}`));
      }, timeoutS * 1000);
      this.waiter = { uri, version, resolve, reject: (e) => { clearTimeout(timer); this.waiter = null; reject(e); }, timer };
    });
  }

  async initialize(rootPath) {
    const t0 = nowMs();
    const result = await Promise.race([
      this.conn.sendRequest('initialize', {
        processId: process.pid,
        clientInfo: { name: 'openopt-bench-lsp-latency' },
        rootUri: pathToFileURL(rootPath).href,
        workspaceFolders: null,
        capabilities: {
          textDocument: {
            synchronization: { dynamicRegistration: false, didSave: false },
            publishDiagnostics: { relatedInformation: true, versionSupport: true },
          },
          window: { workDoneProgress: false },
        },
      }),
      this.exitedPromise.then((x) => { throw new Error(`${this.name} exited (${x.error ? x.error.message : x.signal || x.code}) during initialize${this.stderrHint()}`); }),
    ]);
    this.initMs = nowMs() - t0;
    this.serverInfo = result.serverInfo || null;
    const sync = result.capabilities && result.capabilities.textDocumentSync;
    this.syncKind = typeof sync === 'number' ? sync : (sync && typeof sync.change === 'number' ? sync.change : 0);
    if (this.syncKind !== 1 && this.syncKind !== 2)
      throw new Error(`${this.name} advertises textDocumentSync ${JSON.stringify(sync)}: neither full (1) nor incremental (2) change`);
    await this.conn.sendNotification('initialized', {});
  }

  async shutdown() {
    if (this.exited) return;
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 10000).unref())]);
      await this.conn.sendNotification('exit');
    } catch (e) {
      log(`${this.name}: shutdown failed (${e.message}); killing it`);
    }
    const done = await Promise.race([this.exitedPromise, new Promise((r) => setTimeout(() => r(null), 5000).unref())]);
    if (!done) {
      log(`${this.name}: still running 5 s after exit; killing it`);
      this.proc.kill('SIGKILL');
      await this.exitedPromise;
    } else if (done.code !== 0 && !done.error) {
      log(`${this.name}: exited with ${done.signal || done.code} after shutdown/exit`);
    }
    this.conn.dispose();
  }
}

const errorCount = (diags) => diags.filter((d) => d.severity === undefined || d.severity === 1).length;

/** Sends one didChange for `edit` and waits for its diagnostics; returns the sample. */
async function timedEdit(s, edit, args) {
  const { line, oldLine, newLine } = chain.applyEdit(s.doc, edit);
  const version = ++s.version;
  let contentChanges;
  if (s.server.syncKind === 2) {
    const d = chain.lineDiff(oldLine, newLine);
    contentChanges = [{ range: { start: { line, character: d.start }, end: { line, character: d.end } }, text: d.text }];
  } else {
    contentChanges = [{ text: s.doc.lines.join('\n') }];
  }
  const waiting = s.server.expectPublish(s.uri, version, args.timeoutS);
  const t0 = nowMs();
  s.server.conn.sendNotification('textDocument/didChange', { textDocument: { uri: s.uri, version }, contentChanges });
  const { at, params } = await waiting;
  const errors = errorCount(params.diagnostics);
  const ok = edit.kind === 'error' ? errors >= 1 : errors === 0;
  const sample = { ms: at - t0, kind: edit.kind, variant: edit.variant || null, op: edit.op, line, version, errors, diagnostics: params.diagnostics.length, ok };
  if (!ok) sample.firstDiagnostics = params.diagnostics.slice(0, 3).map((d) => ({ line: d.range.start.line, severity: d.severity, message: d.message }));
  return sample;
}

const sortNum = (v) => Float64Array.from(v).sort();
function median(values) {
  const s = sortNum(values), n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
/** Nearest-rank percentile. */
function percentile(values, p) {
  const s = sortNum(values);
  return s.length ? s[Math.max(0, Math.ceil(p * s.length) - 1)] : NaN;
}

function summarize(samples) {
  const ms = samples.map((x) => x.ms);
  return {
    samples: ms.length,
    median: median(ms), p95: percentile(ms, 0.95), min: ms.length ? Math.min(...ms) : NaN, max: ms.length ? Math.max(...ms) : NaN,
    medianValid: median(samples.filter((x) => x.kind === 'valid').map((x) => x.ms)),
    medianError: median(samples.filter((x) => x.kind === 'error').map((x) => x.ms)),
    wrong: samples.filter((x) => !x.ok).length,
  };
}

async function runLayout(layout, args, tmpDir) {
  const gen = chain.generate({ layout, ops: args.ops });
  const file = path.join(tmpDir, `chain_${layout}.mlir`);
  fs.writeFileSync(file, gen.text);
  const uri = pathToFileURL(file).href;
  const script = chain.editScript(gen, args.edits);
  const wanted = [
    { key: 'openopt', label: 'openopt lsp', command: args.openopt, argv: ['lsp'] },
    { key: 'mlir-lsp-server', label: 'mlir-lsp-server', command: args.peer, argv: [] },
  ].filter((w) => !args.only || args.only === w.key);

  const states = [];
  const result = { layout, ops: args.ops, lines: gen.lines.length - 1, bytes: Buffer.byteLength(gen.text), edits: args.edits, rounds: args.rounds, file, servers: {} };
  try {
    for (const w of wanted) {
      if (!fs.existsSync(w.command)) throw new Error(`${w.label}: ${w.command} does not exist${w.key === 'openopt' ? ' (build it, pass --openopt PATH, or use --only mlir-lsp-server)' : ''}`);
      const server = new LspServer(w.label, w.command, w.argv);
      const st = { key: w.key, label: w.label, server, uri, doc: chain.generate({ layout, ops: args.ops }), version: 1, samples: [], failure: null };
      states.push(st);
      await server.initialize(tmpDir);
      const waiting = server.expectPublish(uri, 1, args.timeoutS);
      const t0 = nowMs();
      server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'mlir', version: 1, text: gen.text } });
      const { at, params } = await waiting;
      st.openMs = at - t0;
      st.openErrors = errorCount(params.diagnostics);
      if (st.openErrors) {
        const d = params.diagnostics[0];
        st.failure = `the unedited file got ${st.openErrors} error(s), first: ${d.range.start.line + 1}: ${d.message}`;
      }
      log(`${layout}: ${w.label} (${server.syncKind === 2 ? 'incremental' : 'full'} sync) initialize ${fmt(server.initMs)} ms, open -> diagnostics ${fmt(st.openMs)} ms`);
    }
    for (let r = 0; r < args.rounds; r++) {
      const order = r % 2 ? [...states].reverse() : states;
      for (const st of order) {
        if (st.failure && st.failure.startsWith('the unedited')) continue;
        for (let e = 0; e < script.length; e++) {
          const sample = await timedEdit(st, script[e], args);
          sample.round = r;
          sample.edit = e;
          st.samples.push(sample);
          if (!sample.ok)
            log(`${layout}: ${st.label}: WRONG diagnostics after ${sample.kind} edit ${e} (round ${r}, line ${sample.line + 1}): ` +
              `${sample.errors} error(s) ${JSON.stringify(sample.firstDiagnostics)}`);
        }
        const s = summarize(st.samples.filter((x) => x.round === r));
        log(`${layout}: ${st.label} round ${r + 1}/${args.rounds}: median ${fmt(s.median)} ms, max ${fmt(s.max)} ms`);
      }
    }
  } finally {
    for (const st of states) {
      await st.server.shutdown();
      result.servers[st.key] = {
        label: st.label, command: st.server.command, serverInfo: st.server.serverInfo || null,
        sync: st.server.syncKind === 2 ? 'incremental' : st.server.syncKind === 1 ? 'full' : null,
        initializeMs: st.server.initMs, openMs: st.openMs, stalePublishes: st.server.stale, publishes: st.server.publishes,
        failure: st.failure, summary: summarize(st.samples), samples: st.samples,
      };
    }
    if (!args.keepFiles) fs.rmSync(file, { force: true });
  }
  const ours = result.servers.openopt, peer = result.servers['mlir-lsp-server'];
  if (ours && peer) {
    result.ratio = { median: ours.summary.median / peer.summary.median, p95: ours.summary.p95 / peer.summary.p95 };
    result.goalMet = result.ratio.p95 <= GOAL && ours.summary.wrong === 0 && !ours.failure;
  }
  return result;
}

function report(res) {
  const lines = [];
  const n = res.edits * res.rounds;
  lines.push(`### layout \`${res.layout}\`: ${res.ops.toLocaleString('en-US')} ops, ${res.lines.toLocaleString('en-US')} lines, ` +
    `${fmt(res.bytes / 1024, 0)} KiB; ${res.edits} edits x ${res.rounds} rounds = ${n} samples per server`);
  lines.push('');
  lines.push('| server          | sync        | open ms | median ms | p95 ms | min ms | max ms | med valid | med error | wrong |');
  lines.push('|-----------------|-------------|--------:|----------:|-------:|-------:|-------:|----------:|----------:|------:|');
  for (const key of ['openopt', 'mlir-lsp-server']) {
    const s = res.servers[key];
    if (!s) continue;
    const m = s.summary;
    lines.push(`| ${s.label.padEnd(15)} | ${String(s.sync).padEnd(11)} | ${fmt(s.openMs).padStart(7)} | ${fmt(m.median, 2).padStart(9)} | ` +
      `${fmt(m.p95, 2).padStart(6)} | ${fmt(m.min, 2).padStart(6)} | ${fmt(m.max, 2).padStart(6)} | ${fmt(m.medianValid, 2).padStart(9)} | ` +
      `${fmt(m.medianError, 2).padStart(9)} | ${String(m.wrong + (s.failure ? 1 : 0)).padStart(5)} |`);
  }
  lines.push('');
  if (res.ratio) {
    lines.push(`ours / mlir-lsp-server: median ${fmt(res.ratio.median, 3)}x, p95 ${fmt(res.ratio.p95, 3)}x ` +
      `(goal p95 <= ${GOAL}x: ${res.goalMet ? 'met' : 'NOT MET'})`);
    lines.push('');
  }
  for (const s of Object.values(res.servers)) if (s.failure) lines.push(`**${s.label}: ${s.failure}**`, '');
  return lines.join('\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-latency-'));
  const results = [];
  let failed = false;
  try {
    for (const layout of args.layouts) results.push(await runLayout(layout, args, tmpDir));
  } finally {
    if (!args.keepFiles) fs.rmSync(tmpDir, { recursive: true, force: true });
    else log(`kept the generated files in ${tmpDir}`);
  }
  const cpus = os.cpus();
  const out = [];
  out.push(`## LSP edit -> publishDiagnostics latency (${cpus.length} x ${cpus[0] ? cpus[0].model.trim() : '?'}, Node ${process.version})`);
  out.push('');
  const anyRes = results[0];
  for (const s of Object.values(anyRes.servers))
    out.push(`- ${s.label}: \`${s.command}\`${s.serverInfo ? ` (${s.serverInfo.name}${s.serverInfo.version ? ' ' + s.serverInfo.version : ''})` : ''}`);
  out.push('');
  for (const res of results) {
    out.push(report(res));
    for (const s of Object.values(res.servers)) if (s.failure || s.summary.wrong) failed = true;
  }
  out.push('Samples: didChange sent -> publishDiagnostics of that version received; median, nearest-rank p95. ' +
    '"med valid"/"med error": medians of the valid and of the error edits; "wrong": publishes with the wrong error count.');
  console.log(out.join('\n'));
  if (args.json)
    fs.writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus.length, goal: GOAL, layouts: results }, null, 1) + '\n');
  if (failed) {
    console.error('lsp_latency: CORRECTNESS FAILURE: some diagnostics did not match the edit (see "wrong" above)');
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(`lsp_latency: ${e.stack || e.message}`);
  process.exit(1);
});
