// The connection to openoptd's `WS /lsp` through monaco-languageclient. The
// socket is reopened with backoff whenever it closes (daemon restarted, session
// ended with 1011 after a crash of the analysis); the new client re-sends
// didOpen for every open model, so the current document is re-analysed.
import { MonacoLanguageClient } from 'monaco-languageclient';
import { CloseAction, ErrorAction, RevealOutputChannelOn } from 'vscode-languageclient/browser.js';
import type * as vscode from 'vscode';
import { WebSocketMessageReader, WebSocketMessageWriter, type IWebSocket } from 'vscode-ws-jsonrpc';
import { MLIR_LANGUAGE_ID, RECIPE_LANGUAGE_ID } from './languages';

export interface LspConnectionOptions {
  /** Full ws:// or wss:// URL of `/lsp`, including `?token=`. */
  url: string;
}

export type LspState = 'connecting' | 'connected' | 'disconnected' | 'disposed';

type CommandListener = (command: string, args: unknown[], result: unknown) => void;
type StateListener = (state: LspState) => void;

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

export class LspConnection {
  private socket: WebSocket | undefined;
  private client: MonacoLanguageClient | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private disposed = false;
  private stateValue: LspState = 'connecting';
  private readonly commandListeners = new Set<CommandListener>();
  private readonly stateListeners = new Set<StateListener>();
  refs = 0;
  /** The client's log (last lines), instead of the browser console. */
  readonly output = new MemoryOutputChannel('OpenOptimizer LSP');

  constructor(readonly url: string) {
    this.connect();
  }

  get state(): LspState {
    return this.stateValue;
  }

  onCommand(listener: CommandListener): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: LspState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    for (const l of [...this.stateListeners]) l(state);
  }

  private connect(): void {
    if (this.disposed) return;
    this.setState('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      void this.startClient(socket);
    });
    // 'error' is always followed by 'close'; reconnecting is done there.
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (!opened) this.scheduleReconnect();
      else void this.clientLost();
    });
  }

  private async startClient(socket: WebSocket): Promise<void> {
    const iSocket = quietSocket(socket);
    const reader = new WebSocketMessageReader(iSocket);
    const writer = new WebSocketMessageWriter(iSocket);
    const client = new MonacoLanguageClient({
      id: 'openopt',
      name: 'OpenOptimizer',
      messageTransports: { reader, writer },
      clientOptions: {
        documentSelector: [
          { scheme: 'file', language: MLIR_LANGUAGE_ID },
          { scheme: 'file', language: RECIPE_LANGUAGE_ID },
        ],
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        outputChannel: this.output,
        traceOutputChannel: this.output,
        // Reconnection is ours: the client never restarts itself and never
        // reports a closed connection as an error.
        errorHandler: {
          error: () => ({ action: ErrorAction.Continue, handled: true }),
          closed: () => ({ action: CloseAction.DoNotRestart, handled: true }),
        },
        initializationFailedHandler: () => false,
        middleware: {
          executeCommand: async (command, args, next) => {
            let result: unknown;
            try {
              result = await next(command, args);
            } catch (e) {
              result = { error: e instanceof Error ? e.message : String(e) };
            }
            for (const l of [...this.commandListeners]) l(command, args as unknown[], result);
            return result;
          },
        },
      },
    });
    this.client = client;
    try {
      await client.start();
    } catch {
      // the socket closed during start-up; 'close' handles the retry
      if (this.client === client) socket.close();
      return;
    }
    if (this.client !== client || this.disposed) return;
    this.attempt = 0;
    this.setState('connected');
  }

  private async clientLost(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // Let the client see the closed connection first (its errorHandler.closed
    // marks it stopped quietly); stopping it during that would make it report
    // the close as an error.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (client) await stopQuietly(client);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.disposed) return;
    this.setState('disconnected');
    const delay = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 8);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Reconnects now (e.g. after a new token or the daemon was seen back up). */
  reconnectNow(): void {
    if (this.disposed || this.client || this.socket) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    const client = this.client;
    const socket = this.socket;
    this.client = undefined;
    this.socket = undefined;
    if (client) await stopQuietly(client);
    socket?.close();
    this.setState('disposed');
    this.commandListeners.clear();
    this.stateListeners.clear();
  }
}

/** toSocket() of vscode-ws-jsonrpc, except that nothing is sent on a closing socket. */
function quietSocket(ws: WebSocket): IWebSocket {
  return {
    send: (content) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(content);
    },
    onMessage: (cb) => ws.addEventListener('message', (e: MessageEvent) => cb(e.data)),
    // a WebSocket 'error' event carries no detail; 'close' follows it
    onError: () => undefined,
    onClose: (cb) => ws.addEventListener('close', (e: CloseEvent) => cb(e.code, e.reason)),
    dispose: () => ws.close(),
  };
}

/** An OutputChannel keeping the last lines in memory (the client logs its errors there). */
export class MemoryOutputChannel implements vscode.OutputChannel {
  private readonly lines: string[] = [''];
  constructor(readonly name: string, private readonly limit = 500) {}
  append(value: string): void {
    const parts = value.split('\n');
    this.lines[this.lines.length - 1] += parts[0] ?? '';
    for (const p of parts.slice(1)) this.lines.push(p);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }
  appendLine(value: string): void {
    this.append(value + '\n');
  }
  replace(value: string): void {
    this.clear();
    this.append(value);
  }
  clear(): void {
    this.lines.length = 0;
    this.lines.push('');
  }
  text(): string {
    return this.lines.join('\n');
  }
  show(): void {}
  hide(): void {}
  dispose(): void {}
}

async function stopQuietly(client: MonacoLanguageClient): Promise<void> {
  try {
    await client.dispose(500);
  } catch {
    // the connection is gone already; nothing left to shut down
  }
}

// One connection per URL: the client registers the server's commands
// (openopt.run, …) globally, so two clients for the same server would clash.
const connections = new Map<string, LspConnection>();

export function acquireConnection(url: string): LspConnection {
  let c = connections.get(url);
  if (!c) {
    c = new LspConnection(url);
    connections.set(url, c);
  }
  c.refs++;
  return c;
}

export function releaseConnection(c: LspConnection): void {
  if (--c.refs > 0) return;
  if (connections.get(c.url) === c) connections.delete(c.url);
  void c.dispose();
}
