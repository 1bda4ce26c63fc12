// The language server through a daemon's WS /lsp: one JSON-RPC message per
// text frame (no Content-Length headers), read and written with vscode-jsonrpc's
// reader/writer contracts so vscode-languageclient can use them as its
// transport. A refused token or an unreachable daemon rejects the open with
// the reason in words.
import WebSocket from 'ws';
import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc';
import { redact } from './endpoints';

export class WebSocketMessageReader extends AbstractMessageReader {
  private callback: DataCallback | null = null;
  private buffered: Message[] = [];

  constructor(private readonly socket: WebSocket, private readonly onBadMessage: (text: string) => void = () => {}) {
    super();
    socket.on('message', (data, isBinary) => {
      const text = String(data);
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        this.onBadMessage(isBinary ? `a binary frame of ${text.length} bytes` : text.slice(0, 200));
        return;
      }
      if (typeof message !== 'object' || message === null || (message as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
        this.onBadMessage(text.slice(0, 200));
        return;
      }
      if (this.callback) this.callback(message);
      else this.buffered.push(message);
    });
    socket.on('error', (e) => this.fireError(e));
    socket.on('close', () => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const early = this.buffered;
    this.buffered = [];
    for (const m of early) callback(m);
    return { dispose: () => (this.callback = null) };
  }
}

export class WebSocketMessageWriter extends AbstractMessageWriter {
  private errorCount = 0;
  constructor(private readonly socket: WebSocket) {
    super();
    socket.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    if (this.socket.readyState !== WebSocket.OPEN) {
      const error = new Error('the connection to the language server is closed');
      this.fireError([error, msg, ++this.errorCount]);
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.socket.send(JSON.stringify(msg), (e) => {
        if (!e) return resolve();
        this.fireError([e, msg, ++this.errorCount]);
        reject(e);
      });
    });
  }

  end(): void {
    this.socket.close();
  }
}

/** Opens WS /lsp; rejects with the reason in words (refused token, nobody listening, time-out). */
export function openLspSocket(url: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs, maxPayload: 256 << 20 });
    let failure = '';
    socket.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      failure =
        status === 401 || status === 403
          ? `openoptd at ${redact(url)} refused the token (HTTP ${status}); set the right one with "OpenOptimizer: Set remote token"`
          : status === 503
            ? `openoptd at ${redact(url)} has no language server session free (HTTP 503)`
            : `openoptd at ${redact(url)} answered the WebSocket upgrade with HTTP ${status}`;
      res.resume();
      socket.terminate();
    });
    socket.once('error', (e: Error & { code?: string }) => {
      if (!failure) failure = `could not reach openoptd at ${redact(url)}: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`;
    });
    socket.once('open', () => resolve(socket));
    socket.once('close', () => reject(new Error(failure || `the connection to ${redact(url)} closed during the handshake`)));
  });
}
