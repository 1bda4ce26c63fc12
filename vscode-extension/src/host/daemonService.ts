// The daemon the commands use: a local openoptd started on first use (and
// restarted with backoff when it dies), or the configured remote one with the
// token from the secret store. Owns the JSON-RPC connection, reports its
// state for the status bar, and says in a message when it is lost and back.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { apiUrl, artifactUrl, authHeaders, redact } from '../core/endpoints';
import type { DaemonStatus } from '../core/format';
import { LocalDaemon } from '../core/localDaemon';
import { ModelCommands, type ArtifactSource, type Progress } from '../core/modelCommands';
import { DaemonError, RpcConnection } from '../core/rpc';
import type { DaemonPlan, SettingProblem } from '../core/settings';
import type { Log } from './log';

export interface Connected {
  rpc: RpcConnection;
  commands: ModelCommands;
  /** http(s):// or ws(s):// base address. */
  base: string;
  token: string | null;
}

const RESTART_BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];

export function tokenKey(url: string): string {
  return `openopt.token:${url}`;
}

export class DaemonService implements vscode.Disposable {
  private plan: DaemonPlan | null = null;
  private problems: SettingProblem[] = [];
  private compilerPath: string | null = null;
  private local: LocalDaemon | null = null;
  private connected: Connected | null = null;
  private connecting: Promise<Connected> | null = null;
  private statusValue: DaemonStatus = { state: 'stopped' };
  private readonly statusEmitter = new vscode.EventEmitter<DaemonStatus>();
  private readonly endpointEmitter = new vscode.EventEmitter<void>();
  readonly onStatus = this.statusEmitter.event;
  /** A restarted local daemon listens elsewhere (the language server through WS /lsp follows). */
  readonly onEndpoint = this.endpointEmitter.event;
  private restarts = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private startedAt = 0;
  private lostSince: number | null = null;
  private lastProtocolWarning = 0;
  private generation = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly progress: Progress,
  ) {}

  get status(): DaemonStatus {
    return this.statusValue;
  }

  get currentPlan(): DaemonPlan | null {
    return this.plan;
  }

  private setStatus(status: DaemonStatus): void {
    this.statusValue = status;
    this.statusEmitter.fire(status);
  }

  /** Takes new settings; a different daemon means the old connection is closed. */
  async apply(plan: DaemonPlan | null, problems: SettingProblem[], compilerPath: string | null): Promise<void> {
    const same = JSON.stringify(plan) === JSON.stringify(this.plan) && compilerPath === this.compilerPath;
    this.problems = problems;
    if (same && problems.length === 0) {
      if (this.statusValue.state === 'error' && !this.connected) this.setStatus({ state: 'stopped' });
      return;
    }
    if (!same) await this.stop();
    this.plan = plan;
    this.compilerPath = compilerPath;
    if (problems.length > 0) this.setStatus({ state: 'error', message: problems.map((p) => p.message).join('; ') });
    else if (!this.connected) this.setStatus({ state: 'stopped' });
  }

  /** The connection, started when needed; rejects with what stops it. */
  connect(): Promise<Connected> {
    if (this.problems.length > 0) return Promise.reject(new Error(this.problems.map((p) => p.message).join('\n')));
    if (!this.plan) return Promise.reject(new Error('no daemon is configured: set openopt.remoteUrl, or openopt.daemonPath for a local one'));
    if (this.connected) return Promise.resolve(this.connected);
    this.connecting ??= this.open(this.plan, this.generation).finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(plan: DaemonPlan, generation: number): Promise<Connected> {
    let base: string;
    let token: string | null;
    if (plan.kind === 'local') {
      this.setStatus({ state: 'starting', target: 'local openoptd' });
      try {
        const running = await this.startLocal(plan.command);
        base = running.base;
        token = running.token;
      } catch (e) {
        const message = `the local openoptd did not start: ${(e as Error).message}`;
        this.log.line(message);
        if (generation === this.generation) this.setStatus({ state: 'error', message });
        throw new Error(message);
      }
    } else {
      base = plan.url;
      token = (await this.context.secrets.get(tokenKey(plan.url))) ?? null;
      this.setStatus({ state: 'starting', target: plan.url });
    }
    if (generation !== this.generation) throw new Error('the daemon settings changed while connecting');
    const rpc = new RpcConnection({ url: apiUrl(base), headers: authHeaders(token), log: (l) => this.log.line(l) });
    const connected: Connected = { rpc, base, token, commands: new ModelCommands(rpc, this.artifactSource(() => this.connected), this.progress) };
    this.watch(connected);
    this.connected = connected;
    rpc.start();
    // The first answer: a refused token or an unreachable daemon is said now,
    // to the command that asked (the connection keeps retrying unless refused).
    await rpc.call('server/info', {}, { timeoutMs: 15_000 });
    return connected;
  }

  private watch(connected: Connected): void {
    const { rpc } = connected;
    rpc.onState((state, detail) => {
      if (this.connected !== connected) return;
      const target = connected.base;
      if (state === 'open') {
        this.setStatus({ state: 'connected', target: redact(target) });
        if (this.lostSince !== null) {
          this.lostSince = null;
          this.log.line(`openoptd at ${redact(target)} is back`);
          void vscode.window.showInformationMessage(`OpenOptimizer: reconnected to openoptd at ${redact(target)}.`);
        }
      } else if (state === 'connecting') {
        if (this.statusValue.state !== 'reconnecting') this.setStatus({ state: 'starting', target: redact(target) });
      } else if (state === 'retrying') {
        this.setStatus({ state: 'reconnecting', target: redact(target), reason: detail });
        if (this.lostSince === null) {
          this.lostSince = Date.now();
          this.log.line(`lost openoptd at ${redact(target)}: ${detail}; reconnecting`);
          // A local daemon's exit is reported where it is seen (onExit).
          if (this.plan?.kind === 'remote') void vscode.window.showWarningMessage(`OpenOptimizer: lost the connection to openoptd at ${redact(target)} (${detail}). Reconnecting…`);
        }
      } else if (state === 'refused') {
        this.setStatus({ state: 'error', message: detail });
        this.log.line(detail);
        void vscode.window.showErrorMessage(`OpenOptimizer: ${detail}`, 'Set remote token').then((pick) => {
          if (pick) void vscode.commands.executeCommand('openopt.setRemoteToken');
        });
      }
    });
    rpc.onProtocolError((message) => {
      this.log.line(`protocol error: ${message}`);
      // One message a minute at most: a daemon sending garbage should not flood the window.
      if (Date.now() - this.lastProtocolWarning > 60_000) {
        this.lastProtocolWarning = Date.now();
        void vscode.window.showErrorMessage(`OpenOptimizer: openoptd sent a malformed message (ignored; details in the OpenOptimizer log): ${message.slice(0, 160)}`);
      }
    });
  }

  private async startLocal(command: string): Promise<{ base: string; token: string }> {
    const dataDir = path.join(this.context.globalStorageUri.fsPath, 'daemon');
    const local = new LocalDaemon({ command, dataDir, compilerPath: this.compilerPath, log: (l) => this.log.line(l) });
    this.local = local;
    let running: Awaited<ReturnType<LocalDaemon['start']>>;
    try {
      running = await local.start();
    } catch (e) {
      if (this.local === local) this.local = null;
      throw e;
    }
    this.startedAt = Date.now();
    this.log.line(`openoptd started (pid ${running.pid}) at ${running.base}`);
    local.onExit((description) => this.localExited(local, description));
    return running;
  }

  private localExited(local: LocalDaemon, description: string): void {
    if (this.local !== local) return;
    this.local = null;
    if (Date.now() - this.startedAt > 60_000) this.restarts = 0;
    const delay = RESTART_BACKOFF_MS[Math.min(this.restarts++, RESTART_BACKOFF_MS.length - 1)]!;
    const message = `the local ${description}; restarting it in ${delay / 1000} s`;
    this.log.line(message);
    this.setStatus({ state: 'reconnecting', target: 'local openoptd', reason: description });
    void vscode.window.showWarningMessage(`OpenOptimizer: ${message}. Running commands fail; run them again once it is back.`);
    clearTimeout(this.restartTimer);
    const generation = this.generation;
    this.restartTimer = setTimeout(() => void this.restartLocal(generation), delay);
  }

  private async restartLocal(generation: number): Promise<void> {
    if (generation !== this.generation || this.plan?.kind !== 'local' || !this.connected) return;
    const connected = this.connected;
    try {
      const running = await this.startLocal(this.plan.command);
      if (generation !== this.generation || this.connected !== connected) return;
      connected.base = running.base;
      connected.token = running.token;
      connected.rpc.setEndpoint(apiUrl(running.base), authHeaders(running.token));
      this.endpointEmitter.fire();
    } catch (e) {
      const message = `could not restart openoptd: ${(e as Error).message}`;
      this.log.line(message);
      this.setStatus({ state: 'error', message });
      void vscode.window.showErrorMessage(`OpenOptimizer: ${message}`);
      this.connected?.rpc.close();
      this.connected = null;
    }
  }

  /** Closes the connection and stops a local daemon. */
  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.restartTimer);
    const connected = this.connected;
    this.connected = null;
    this.connecting = null;
    this.lostSince = null;
    connected?.rpc.close();
    const local = this.local;
    this.local = null;
    if (local) await local.stop();
    this.setStatus(this.problems.length ? { state: 'error', message: this.problems.map((p) => p.message).join('; ') } : { state: 'stopped' });
  }

  /** A new token (or the user asked): reconnect with it. */
  async restart(): Promise<void> {
    this.restarts = 0;
    await this.stop();
  }

  /** The address and token of WS /lsp's daemon (starts it when needed). */
  async endpoint(): Promise<{ base: string; token: string | null }> {
    const c = await this.connect();
    return { base: c.base, token: c.token };
  }

  private artifactSource(current: () => Connected | null): ArtifactSource {
    const get = async (ref: { hash: string }): Promise<Response> => {
      const c = current();
      if (!c) throw new Error('not connected to openoptd');
      const res = await fetch(artifactUrl(c.base, ref.hash), { headers: authHeaders(c.token), signal: AbortSignal.timeout(60_000) });
      if (!res.ok) throw new Error(`artifact ${ref.hash.slice(0, 12)}: HTTP ${res.status}`);
      return res;
    };
    return {
      text: async (ref) => (await get(ref)).text(),
      bytes: async (ref) => new Uint8Array(await (await get(ref)).arrayBuffer()),
    };
  }

  dispose(): void {
    void this.stop();
    this.statusEmitter.dispose();
    this.endpointEmitter.dispose();
  }
}
