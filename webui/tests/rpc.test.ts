import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RpcClient, RpcError, type ConnectionState, type JobProgress } from '../src/api/rpc';

type Message = { id?: number; jsonrpc?: string; method?: string; params?: unknown };

/** Enough of a browser WebSocket for RpcClient; the test drives its events. */
class FakeSocket {
  readyState = 0; // CONNECTING
  binaryType = 'blob';
  sent: (string | Uint8Array)[] = [];
  closed = false;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(m: string | Uint8Array) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(m);
  }
  close() {
    this.closed = true;
    this.drop(1000);
  }
  // test side
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  /** Text messages sent, parsed. */
  get requests(): Message[] {
    return this.sent.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as Message);
  }
  last(method: string): Message {
    const found = this.requests.filter((r) => r.method === method);
    if (found.length === 0) throw new Error(`no ${method} request sent; sent: ${JSON.stringify(this.requests)}`);
    return found[found.length - 1]!;
  }
}

/** Lets awaited promises inside the client run. */
async function flush() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function setup(backoffMs?: number[]) {
  const sockets: FakeSocket[] = [];
  const client = new RpcClient({
    url: 'ws://localhost:8765/api?token=t',
    ...(backoffMs ? { backoffMs } : {}),
    socketFactory: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s as unknown as WebSocket;
    },
  });
  const current = () => sockets[sockets.length - 1]!;
  return { client, sockets, current };
}

function jobRecord(id: string, state: string, extra: Record<string, unknown> = {}) {
  return { job: { id, kind: 'compile', state, progress: 0, message: '', createdAt: '2024-01-01T00:00:00Z', ...extra } };
}

beforeEach(() => {
  vi.useFakeTimers();
  // rpc.ts reads WebSocket.OPEN; node 20 has no global WebSocket.
  vi.stubGlobal('WebSocket', { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('RpcClient calls', () => {
  it('connects to the URL with binaryType arraybuffer and reports its state', () => {
    const { client, sockets, current } = setup();
    const states: ConnectionState[] = [];
    client.onState((s) => states.push(s));
    expect(sockets).toHaveLength(1);
    expect(current().url).toBe('ws://localhost:8765/api?token=t');
    expect(current().binaryType).toBe('arraybuffer');
    current().open();
    expect(client.state).toBe('open');
    expect(states).toEqual(['connecting', 'open']);
  });

  it('sends calls made before the connection opens once it opens, in order', async () => {
    const { client, current } = setup();
    const a = client.call('server/info', {});
    const b = client.call('model/list', {});
    expect(current().sent).toEqual([]);
    current().open();
    expect(current().requests).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'server/info', params: {} },
      { jsonrpc: '2.0', id: 2, method: 'model/list', params: {} },
    ]);
    current().receive({ jsonrpc: '2.0', id: 2, result: { models: [] } });
    current().receive({ jsonrpc: '2.0', id: 1, result: { version: '1.2.3' } });
    await expect(a).resolves.toEqual({ version: '1.2.3' });
    await expect(b).resolves.toEqual({ models: [] });
  });

  it('resolves and rejects calls by id; errors carry the code and method', async () => {
    const { client, current } = setup();
    current().open();
    const ok = client.call('model/get', { model: 'abc' });
    const bad = client.call('compile/get', { compile: 'c9' });
    expect(current().requests.map((r) => r.id)).toEqual([1, 2]);
    current().receive({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'no compile c9' } });
    current().receive({ jsonrpc: '2.0', id: 1, result: { model: { hash: 'abc' } } });
    await expect(ok).resolves.toEqual({ model: { hash: 'abc' } });
    const error = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(-32602);
    expect((error as RpcError).method).toBe('compile/get');
    expect((error as RpcError).message).toBe('compile/get: no compile c9');
  });

  it('ignores replies to unknown ids, duplicate replies and non-JSON text', async () => {
    const { client, current } = setup();
    current().open();
    const p = client.call('server/info', {});
    current().onmessage?.({ data: 'not json' });
    current().onmessage?.({ data: new ArrayBuffer(4) });
    current().receive({ jsonrpc: '2.0', id: 99, result: 'nope' });
    current().receive({ jsonrpc: '2.0', id: 1, result: 'first' });
    current().receive({ jsonrpc: '2.0', id: 1, result: 'second' });
    await expect(p).resolves.toBe('first');
  });

  it('sends a binary call as one message: JSON text, a NUL byte, then the payload', async () => {
    const { client, current } = setup();
    current().open();
    const payload = new Uint8Array([0x08, 0x00, 0xff, 0x12, 0x00]);
    const p = client.call('model/import', { name: 'tiny.onnx', binary: true }, payload);
    expect(current().sent).toHaveLength(1);
    const message = current().sent[0]!;
    expect(message).toBeInstanceOf(Uint8Array);
    const bytes = message as Uint8Array;
    const nul = bytes.indexOf(0);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nul)));
    expect(head).toEqual({ jsonrpc: '2.0', id: 1, method: 'model/import', params: { name: 'tiny.onnx', binary: true } });
    expect(Array.from(bytes.subarray(nul + 1))).toEqual([0x08, 0x00, 0xff, 0x12, 0x00]);
    expect(bytes.length).toBe(nul + 1 + payload.length);
    current().receive({ jsonrpc: '2.0', id: 1, result: { job: 'j1' } });
    await expect(p).resolves.toEqual({ job: 'j1' });
  });

  it('queues a binary call made before the connection opens', () => {
    const { client, current } = setup();
    void client.call('model/import', { name: 'm', binary: true }, new Uint8Array([1, 2, 3]));
    expect(current().sent).toHaveLength(0);
    current().open();
    expect(current().sent).toHaveLength(1);
    expect(Array.from((current().sent[0] as Uint8Array).slice(-4))).toEqual([0, 1, 2, 3]);
  });
});

