// JSON-RPC 2.0 over a daemon's WS /api from Node (the npm `ws` client), for
// the extension host: nothing may hang it, so every call has a time limit,
// calls made while the daemon is away wait a bounded time for it, and calls
// sent on a connection that closes fail at once with what happened. The
// connection comes back by itself (with backoff), except after a refused
// token, which waits for a new one. Types come from schemas/ through the web
// UI's generated declarations.
import WebSocket from 'ws';
import type { JobResults, Method, Params, Result, Schemas } from '../../../webui/src/api/methods';
import type { JobOutcome, JobProgress } from '../../../webui/src/api/rpc';
import { redact } from './endpoints';

export type { JobOutcome, JobProgress, JobResults, Method, Params, Result, Schemas };

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'retrying' | 'refused' | 'stopped';

export type DaemonErrorKind = 'unreachable' | 'refused' | 'timeout' | 'closed' | 'rpc' | 'protocol';

export class DaemonError extends Error {
  constructor(readonly kind: DaemonErrorKind, message: string, readonly code?: number) {
    super(message);
    this.name = 'DaemonError';
  }
}


export interface RpcOptions {
  /** ws:// or wss:// address of /api. */
  url: string;
  /** Sent with the upgrade (Authorization). */
  headers?: Record<string, string>;
  /** Delays between reconnection attempts, ms; the last repeats. */
  backoffMs?: number[];
  /** How long the WebSocket handshake may take. */
  handshakeTimeoutMs?: number;
  /** How long a call waits for a connection before it fails. */
  connectWaitMs?: number;
  /** Default time limit of a call (answer, not job). */
  callTimeoutMs?: number;
  /** How long a job whose connection dropped waits for the next one. */
  jobGraceMs?: number;
  /** Largest message accepted from the daemon. */
  maxPayload?: number;
  /** Where odd things are reported (a malformed message, a reconnection). */
  log?: (line: string) => void;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  limit: number;
  /** Not yet sent: waiting for a connection. */
  queued: { message: string | Buffer } | null;
}

interface TrackedJob {
  method: string;
  onProgress: (p: JobProgress) => void;
  settle: (outcome: JobOutcome<unknown>) => void;
  graceTimer?: ReturnType<typeof setTimeout>;
  polling?: boolean;
}

type Listener<T extends unknown[]> = (...args: T) => void;

class Emitter<T extends unknown[]> {
  private listeners = new Set<Listener<T>>();
  on(l: Listener<T>): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(...args: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(...args);
      } catch {
        // a listener's failure is not the connection's
      }
    }
  }
}

const DEFAULT_BACKOFF = [500, 1000, 2000, 4000, 8000, 15000];

export class RpcConnection {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private jobs = new Map<string, TrackedJob>();
  /** job/done that came before the reply that names the job was handled (same network read). */
  private earlyDone = new Map<string, Schemas.JobDoneNotification>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private everOpened = false;
  private stateValue: ConnectionState = 'idle';
  private detailValue = '';
  private readonly stateEvents = new Emitter<[ConnectionState, string]>();
  private readonly notificationEvents = new Emitter<[string, unknown]>();
  private readonly protocolEvents = new Emitter<[string]>();
  private readonly reconnectEvents = new Emitter<[]>();

  constructor(private options: RpcOptions) {}

  get state(): ConnectionState {
    return this.stateValue;
  }
  /** Why the connection is not open, in words (empty when open). */
  get detail(): string {
    return this.detailValue;
  }
  get url(): string {
    return this.options.url;
  }

  onState(l: Listener<[ConnectionState, string]>): () => void {
    return this.stateEvents.on(l);
  }
  onNotification(l: Listener<[string, unknown]>): () => void {
    return this.notificationEvents.on(l);
  }
  /** A message from the daemon that is not valid JSON-RPC (logged, then ignored). */
  onProtocolError(l: Listener<[string]>): () => void {
    return this.protocolEvents.on(l);
  }
  /** After a reconnection (not the first connection). */
  onReconnect(l: Listener<[]>): () => void {
    return this.reconnectEvents.on(l);
  }

  /** Opens the connection (calls do it too). */
  start(): void {
    if (this.stateValue === 'idle') this.connect();
  }

