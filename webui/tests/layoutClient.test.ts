import { describe, expect, it } from 'vitest';
import type { LayoutInput } from '../src/graph/graphModel';
import { LayoutCancelled, LayoutClient } from '../src/graph/layoutClient';
import type { LayoutResult } from '../src/graph/layoutCore';
import type { LayoutReply, LayoutRequest } from '../src/graph/layoutProtocol';

class FakeWorker {
  posted: LayoutRequest[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<LayoutReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: LayoutRequest) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  reply(data: LayoutReply) {
    this.onmessage?.({ data } as MessageEvent<LayoutReply>);
  }
  fail(message: string) {
    this.onerror?.({ message } as ErrorEvent);
  }
  get lastId(): number {
    return this.posted[this.posted.length - 1]!.id;
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const client = new LayoutClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w as unknown as Worker;
  });
  return { client, workers };
}

const input: LayoutInput = { nodes: [{ id: 'a', width: 100, height: 44 }], edges: [] };
const result: LayoutResult = { nodes: [{ id: 'a', x: 12, y: 28, width: 100, height: 44 }], edges: [], width: 124, height: 84 };

describe('LayoutClient', () => {
  it('posts a layout request and resolves on done, reporting progress on the way', async () => {
    const { client, workers } = setup();
    const phases: string[] = [];
    const p = client.layout(input, 'RIGHT', (phase) => phases.push(phase));
    expect(workers).toHaveLength(1);
    const w = workers[0]!;
    expect(w.posted).toEqual([{ type: 'layout', id: 1, input, direction: 'RIGHT' }]);
    expect(client.busy).toBe(true);
    w.reply({ type: 'progress', id: 1, phase: 'laying out 1 nodes and 0 edges', nodes: 1 });
    expect(phases).toEqual(['laying out 1 nodes and 0 edges']);
    expect(client.busy).toBe(true);
    w.reply({ type: 'done', id: 1, result, ms: 12.5 });
    await expect(p).resolves.toEqual({ result, ms: 12.5 });
    expect(client.busy).toBe(false);
  });

  it('reuses the worker for the next layout with a new id', async () => {
    const { client, workers } = setup();
    const p1 = client.layout(input, 'DOWN');
    workers[0]!.reply({ type: 'done', id: 1, result, ms: 1 });
    await p1;
    const p2 = client.layout(input, 'DOWN');
    expect(workers).toHaveLength(1);
    expect(workers[0]!.lastId).toBe(2);
    workers[0]!.reply({ type: 'done', id: 2, result, ms: 2 });
    await expect(p2).resolves.toMatchObject({ ms: 2 });
  });

  it('rejects on an error reply with its message', async () => {
    const { client, workers } = setup();
    const p = client.layout(input, 'DOWN');
    workers[0]!.reply({ type: 'error', id: 1, message: 'layout failed: boom' });
    await expect(p).rejects.toThrow('layout failed: boom');
    expect(client.busy).toBe(false);
  });

  it('rejects when the worker itself fails', async () => {
    const { client, workers } = setup();
    const p = client.layout(input, 'DOWN');
    workers[0]!.fail('script error');
    await expect(p).rejects.toThrow('the layout worker failed: script error');
    expect(client.busy).toBe(false);
  });

  it('cancel() terminates the worker, rejects with LayoutCancelled, and the next layout uses a new worker', async () => {
    const { client, workers } = setup();
    const p = client.layout(input, 'DOWN');
    const caught = p.catch((e: unknown) => e);
    expect(client.cancel()).toBe(true);
    const error = await caught;
    expect(error).toBeInstanceOf(LayoutCancelled);
    expect((error as Error).message).toBe('layout cancelled');
    expect(workers[0]!.terminated).toBe(true);
    expect(client.busy).toBe(false);
    expect(client.cancel()).toBe(false);

    const next = client.layout(input, 'DOWN');
    expect(workers).toHaveLength(2);
    const w2 = workers[1]!;
    expect(w2.terminated).toBe(false);
    w2.reply({ type: 'done', id: w2.lastId, result, ms: 3 });
    await expect(next).resolves.toMatchObject({ ms: 3 });
  });

  it('cancel() with nothing running does nothing', () => {
    const { client, workers } = setup();
    expect(client.cancel()).toBe(false);
    expect(workers).toHaveLength(0);
  });

  it('starting a layout while one runs cancels the first', async () => {
    const { client, workers } = setup();
    const first = client.layout(input, 'DOWN');
    const firstOutcome = first.catch((e: unknown) => e);
    const second = client.layout(input, 'RIGHT');
    expect(await firstOutcome).toBeInstanceOf(LayoutCancelled);
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(workers[1]!.posted[0]).toMatchObject({ id: 2, direction: 'RIGHT' });
    workers[1]!.reply({ type: 'done', id: 2, result, ms: 4 });
    await expect(second).resolves.toMatchObject({ ms: 4 });
  });

  it('ignores replies with a stale id', async () => {
    const { client, workers } = setup();
    const p1 = client.layout(input, 'DOWN');
    workers[0]!.reply({ type: 'done', id: 1, result, ms: 1 });
    await p1;
    const phases: string[] = [];
    const p2 = client.layout(input, 'DOWN', (ph) => phases.push(ph));
    let settled = false;
    void p2.then(
      () => (settled = true),
      () => (settled = true),
    );
    const w = workers[0]!;
    w.reply({ type: 'progress', id: 1, phase: 'old', nodes: 1 });
    w.reply({ type: 'error', id: 1, message: 'old failure' });
    w.reply({ type: 'done', id: 99, result, ms: 99 });
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(phases).toEqual([]);
    expect(client.busy).toBe(true);
    w.reply({ type: 'done', id: 2, result, ms: 5 });
    await expect(p2).resolves.toMatchObject({ ms: 5 });
  });
});