describe('RpcClient jobs', () => {
  it('reports progress and settles with job/get\'s result after job/done', async () => {
    const { client, current } = setup();
    current().open();
    const progress: JobProgress[] = [];
    const job = client.job('compile/start', { model: 'm1' }, (p) => progress.push(p));
    expect(current().last('compile/start')).toMatchObject({ id: 1, params: { model: 'm1' } });
    current().receive({ jsonrpc: '2.0', id: 1, result: { job: 'j1', compile: 'c1', cache: 'miss' } });
    await flush();
    current().receive({ jsonrpc: '2.0', method: 'job/progress', params: { job: 'j1', kind: 'compile', progress: 0.25, message: 'graph passes' } });
    current().receive({ jsonrpc: '2.0', method: 'job/progress', params: { job: 'other', kind: 'run', progress: 0.5, message: 'not ours' } });
    current().receive({ jsonrpc: '2.0', method: 'job/progress', params: { job: 'j1', kind: 'compile', progress: 0.75, message: 'lowering' } });
    expect(progress).toEqual([
      { job: 'j1', kind: 'compile', progress: 0.25, message: 'graph passes' },
      { job: 'j1', kind: 'compile', progress: 0.75, message: 'lowering' },
    ]);
    current().receive({ jsonrpc: '2.0', method: 'job/done', params: { job: 'j1', kind: 'compile', state: 'done' } });
    const get = current().last('job/get');
    expect(get.params).toEqual({ job: 'j1' });
    current().receive({ jsonrpc: '2.0', id: get.id, result: jobRecord('j1', 'done', { progress: 1, result: { compile: 'c1', ops: 12 } }) });
    await expect(job).resolves.toEqual({
      state: 'done',
      result: { compile: 'c1', ops: 12 },
      error: undefined,
      started: { job: 'j1', compile: 'c1', cache: 'miss' },
    });
  });

  it('settles a failed job with its error', async () => {
    const { client, current } = setup();
    current().open();
    const job = client.job('run/start', { compile: 'c1' });
    current().receive({ jsonrpc: '2.0', id: 1, result: { job: 'j2' } });
    await flush();
    current().receive({ jsonrpc: '2.0', method: 'job/done', params: { job: 'j2', kind: 'run', state: 'failed' } });
    const get = current().last('job/get');
    current().receive({ jsonrpc: '2.0', id: get.id, result: jobRecord('j2', 'failed', { error: { code: -32010, message: 'shape mismatch' } }) });
    const outcome = await job;
    expect(outcome.state).toBe('failed');
    expect(outcome.error).toEqual({ code: -32010, message: 'shape mismatch' });
    expect(outcome.result).toBeUndefined();
  });

  it('rejects a job whose start call fails', async () => {
    const { client, current } = setup();
    current().open();
    const job = client.job('compile/start', { model: 'nope' });
    current().receive({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'unknown model' } });
    await expect(job).rejects.toThrow('compile/start: unknown model');
  });

  it('cancelJob calls job/cancel', async () => {
    const { client, current } = setup();
    current().open();
    const p = client.cancelJob('j7');
    expect(current().last('job/cancel')).toMatchObject({ id: 1, params: { job: 'j7' } });
    current().receive({ jsonrpc: '2.0', id: 1, result: jobRecord('j7', 'cancelled') });
    await expect(p).resolves.toMatchObject({ job: { id: 'j7', state: 'cancelled' } });
  });
});

