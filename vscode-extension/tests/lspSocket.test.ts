import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from 'vscode-jsonrpc';
import { WebSocketMessageReader, WebSocketMessageWriter, openLspSocket } from '../src/core/lspSocket';
import { FakeDaemon, until } from './fakeDaemon';

let daemon: FakeDaemon | null = null;
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
});

describe('WS /lsp transport', () => {
  it('one JSON-RPC message per text frame, both ways; malformed frames are reported and skipped', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = (r, ws) => {
      ws.send('garbage');
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: r.id, result: { capabilities: {} } }));
      return undefined;
    };
    const socket = await openLspSocket(daemon.url.replace('/api', '/lsp'), {});
    const bad: string[] = [];
    const reader = new WebSocketMessageReader(socket, (t) => bad.push(t));
    const writer = new WebSocketMessageWriter(socket);
    const got: Message[] = [];
    reader.listen((m) => got.push(m));
    await writer.write({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} } as Message);
    await until(() => got.length === 1);
    expect(got[0]).toEqual({ jsonrpc: '2.0', id: 1, result: { capabilities: {} } });
    expect(bad).toEqual(['garbage']);
    expect(daemon.requests[0]).toMatchObject({ method: 'initialize' });
    socket.close();
  });

  it('a refused token is said plainly', async () => {
    daemon = await FakeDaemon.start();
    daemon.token = 'right';
    await expect(openLspSocket(daemon.url.replace('/api', '/lsp'), { Authorization: 'Bearer wrong' })).rejects.toThrow(/refused the token \(HTTP 401\); set the right one with "OpenOptimizer: Set remote token"/);
  });

  it('nobody listening is said plainly', async () => {
    const d = await FakeDaemon.start();
    const port = d.port;
    await d.stop();
    await expect(openLspSocket(`ws://127.0.0.1:${port}/lsp`, {})).rejects.toThrow(/could not reach openoptd at ws:\/\/127\.0\.0\.1:\d+\/lsp: connection refused/);
  });

  it('writing on a closed socket fails instead of hanging', async () => {
    daemon = await FakeDaemon.start();
    const socket = await openLspSocket(daemon.url, {});
    const writer = new WebSocketMessageWriter(socket);
    socket.close();
    await until(() => socket.readyState === socket.CLOSED);
    await expect(writer.write({ jsonrpc: '2.0', method: 'exit' } as Message)).rejects.toThrow(/closed/);
  });
});
