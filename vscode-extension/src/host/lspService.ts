// The language client for .mlir files and *.recipe.json recipes: `openopt lsp`
// over stdio, or a daemon's WS /lsp (reopened with backoff when it closes).
// The server lists Run / Show graph / Show passes / Preview pipeline as its
// commands; the extension carries them out itself (through the daemon's API,
// and they must exist while no server runs), so the client is kept from
// registering them.
import * as vscode from 'vscode';
import type WebSocket from 'ws';
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type DocumentSelector,
  type ExecuteCommandOptions,
  type LanguageClientOptions,
  type RegistrationData,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { authHeaders, lspUrl } from '../core/endpoints';
import { WebSocketMessageReader, WebSocketMessageWriter, openLspSocket } from '../core/lspSocket';
import { DaemonError } from '../core/rpc';
import type { LspPlan, SettingProblem } from '../core/settings';
import type { DaemonService } from './daemonService';
import type { Log } from './log';

/** Commands the extension registers itself. */
export const CLIENT_SIDE_COMMANDS = new Set(['openopt.run', 'openopt.showGraph', 'openopt.showPasses', 'openopt.previewPipeline']);

export const MLIR_SELECTOR: DocumentSelector = [{ language: 'mlir' }, { pattern: '**/*.recipe.json' }];

const RECONNECT_MS = [1000, 2000, 4000, 8000, 15000];

export type LspStatus = 'off' | 'starting' | 'running' | 'reconnecting' | 'failed';

export class LspService implements vscode.Disposable {
  private client: LanguageClient | null = null;
  private plan: LspPlan | null = null;
  private generation = 0;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private statusValue: LspStatus = 'off';
  private readonly statusEmitter = new vscode.EventEmitter<LspStatus>();
  readonly onStatus = this.statusEmitter.event;
  private lastError = '';
  private lastMalformedWarning = 0;

  constructor(
    private readonly log: Log,
    private readonly daemon: DaemonService,
  ) {}

  private setStatus(s: LspStatus): void {
    this.statusValue = s;
    this.statusEmitter.fire(s);
  }

  async apply(plan: LspPlan | null, problems: SettingProblem[]): Promise<void> {
    // The same plan, running or on its way (connecting, reconnecting), stays as it is.
    if (JSON.stringify(plan) === JSON.stringify(this.plan) && this.statusValue !== 'off' && this.statusValue !== 'failed') return;
    await this.stop();
    this.plan = plan;
    if (!plan) {
      if (problems.length) this.log.line(`language server not started: ${problems.map((p) => p.message).join('; ')}`);
      return;
    }
    this.start();
  }

  /** The daemon moved (restarted local daemon, new token): a client through WS /lsp follows. */
  async daemonChanged(): Promise<void> {
    if (this.plan?.kind !== 'daemon') return;
    await this.restart();
  }

  async restart(): Promise<void> {
    const plan = this.plan;
    await this.stop();
    this.plan = plan;
    this.attempt = 0;
    if (plan) this.start();
  }

  private start(): void {
    const plan = this.plan;
    if (!plan) return;
    const generation = ++this.generation;
    this.setStatus('starting');
    if (plan.kind === 'stdio') {
      this.log.line(`starting the language server: ${plan.command} lsp`);
      this.startClient(generation, plan, { command: plan.command, args: ['lsp'] });
      return;
    }
    // Through the daemon: the socket is opened first, so that a daemon that
    // cannot be reached (or refuses the token) is said once, in words, and
    // retried, without a client that failed to start.
    this.log.line('connecting the language server through the daemon (WS /lsp)');
    void (async () => {
      let socket: WebSocket;
      try {
        const { base, token } = await this.daemon.endpoint();
        socket = await openLspSocket(lspUrl(base), authHeaders(token));
      } catch (e) {
        if (generation !== this.generation) return;
        const message = e instanceof Error ? e.message : String(e);
        this.log.line(`language server: ${message}`);
        if (e instanceof DaemonError && e.kind === 'refused') {
          // The daemon connection says so; a new token restarts this.
          this.setStatus('failed');
          return;
        }
        if (message !== this.lastError) void vscode.window.showErrorMessage(`OpenOptimizer language server: ${message}`);
        this.lastError = message;
        this.scheduleReconnect(generation, message);
        return;
      }
      if (generation !== this.generation) {
        socket.close();
        return;
      }
      const reader = new WebSocketMessageReader(socket, (text) => this.malformed(text));
      const writer = new WebSocketMessageWriter(socket);
      this.startClient(generation, plan, async () => ({ reader, writer }));
    })();
  }