  /** Points the client at another address or token (a restarted local daemon, a new token). */
  setEndpoint(url: string, headers?: Record<string, string>): void {
    this.options = { ...this.options, url, headers };
    this.dropConnection('the daemon moved to another address');
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    if (this.stateValue !== 'stopped') this.connect();
  }

  /** Tries again now (after a refused token was replaced, or on the user's request). */
  reconnectNow(): void {
    if (this.stateValue === 'stopped' || this.stateValue === 'open' || this.stateValue === 'connecting') return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.connect();
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.setState('stopped', 'closed');
    this.dropConnection('the connection was closed');
    for (const [id, job] of this.jobs) {
      clearTimeout(job.graceTimer);
      this.jobs.delete(id);
      job.settle({ state: 'failed', error: { code: -32099, message: 'the connection to openoptd was closed' } });
    }
  }

  call<M extends Method>(method: M, params: Params<M>, options: { timeoutMs?: number } = {}): Promise<Result<M>> {
    return this.send(method, params, options.timeoutMs) as Promise<Result<M>>;
  }

  /** Starts a job and resolves when it ends (done, failed, cancelled), reporting progress. */
  async job<M extends Method & keyof JobResults>(
    method: M,
    params: Params<M>,
    onProgress: (p: JobProgress) => void = () => {},
    options: { timeoutMs?: number; callTimeoutMs?: number; onStarted?: (job: string) => void } = {},
  ): Promise<JobOutcome<JobResults[M]> & { started: Schemas.CommonJobStarted }> {
    const started = (await this.call(method, params, { timeoutMs: options.callTimeoutMs })) as Schemas.CommonJobStarted;
    if (!started || typeof started.job !== 'string') throw new DaemonError('protocol', `${method}: the daemon's reply names no job`);
    options.onStarted?.(started.job);
    const outcome = await new Promise<JobOutcome<unknown>>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tracked: TrackedJob = {
        method,
        onProgress,
        settle: (o) => {
          clearTimeout(timer);
          clearTimeout(tracked.graceTimer);
          resolve(o);
        },
      };
      if (options.timeoutMs) {
        timer = setTimeout(() => {
          if (this.jobs.get(started.job) !== tracked) return;
          this.jobs.delete(started.job);
          tracked.settle({ state: 'failed', error: { code: -32012, message: `${method} did not finish within ${Math.round(options.timeoutMs! / 1000)} s` } });
          void this.call('job/cancel', { job: started.job }).catch(() => {});
        }, options.timeoutMs);
      }
      this.jobs.set(started.job, tracked);
      const early = this.earlyDone.get(started.job);
      if (early) {
        this.earlyDone.delete(started.job);
        this.finishJob(started.job, early);
      } else if (this.stateValue !== 'open') {
        this.jobConnectionLost(started.job, tracked);
      }
    });
    return { ...(outcome as JobOutcome<JobResults[M]>), started };
  }

  cancelJob(job: string): Promise<Result<'job/cancel'>> {
    return this.call('job/cancel', { job });
  }

  // ------------------------------------------------------------ internals

  private send(method: string, params: unknown, timeoutMs?: number): Promise<unknown> {
    const id = this.nextId++;
    const text = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    const limit = timeoutMs ?? this.options.callTimeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      if (this.stateValue === 'stopped') {
        reject(new DaemonError('closed', `${method}: the connection to openoptd was closed`));
        return;
      }
      if (this.stateValue === 'refused') {
        reject(new DaemonError('refused', `${method}: ${this.detailValue}`));
        return;
      }
      const pending: Pending = { method, resolve, reject, limit, queued: null, timer: undefined };
      this.pending.set(id, pending);
      if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
      else {
        pending.queued = { message: text };
        if (this.stateValue === 'idle') this.connect();
      }
      this.armTimer(id, pending);
    });
  }

  /** A queued call waits connectWaitMs for a connection; a sent one its limit for the answer. */
  private armTimer(id: number, pending: Pending): void {
    clearTimeout(pending.timer);
    const wait = pending.queued ? Math.min(pending.limit, this.options.connectWaitMs ?? 10_000) : pending.limit;
    pending.timer = setTimeout(() => {
      if (this.pending.get(id) !== pending) return;
      this.pending.delete(id);
      if (pending.queued)
        pending.reject(new DaemonError('unreachable', `${pending.method}: could not reach openoptd at ${redact(this.options.url)}${this.detailValue ? `: ${this.detailValue}` : ''} (still retrying)`));
      else pending.reject(new DaemonError('timeout', `${pending.method}: openoptd at ${redact(this.options.url)} did not answer within ${Math.round(pending.limit / 1000)} s`));
    }, wait);
  }

  private setState(state: ConnectionState, detail: string): void {
    if (state === this.stateValue && detail === this.detailValue) return;
    this.stateValue = state;
    this.detailValue = detail;
    this.stateEvents.emit(state, detail);
  }

  private connect(): void {
    if (this.stateValue === 'stopped') return;
    clearTimeout(this.retryTimer);
    this.setState('connecting', this.detailValue);
    const url = this.options.url;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, {
        headers: this.options.headers,
        handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
        maxPayload: this.options.maxPayload ?? 256 << 20,
      });
    } catch (e) {
      this.setState('retrying', (e as Error).message);
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    let refused: string | null = null;
    let lastError = '';
    socket.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      if (status === 401 || status === 403)
        refused = `openoptd at ${redact(url)} refused the token (HTTP ${status}); set the right one with "OpenOptimizer: Set remote token"`;
      else lastError = `the upgrade to WebSocket was answered with HTTP ${status}`;
      res.resume();
      socket.terminate();
    });
    socket.on('error', (e: Error & { code?: string }) => {
      lastError = e.code === 'ECONNREFUSED' ? 'connection refused (is openoptd running?)' : e.message;
    });
    socket.on('open', () => {
      if (this.socket !== socket) return;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setState('open', '');
      for (const [id, p] of this.pending) {
        if (!p.queued) continue;
        socket.send(p.queued.message);
        p.queued = null;
        this.armTimer(id, p);
      }
      if (reconnected) {
        this.options.log?.(`reconnected to ${redact(url)}`);
        for (const [id, job] of this.jobs) this.pollJob(id, job);
        this.reconnectEvents.emit();
      }
    });
    socket.on('message', (data, isBinary) => {
      if (this.socket !== socket) return;
      if (isBinary) {
        this.protocolError(`openoptd sent a binary message of ${bufferLength(data)} bytes where JSON text was expected`);
        return;
      }
      this.onMessage(String(data));
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const why = refused ?? (lastError || (code === 1006 ? 'the connection was lost' : `closed (${code}${reason.length ? ` ${String(reason)}` : ''})`));
      this.failSent(`the connection to openoptd at ${redact(url)} closed: ${why}`);
      if (refused) {
        this.setState('refused', refused);
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          clearTimeout(p.timer);
          p.reject(new DaemonError('refused', `${p.method}: ${refused}`));
        }
        for (const [id, job] of this.jobs) this.jobConnectionLost(id, job);
        return;
      }
      if (this.stateValue === 'stopped') return;
      this.setState('retrying', why);
      for (const [id, job] of this.jobs) this.jobConnectionLost(id, job);
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF;
    const delay = backoff[Math.min(this.attempt++, backoff.length - 1)] ?? 15_000;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Requests sent on a connection that is gone will never be answered. */
  private failSent(message: string): void {
    for (const [id, p] of this.pending) {
      if (p.queued) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new DaemonError('closed', `${p.method}: ${message}`));
    }
  }

  private dropConnection(message: string): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.terminate();
    for (const [id, p] of this.pending) {
      if (p.queued && this.stateValue !== 'stopped') continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new DaemonError('closed', `${p.method}: ${message}`));
    }
  }

  private protocolError(message: string): void {
    this.options.log?.(message);
    this.protocolEvents.emit(message);
  }

  private onMessage(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.protocolError(`openoptd sent a message that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) this.onOne(m);
  }

  private onOne(m: unknown): void {
    if (!isObject(m)) {
      this.protocolError(`openoptd sent a JSON-RPC message that is not an object: ${JSON.stringify(m).slice(0, 200)}`);
      return;
    }
    if (typeof m.method === 'string' && m.id === undefined) {
      this.onNotificationMessage(m.method, m.params);
      return;
    }
    if (typeof m.id !== 'number') {
      this.protocolError(`openoptd sent a message with neither a method nor a request id: ${JSON.stringify(m).slice(0, 200)}`);
      return;
    }
    const pending = this.pending.get(m.id);
    if (!pending) return; // answered after its time limit
    this.pending.delete(m.id);
    clearTimeout(pending.timer);
    if (m.error !== undefined) {
      const e = m.error;
      if (isObject(e) && typeof e.code === 'number' && typeof e.message === 'string') pending.reject(new DaemonError('rpc', `${pending.method}: ${e.message}`, e.code));
      else {
        this.protocolError(`openoptd answered ${pending.method} with a malformed error: ${JSON.stringify(e).slice(0, 200)}`);
        pending.reject(new DaemonError('protocol', `${pending.method}: openoptd answered with a malformed error`));
      }
    } else if (!('result' in m)) {
      this.protocolError(`openoptd answered ${pending.method} with neither a result nor an error`);
      pending.reject(new DaemonError('protocol', `${pending.method}: openoptd's answer had neither a result nor an error`));
    } else {
      pending.resolve(m.result);
    }
  }

  private onNotificationMessage(method: string, params: unknown): void {
    if (method === 'job/progress') {
      if (!isObject(params) || typeof params.job !== 'string' || typeof params.progress !== 'number') {
        this.protocolError(`openoptd sent a malformed job/progress: ${JSON.stringify(params).slice(0, 200)}`);
        return;
      }
      const p: JobProgress = { job: params.job, kind: String(params.kind ?? ''), progress: params.progress, message: String(params.message ?? '') };
      this.jobs.get(p.job)?.onProgress(p);
    } else if (method === 'job/done') {
      if (!isObject(params) || typeof params.job !== 'string' || typeof params.state !== 'string') {
        this.protocolError(`openoptd sent a malformed job/done: ${JSON.stringify(params).slice(0, 200)}`);
        return;
      }
      const done = params as unknown as Schemas.JobDoneNotification;
      if (this.jobs.has(done.job)) this.finishJob(done.job, done);
      else {
        this.earlyDone.set(done.job, done);
        if (this.earlyDone.size > 64) this.earlyDone.delete(this.earlyDone.keys().next().value!);
      }
    }
    this.notificationEvents.emit(method, params);
  }

  private finishJob(id: string, done: Schemas.JobDoneNotification): void {
    const tracked = this.jobs.get(id);
    if (!tracked) return;
    if (done.state === 'done' && done.result === undefined) {
      // The result is stored before job/done is sent: fetch it.
      this.pollJob(id, tracked);
      return;
    }
    this.jobs.delete(id);
    tracked.settle({ state: done.state, result: done.result, error: done.error });
  }

  /** Notifications of a lost connection are lost too: wait a while for the next one, then give up. */
  private jobConnectionLost(id: string, tracked: TrackedJob): void {
    if (tracked.graceTimer) return;
    const grace = this.options.jobGraceMs ?? 20_000;
    tracked.graceTimer = setTimeout(() => {
      tracked.graceTimer = undefined;
      if (this.stateValue === 'open' || this.jobs.get(id) !== tracked) return;
      this.jobs.delete(id);
      tracked.settle({
        state: 'failed',
        error: { code: -32099, message: `the connection to openoptd at ${redact(this.options.url)} was lost while the job ran${this.detailValue ? ` (${this.detailValue})` : ''}` },
      });
    }, grace);
  }

  private pollJob(id: string, tracked: TrackedJob): void {
    clearTimeout(tracked.graceTimer);
    tracked.graceTimer = undefined;
    if (tracked.polling) return;
    tracked.polling = true;
    const tick = async () => {
      if (this.jobs.get(id) !== tracked) return;
      try {
        const { job } = await this.call('job/get', { job: id });
        if (this.jobs.get(id) !== tracked) return;
        if (job.state === 'queued' || job.state === 'running') {
          tracked.onProgress({ job: id, kind: job.kind, progress: job.progress, message: job.message });
          setTimeout(() => void tick(), 300);
          return;
        }
        this.jobs.delete(id);
        tracked.settle({ state: job.state, result: job.result, error: job.error });
      } catch (e) {
        if (this.jobs.get(id) !== tracked) return;
        if (e instanceof DaemonError && e.kind === 'rpc') {
          // e.g. the job is unknown to a daemon that lost its database
          this.jobs.delete(id);
          tracked.settle({ state: 'failed', error: { code: e.code ?? -32000, message: e.message } });
          return;
        }
        if (this.stateValue === 'open') setTimeout(() => void tick(), 1000);
        else {
          tracked.polling = false;
          this.jobConnectionLost(id, tracked);
        }
      }
    };
    void tick();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bufferLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
