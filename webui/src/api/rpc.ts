// JSON-RPC 2.0 over the daemon's WS /api, with reconnection: calls made while
// the daemon is away wait for the next connection; jobs that were running
// when it dropped are resynchronised with job/get (notifications only reach
// the connection that started a job).
import type { JobResults, Method, Params, Result, Schemas } from './methods';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export class RpcError extends Error {
  constructor(readonly code: number, message: string, readonly method: string) {
    super(`${method}: ${message}`);
  }
}

export interface JobProgress {
  job: string;
  kind: string;
  progress: number;
  message: string;
}

export interface JobOutcome<R> {
  state: 'done' | 'failed' | 'cancelled' | 'interrupted';
  result?: R;
  error?: Schemas.CommonJobError;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  method: string;
}

interface TrackedJob {
  kind: string;
  onProgress: (p: JobProgress) => void;
  settle: (outcome: JobOutcome<unknown>) => void;
}

type SocketFactory = (url: string) => WebSocket;

export interface RpcClientOptions {
  url: string;
  /** Delays between reconnection attempts, ms; the last repeats. */
  backoffMs?: number[];
  socketFactory?: SocketFactory;
}

export class RpcClient {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Messages waiting for a connection, by request id. */
  private outbox: { id: number; message: string | Uint8Array }[] = [];
  private jobs = new Map<string, TrackedJob>();
  private stateListeners = new Set<(s: ConnectionState) => void>();
  private reconnectListeners = new Set<() => void>();
  private attempt = 0;
  private everOpened = false;
  private stopped = false;
  state: ConnectionState = 'connecting';

  constructor(private readonly options: RpcClientOptions) {
    this.connect();
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  /** Called after every reconnection (not the first connection): views reload. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  call<M extends Method>(method: M, params: Params<M>, binary?: Uint8Array): Promise<Result<M>> {
    const id = this.nextId++;
    const text = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      if (binary) {
        // The request's JSON text, one NUL byte, then the payload (model/import).
        const head = new TextEncoder().encode(text);
        const message = new Uint8Array(head.length + 1 + binary.length);
        message.set(head, 0);
        message.set(binary, head.length + 1);
        this.send(id, message);
      } else {
        this.send(id, text);
      }
    });
  }

  /** Starts a job and resolves when it ends, reporting progress on the way. */
  async job<M extends Method & keyof JobResults>(
    method: M,
    params: Params<M>,
    onProgress: (p: JobProgress) => void = () => {},
    binary?: Uint8Array,
  ): Promise<JobOutcome<JobResults[M]> & { started: Schemas.CommonJobStarted }> {
    let settle!: (o: JobOutcome<unknown>) => void;
    const done = new Promise<JobOutcome<unknown>>((resolve) => (settle = resolve));
    const started = (await this.call(method, params, binary)) as Schemas.CommonJobStarted;
    // job/done can only arrive after the reply (the daemon sends it after), so registering here is in time.
    this.jobs.set(started.job, { kind: method, onProgress, settle });
    const outcome = (await done) as JobOutcome<JobResults[M]>;
    return { ...outcome, started };
  }

  cancelJob(job: string): Promise<Result<'job/cancel'>> {
    return this.call('job/cancel', { job });
  }

  close(): void {
    this.stopped = true;
    this.socket?.close();
  }

  private send(id: number, message: string | Uint8Array): void {
    const open = 1; // WebSocket.OPEN
    if (this.socket && this.socket.readyState === open) this.socket.send(message);
    else this.outbox.push({ id, message });
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const socket = (this.options.socketFactory ?? ((u) => new WebSocket(u)))(this.options.url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setState('open');
      const outbox = this.outbox;
      this.outbox = [];
      for (const m of outbox) socket.send(m.message);
      if (reconnected) {
        void this.resyncJobs();
        for (const l of this.reconnectListeners) l();
      }
    };
    socket.onmessage = (event) => this.onMessage(typeof event.data === 'string' ? event.data : '');
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      // Requests sent on this connection will never be answered: fail them.
      // Those still waiting in the outbox were never sent and wait for the next one.
      const unsent = new Set(this.outbox.map((m) => m.id));
      for (const [id, p] of this.pending) {
        if (unsent.has(id)) continue;
        p.reject(new RpcError(-32099, 'the connection to openoptd closed', p.method));
        this.pending.delete(id);
      }
      // A refused upgrade (401) looks like any other failure to a browser; the app
      // checks the token over HTTP (token.ts) before it connects.
      this.setState('closed');
      if (this.stopped) return;
      const backoff = this.options.backoffMs ?? [250, 500, 1000, 2000, 4000];
      const delay = backoff[Math.min(this.attempt++, backoff.length - 1)] ?? 2000;
      setTimeout(() => this.connect(), delay);
    };
    socket.onerror = () => {
      /* onclose follows and reconnects */
    };
  }

  private onMessage(text: string): void {
    let message: { id?: number; result?: unknown; error?: { code: number; message: string }; method?: string; params?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.method === 'job/progress') {
      const p = message.params as JobProgress;
      this.jobs.get(p.job)?.onProgress(p);
      return;
    }
    if (message.method === 'job/done') {
      const p = message.params as Schemas.JobDoneNotification;
      void this.finishJob(p.job);
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.error) pending.reject(new RpcError(message.error.code, message.error.message, pending.method));
    else pending.resolve(message.result);
  }

  /** Fetches a finished job's result (stored before job/done is sent) and settles its waiter. */
  private async finishJob(id: string): Promise<void> {
    const tracked = this.jobs.get(id);
    if (!tracked) return;
    try {
      const { job } = await this.call('job/get', { job: id });
      if (job.state === 'queued' || job.state === 'running') return;
      this.jobs.delete(id);
      tracked.settle({ state: job.state, result: job.result, error: job.error });
    } catch (e) {
      if (e instanceof RpcError && e.code === -32099) return; // resync after reconnecting
      this.jobs.delete(id);
      tracked.settle({ state: 'failed', error: { code: -32000, message: (e as Error).message } });
    }
  }

  /** After a reconnection: notifications of the old connection are lost, so poll. */
  private async resyncJobs(): Promise<void> {
    for (const id of [...this.jobs.keys()]) {
      const tracked = this.jobs.get(id);
      if (!tracked) continue;
      this.pollJob(id, tracked);
    }
  }

  private pollJob(id: string, tracked: TrackedJob): void {
    const tick = async () => {
      if (!this.jobs.has(id)) return;
      try {
        const { job } = await this.call('job/get', { job: id });
        if (job.state === 'queued' || job.state === 'running') {
          tracked.onProgress({ job: id, kind: job.kind, progress: job.progress, message: job.message });
          setTimeout(tick, 300);
          return;
        }
        this.jobs.delete(id);
        tracked.settle({ state: job.state, result: job.result, error: job.error });
      } catch {
        setTimeout(tick, 1000);
      }
    };
    void tick();
  }
}