  private startClient(generation: number, plan: LspPlan, serverOptions: ServerOptions): void {
    const clientOptions: LanguageClientOptions = {
      documentSelector: MLIR_SELECTOR,
      outputChannel: this.log.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationFailedHandler: (e) => {
        this.log.line(`language server failed to initialise: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      },
    };
    if (plan.kind === 'daemon') {
      // Reconnection is ours (with backoff, to the daemon's current address).
      clientOptions.errorHandler = {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => {
          if (generation === this.generation) this.scheduleReconnect(generation, 'the connection to the language server closed');
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      };
    }
    const client = new LanguageClient('openopt', 'OpenOptimizer', serverOptions, clientOptions);
    keepCommandsClientSide(client);
    this.client = client;
    client.onDidChangeState((e) => {
      if (generation !== this.generation) return;
      if (e.newState === State.Running) {
        this.attempt = 0;
        this.lastError = '';
        this.setStatus('running');
        this.log.line('language server running');
      }
    });
    client.start().catch((e: unknown) => {
      if (generation !== this.generation) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.line(`language server: ${message}`);
      if (plan.kind === 'daemon') this.scheduleReconnect(generation, message);
      else {
        this.setStatus('failed');
        void vscode.window.showErrorMessage(`OpenOptimizer: the language server (${plan.command} lsp) did not start: ${message}`);
      }
    });
  }

  /** A frame that is not JSON-RPC: logged and skipped; said once a minute at most. */
  private malformed(text: string): void {
    this.log.line(`language server sent a malformed message (ignored): ${text}`);
    if (Date.now() - this.lastMalformedWarning < 60_000) return;
    this.lastMalformedWarning = Date.now();
    void vscode.window.showErrorMessage(`OpenOptimizer: the language server sent a malformed message (ignored; details in the OpenOptimizer log): ${text.slice(0, 120)}`);
  }

  private scheduleReconnect(generation: number, why: string): void {
    if (generation !== this.generation) return;
    const delay = RECONNECT_MS[Math.min(this.attempt++, RECONNECT_MS.length - 1)]!;
    this.setStatus('reconnecting');
    this.log.line(`language server: ${why}; reconnecting in ${delay / 1000} s`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (generation !== this.generation) return;
      const old = this.client;
      this.client = null;
      void (old ? stopQuietly(old) : Promise.resolve()).then(() => {
        if (generation === this.generation) this.start();
      });
    }, delay);
  }

  /** Asks the server for the pipeline a recipe resolves to. */
  async previewPipeline(uri: string): Promise<unknown> {
    const client = this.client;
    if (!client || !client.isRunning()) throw new Error('the language server is not running');
    return client.sendRequest(ExecuteCommandRequest.type, { command: 'openopt.previewPipeline', arguments: [{ uri }] });
  }

  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.plan = null;
    if (client) await stopQuietly(client);
    this.setStatus('off');
  }

  dispose(): void {
    void this.stop();
    this.statusEmitter.dispose();
  }
}

/** Drops the extension's own commands from what the server asks the client to register. */
function keepCommandsClientSide(client: LanguageClient): void {
  const feature = client.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data: RegistrationData<ExecuteCommandOptions>) =>
    register({ ...data, registerOptions: { ...data.registerOptions, commands: data.registerOptions.commands.filter((c) => !CLIENT_SIDE_COMMANDS.has(c)) } });
}

async function stopQuietly(client: LanguageClient): Promise<void> {
  // A client stopped while it starts would finish starting afterwards, with
  // its features registered on a disposed client: let the start settle first.
  if (client.state === State.Starting) await Promise.race([client.start().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
  try {
    if (client.isRunning()) await client.stop(2000);
  } catch {
    // the connection is gone already
  }
  try {
    await client.dispose(500);
  } catch {
    // nothing left to shut down
  }
}