describe('RpcClient reconnection', () => {
  it('rejects pending calls with -32099 when the connection closes', async () => {
    const { client, current } = setup();
    current().open();
    const p = client.call('model/list', {});
    current().drop();
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(-32099);
    expect((error as RpcError).message).toBe('model/list: the connection to openoptd closed');
    expect(client.state).toBe('closed');
  });

  it('reconnects after the backoff with a new socket and fires onReconnect (not on the first open)', async () => {
    const { client, sockets, current } = setup();
    const reconnects = vi.fn();
    client.onReconnect(reconnects);
    const states: ConnectionState[] = [];
    client.onState((s) => states.push(s));
    current().open();
    expect(reconnects).not.toHaveBeenCalled();
    sockets[0]!.drop();
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    expect(current().url).toBe('ws://localhost:8765/api?token=t');
    current().open();
    expect(reconnects).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);
    // calls go over the new socket
    const p = client.call('server/info', {});
    expect(sockets[1]!.requests).toEqual([{ jsonrpc: '2.0', id: 1, method: 'server/info', params: {} }]);
    expect(sockets[0]!.sent).toEqual([]);
    sockets[1]!.receive({ jsonrpc: '2.0', id: 1, result: 'ok' });
    await expect(p).resolves.toBe('ok');
  });

  it('backs off longer after each failed attempt, repeating the last delay, and resets after a success', () => {
    const { sockets, current } = setup([100, 300]);
    current().drop(); // never opened
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    current().drop();
    vi.advanceTimersByTime(299);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    current().drop();
    vi.advanceTimersByTime(300);
    expect(sockets).toHaveLength(4);
    current().open();
    current().drop();
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(5);
  });

  it('sends calls made while disconnected over the next connection', async () => {
    const { client, current } = setup([50]);
    current().open();
    current().drop();
    const p = client.call('model/list', {});
    vi.advanceTimersByTime(50);
    expect(current().sent).toEqual([]);
    current().open();
    expect(current().last('model/list').id).toBe(1);
    current().receive({ jsonrpc: '2.0', id: 1, result: { models: ['a'] } });
    await expect(p).resolves.toEqual({ models: ['a'] });
  });

  // A call queued while no connection is open must not be rejected when a
  // connection attempt fails: it is still in the outbox and is sent on the next
  // connection, so rejecting it would leave the daemon's answer unheard.
  it('keeps calls that were never sent pending when a connection attempt fails', async () => {
    const { client, sockets } = setup([10]);
    const p = client.call('compile/start', { model: 'm1' });
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    sockets[0]!.drop(); // the daemon is not up yet
    await flush();
    expect(settled).toBe(false);
    vi.advanceTimersByTime(10);
    sockets[1]!.open();
    const request = sockets[1]!.last('compile/start');
    sockets[1]!.receive({ jsonrpc: '2.0', id: request.id, result: { job: 'j1' } });
    await expect(p).resolves.toEqual({ job: 'j1' });
  });

  it('ignores a stale socket closing after a new one exists', () => {
    const { client, sockets } = setup([10]);
    sockets[0]!.open();
    sockets[0]!.drop();
    vi.advanceTimersByTime(10);
    sockets[1]!.open();
    // the old socket reporting close again must not tear down the new connection
    sockets[0]!.onclose?.({ code: 1006 });
    expect(client.state).toBe('open');
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(2);
  });

  it('close() stops for good: pending calls fail and no reconnection follows', async () => {
    const { client, sockets, current } = setup();
    current().open();
    const p = client.call('server/info', {});
    client.close();
    expect(sockets[0]!.closed).toBe(true);
    await expect(p).rejects.toMatchObject({ code: -32099 });
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('resynchronises a job that was running when the socket closed by polling job/get', async () => {
    const { client, sockets } = setup([100]);
    sockets[0]!.open();
    const progress: JobProgress[] = [];
    const job = client.job('compile/start', { model: 'm1' }, (p) => progress.push(p));
    sockets[0]!.receive({ jsonrpc: '2.0', id: 1, result: { job: 'j1', compile: 'c1' } });
    await flush();
    sockets[0]!.drop(); // job/done for j1 would have gone to this connection
    vi.advanceTimersByTime(100);
    const s1 = sockets[1]!;
    s1.open();
    await flush();
    const poll1 = s1.last('job/get');
    expect(poll1.params).toEqual({ job: 'j1' });
    s1.receive({ jsonrpc: '2.0', id: poll1.id, result: jobRecord('j1', 'running', { progress: 0.6, message: 'lowering' }) });
    await flush();
    expect(progress).toEqual([{ job: 'j1', kind: 'compile', progress: 0.6, message: 'lowering' }]);
    // polls again a little later
    expect(s1.requests.filter((r) => r.method === 'job/get')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(300);
    const gets = s1.requests.filter((r) => r.method === 'job/get');
    expect(gets).toHaveLength(2);
    const poll2 = gets[1]!;
    expect(poll2.id).not.toBe(poll1.id);
    s1.receive({ jsonrpc: '2.0', id: poll2.id, result: jobRecord('j1', 'done', { progress: 1, result: { compile: 'c1' } }) });
    await expect(job).resolves.toMatchObject({ state: 'done', result: { compile: 'c1' }, started: { job: 'j1' } });
    // finished: no more polling
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s1.requests.filter((r) => r.method === 'job/get')).toHaveLength(2);
  });

  it('resynchronises a job whose job/get was cut off by the close', async () => {
    const { client, sockets } = setup([100]);
    sockets[0]!.open();
    const job = client.job('compile/start', { model: 'm1' });
    sockets[0]!.receive({ jsonrpc: '2.0', id: 1, result: { job: 'j1' } });
    await flush();
    sockets[0]!.receive({ jsonrpc: '2.0', method: 'job/done', params: { job: 'j1', kind: 'compile', state: 'done' } });
    expect(sockets[0]!.last('job/get').params).toEqual({ job: 'j1' });
    sockets[0]!.drop(); // before job/get's answer
    await flush();
    vi.advanceTimersByTime(100);
    sockets[1]!.open();
    await flush();
    const poll = sockets[1]!.last('job/get');
    sockets[1]!.receive({ jsonrpc: '2.0', id: poll.id, result: jobRecord('j1', 'done', { result: { compile: 'c1' } }) });
    await expect(job).resolves.toMatchObject({ state: 'done', result: { compile: 'c1' } });
  });
});
