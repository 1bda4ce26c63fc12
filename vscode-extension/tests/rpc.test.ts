import { afterEach, describe, expect, it } from 'vitest';
import { DaemonError, RpcConnection, type ConnectionState } from '../src/core/rpc';
import { FakeDaemon, sleep, until } from './fakeDaemon';

const JOB = 'a'.repeat(32);
let daemon: FakeDaemon | null = null;
let rpc: RpcConnection | null = null;

afterEach(async () => {
  rpc?.close();
  rpc = null;
  await daemon?.stop();
  daemon = null;
});

function connect(d: FakeDaemon, options: Partial<ConstructorParameters<typeof RpcConnection>[0]> = {}): RpcConnection {
  rpc = new RpcConnection({ url: d.url, backoffMs: [50], connectWaitMs: 1000, ...options });
  return rpc;
}

describe('RpcConnection', () => {
  it('sends JSON-RPC 2.0 and resolves with the result', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = (r) => ({ echo: r.method, params: r.params });
    const c = connect(daemon);
    await expect(c.call('server/info', {})).resolves.toEqual({ echo: 'server/info', params: {} });
    expect(daemon.requests[0]).toMatchObject({ method: 'server/info', id: 1 });
    expect(c.state).toBe('open');
  });

  it('rejects with the daemon\'s error, method named', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = (r, ws) => {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: r.id, error: { code: -32602, message: 'params: /model: not a hash' } }));
      return undefined;
    };
    const c = connect(daemon);
    const e = await c.call('model/get', { model: 'x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DaemonError);
    expect((e as DaemonError).kind).toBe('rpc');
    expect((e as DaemonError).code).toBe(-32602);
    expect((e as Error).message).toBe('model/get: params: /model: not a hash');
  });

  it('a call the daemon never answers fails after its time limit', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = () => undefined;
    const c = connect(daemon);
    const e = await c.call('server/info', {}, { timeoutMs: 200 }).catch((x: unknown) => x);
    expect((e as DaemonError).kind).toBe('timeout');
    expect((e as Error).message).toMatch(/^server\/info: openoptd at ws:\/\/127\.0\.0\.1:\d+\/api did not answer within 0 s$/);
  });

  it('a malformed message is reported and the connection keeps going', async () => {
    daemon = await FakeDaemon.start();
    const reported: string[] = [];
    daemon.handler = (r, ws) => {
      ws.send('this is not JSON');
      ws.send(JSON.stringify({ jsonrpc: '2.0', surprise: true }));
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: r.id, result: { ok: true } }));
      return undefined;
    };
    const c = connect(daemon);
    c.onProtocolError((m) => reported.push(m));
    await expect(c.call('server/info', {})).resolves.toEqual({ ok: true });
    expect(reported).toHaveLength(2);
    expect(reported[0]).toMatch(/not JSON: this is not JSON/);
    expect(reported[1]).toMatch(/neither a method nor a request id/);
  });

  it('an answer with neither result nor error fails that call only', async () => {
    daemon = await FakeDaemon.start();
    let n = 0;
    daemon.handler = (r, ws) => {
      ws.send(JSON.stringify(n++ === 0 ? { jsonrpc: '2.0', id: r.id } : { jsonrpc: '2.0', id: r.id, result: 2 }));
      return undefined;
    };
    const c = connect(daemon);
    await expect(c.call('server/info', {})).rejects.toThrow(/neither a result nor an error/);
    await expect(c.call('server/info', {})).resolves.toBe(2);
  });

  it('calls sent on a connection that drops fail at once, saying so', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = (_r, _ws, d) => {
      setTimeout(() => d.dropAll(), 20);
      return undefined;
    };
    const c = connect(daemon, { backoffMs: [5000] });
    const started = Date.now();
    const e = await c.call('server/info', {}, { timeoutMs: 30_000 }).catch((x: unknown) => x);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((e as DaemonError).kind).toBe('closed');
    expect((e as Error).message).toMatch(/^server\/info: the connection to openoptd at .* closed: the connection was lost$/);
    expect(c.state).toBe('retrying');
  });

  it('a call while the daemon is down waits a bounded time, then says it is unreachable', async () => {
    const d = await FakeDaemon.start();
    const port = d.port;
    await d.stop();
    rpc = new RpcConnection({ url: `ws://127.0.0.1:${port}/api`, backoffMs: [50], connectWaitMs: 300 });
    const e = await rpc.call('server/info', {}).catch((x: unknown) => x);
    expect((e as DaemonError).kind).toBe('unreachable');
    expect((e as Error).message).toMatch(/could not reach openoptd at ws:\/\/127\.0\.0\.1:\d+\/api: connection refused \(is openoptd running\?\) \(still retrying\)/);
  });

  it('reconnects with backoff when the daemon comes back on the same port', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = () => ({ up: 1 });
    const port = daemon.port;
    const c = connect(daemon, { backoffMs: [50, 100] });
    const states: ConnectionState[] = [];
    c.onState((s) => states.push(s));
    let reconnects = 0;
    c.onReconnect(() => reconnects++);
    await c.call('server/info', {});
    await daemon.stop();
    await until(() => c.state === 'retrying');
    await sleep(300); // a few refused attempts
    daemon = await FakeDaemon.start(port);
    daemon.handler = () => ({ up: 2 });
    await until(() => c.state === 'open', 5000);
    await expect(c.call('server/info', {})).resolves.toEqual({ up: 2 });
    expect(reconnects).toBe(1);
    expect(states).toContain('retrying');
  });

  it('a refused token is said plainly and not retried until asked', async () => {
    daemon = await FakeDaemon.start();
    daemon.token = 'right';
    const c = connect(daemon, { headers: { Authorization: 'Bearer wrong' } });
    const e = await c.call('server/info', {}).catch((x: unknown) => x);
    expect((e as DaemonError).kind).toBe('refused');
    expect((e as Error).message).toMatch(/refused the token \(HTTP 401\); set the right one with "OpenOptimizer: Set remote token"/);
    expect(c.state).toBe('refused');
    await sleep(200);
    expect(c.state).toBe('refused');
    // later calls fail at once, with the same reason
    await expect(c.call('server/info', {})).rejects.toThrow(/refused the token/);
    c.setEndpoint(daemon.url, { Authorization: 'Bearer right' });
    daemon.handler = () => ({ ok: 1 });
    await expect(c.call('server/info', {})).resolves.toEqual({ ok: 1 });
  });

  it('a job reports progress and resolves with job/done\'s result', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = (r, ws) => {
      if (r.method !== 'run/start') return {};
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: r.id, result: { job: JOB } }));
      setTimeout(() => {
        daemon!.notify('job/progress', { job: JOB, kind: 'run', progress: 0.5, message: 'timing' });
        daemon!.notify('job/done', { job: JOB, kind: 'run', state: 'done', result: { latencyMs: { median: 1, min: 1, p95: 1 } } });
      }, 20);
      return undefined;
    };
    const c = connect(daemon);
    const seen: number[] = [];
    const outcome = await c.job('run/start', { compile: JOB }, (p) => seen.push(p.progress));
    expect(outcome.state).toBe('done');
    expect(outcome.result).toEqual({ latencyMs: { median: 1, min: 1, p95: 1 } });
    expect(seen).toEqual([0.5]);
  });

  it('job/done in the same read as the reply is not lost (a compile cache hit)', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = (r, ws) => {
      // Both frames in one write: the client parses them in one go.
      const reply = JSON.stringify({ jsonrpc: '2.0', id: r.id, result: { job: JOB, cache: 'hit' } });
      const done = JSON.stringify({ jsonrpc: '2.0', method: 'job/done', params: { job: JOB, kind: 'compile', state: 'done', result: { compile: { id: 'c' } } } });
      ws.send(reply);
      ws.send(done);
      return undefined;
    };
    const c = connect(daemon);
    const outcome = await Promise.race([c.job('compile/start', { model: 'm' }), sleep(2000).then(() => 'hung')]);
    expect(outcome).not.toBe('hung');
    expect((outcome as { result: unknown }).result).toEqual({ compile: { id: 'c' } });
  });

  it('a job whose daemon goes away fails after the grace period, saying why', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = (r, ws, d) => {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: r.id, result: { job: JOB } }));
      setTimeout(() => void d.stop(), 20);
      return undefined;
    };
    const c = connect(daemon, { jobGraceMs: 300 });
    const outcome = await c.job('run/start', { compile: JOB });
    daemon = null;
    expect(outcome.state).toBe('failed');
    expect(outcome.error?.message).toMatch(/was lost while the job ran/);
  });

  it('a job whose connection comes back is polled with job/get', async () => {
    daemon = await FakeDaemon.start();
    const port = daemon.port;
    daemon.handler = (r, ws, d) => {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: r.id, result: { job: JOB } }));
      setTimeout(() => d.dropAll(), 20);
      return undefined;
    };
    const c = connect(daemon, { jobGraceMs: 5000, backoffMs: [100] });
    const outcome = c.job('run/start', { compile: JOB });
    await until(() => c.state === 'retrying');
    await daemon.stop();
    daemon = await FakeDaemon.start(port);
    daemon.handler = (r) => (r.method === 'job/get' ? { job: { id: JOB, kind: 'run', state: 'interrupted', progress: 0, message: '', createdAt: '', error: { code: -32010, message: 'the daemon stopped' } } } : {});
    const o = await outcome;
    expect(o.state).toBe('interrupted');
    expect(daemon.requests.map((r) => r.method)).toContain('job/get');
  });

  it('close() fails what waits', async () => {
    daemon = await FakeDaemon.start();
    daemon.handler = () => undefined;
    const c = connect(daemon);
    const call = c.call('server/info', {}, { timeoutMs: 10_000 });
    await until(() => daemon!.requests.length === 1);
    c.close();
    await expect(call).rejects.toThrow(/closed/);
    await expect(c.call('server/info', {})).rejects.toThrow(/closed/);
  });
});
