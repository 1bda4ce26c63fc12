// Starts the real openoptd for a test and talks to it with the npm `ws`
// client (a WebSocket implementation we did not write).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');

const repo = path.resolve(__dirname, '../../..');
const buildDir = process.env.OPENOPT_BUILD_DIR || path.join(repo, 'build');
const bin = (name) => path.join(buildDir, 'bin', name);
const benchModels = process.env.OPENOPT_BENCH_MODELS || path.resolve(repo, '../shared/bench/models');

/** Starts openoptd on a free port with a fresh (or given) data directory. */
async function startDaemon({ dataDir, args = [], env = {} } = {}) {
  const ownDir = !dataDir; // a directory made here is removed by stop()
  dataDir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'openoptd-test-'));
  const tokenFile = path.join(dataDir, 'admin.token');
  const proc = spawn(bin('openoptd'), ['--data-dir', path.join(dataDir, 'db'), '--token-file',
    tokenFile, '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19)); });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('openoptd did not start:\n' + stderr)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on https?:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`openoptd exited (${code}):\n${stderr}`)); });
  });
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  const scheme = args.includes('--tls-cert') ? 'https' : 'http';
  const daemon = {
    proc, port, token, dataDir, scheme,
    http: `${scheme}://127.0.0.1:${port}`,
    ws: `${scheme === 'https' ? 'wss' : 'ws'}://127.0.0.1:${port}/api`,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null && !proc.signalCode) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
    /** GET with the token (or `headers` as given). */
    async get(urlPath, headers = { Authorization: `Bearer ${token}` }) {
      return fetch(`${daemon.http}${urlPath}`, { headers });
    },
    async healthy() {
      const res = await daemon.get('/healthz');
      return res.status === 200 && (await res.json()).status === 'ok';
    },
  };
  return daemon;
}

/** A JSON-RPC client over one WebSocket connection. */
class RpcClient {
  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    this.pending = new Map();
    this.notifications = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    socket.on('message', (data) => this.onMessage(String(data)));
  }

  static async connect(url, token, { headers = {}, ...options } = {}) {
    const socket = new WebSocket(url, {
      headers: token ? { Authorization: `Bearer ${token}`, ...headers } : headers,
      maxPayload: 512 << 20, rejectUnauthorized: false, ...options,
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
      socket.once('unexpected-response', (req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    });
    return new RpcClient(socket);
  }

  onMessage(text) {
    const message = JSON.parse(text);
    for (const m of Array.isArray(message) ? message : [message]) {
      if (m.id !== undefined && this.pending.has(m.id)) {
        this.pending.get(m.id)(m);
        this.pending.delete(m.id);
      } else if (m.method) {
        this.notifications.push(m);
        this.waiters = this.waiters.filter((w) => !w(m));
      } else {
        this.notifications.push(m);
      }
    }
  }

  /** Sends a request; resolves with the whole response ({result} or {error}). */
  request(method, params) {
    const id = this.nextId++;
    const done = new Promise((resolve) => this.pending.set(id, resolve));
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return done;
  }

  /** Sends a request; resolves with its result or throws its error. */
  async call(method, params = {}) {
    const response = await this.request(method, params);
    if (response.error) throw Object.assign(new Error(`${method}: ${response.error.message}`), { rpc: response.error });
    return response.result;
  }

  /** Sends raw text and resolves with the next message that is a response. */
  raw(text) {
    return new Promise((resolve) => {
      const handler = (data) => {
        const m = JSON.parse(String(data));
        if (Array.isArray(m) || m.method === undefined) { this.socket.off('message', handler); resolve(m); }
      };
      this.socket.on('message', handler);
      this.socket.send(text);
    });
  }

  /** Resolves with the job/done notification of `jobId`. */
  waitJob(jobId, timeoutMs = 300000) {
    const seen = this.notifications.find((n) => n.method === 'job/done' && n.params.job === jobId);
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`job ${jobId} did not finish`)), timeoutMs);
      this.waiters.push((m) => {
        if (m.method === 'job/done' && m.params.job === jobId) { clearTimeout(timer); resolve(m.params); return true; }
        return false;
      });
    });
  }

  /** Starts a job with `method` and waits for its job/done. */
  async job(method, params) {
    const started = await this.call(method, params);
    const done = await this.waitJob(started.job);
    return { started, done };
  }

  close() { this.socket.close(); return this.closed; }
}

function runCli(args) {
  return execFileSync(bin('openopt'), args, { encoding: 'utf8', maxBuffer: 256 << 20 });
}

/** Runs the CLI without blocking the event loop; rejects with its stderr. */
function runCliAsync(args) {
  const { execFile } = require('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(bin('openopt'), args, { encoding: 'utf8', maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`openopt ${args[0]} failed: ${stderr}`));
      else resolve(stdout);
    });
  });
}

module.exports = { startDaemon, RpcClient, runCli, runCliAsync, bin, repo, benchModels };
