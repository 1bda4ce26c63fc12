// A stand-in for openoptd's WS /api in the tests: a real WebSocket server
// (npm ws) whose answers each test scripts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Request {
  id: number;
  method: string;
  params: Record<string, unknown>;
}

export type Handler = (request: Request, socket: WebSocket, daemon: FakeDaemon) => unknown;

export class FakeDaemon {
  readonly requests: Request[] = [];
  readonly sockets = new Set<WebSocket>();
  handler: Handler = () => ({});
  token: string | null = null;
  private http: Server;
  private wss: WebSocketServer;
  port = 0;

  private constructor() {
    this.http = createServer((_req, res) => res.writeHead(404).end());
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (req, socket, head) => {
      if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  static async start(port = 0): Promise<FakeDaemon> {
    const d = new FakeDaemon();
    await d.listen(port);
    return d;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve) => this.http.listen(port, '127.0.0.1', () => {
      this.port = (this.http.address() as AddressInfo).port;
      resolve();
    }));
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/api`;
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      const request = JSON.parse(String(data)) as Request;
      this.requests.push(request);
      const answer = this.handler(request, ws, this);
      if (answer === undefined) return; // the test answers itself (or never)
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: answer }));
    });
  }

  notify(method: string, params: unknown): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Drops every connection as a crash would (no close handshake). */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections?.();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}
