// The layout worker's core, driven with the real elkjs (no Worker needed).
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { toLayoutInput, type LayoutInput } from '../src/graph/graphModel';
import { layoutOptions, runLayout, type Direction, type LayoutResult, type PlacedNode } from '../src/graph/layoutCore';
import type { LayoutReply, LayoutRequest } from '../src/graph/layoutProtocol';
import { handleLayoutRequest } from '../src/graph/layoutWorkerCore';
import { groupId, sampleGraph } from './fixtures';

const elk = new ELK();

function chain(n: number, width = 100): LayoutInput {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, width, height: 44 }));
  const edges = Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` }));
  return { nodes, edges };
}

async function layout(input: LayoutInput, direction: Direction, id = 1): Promise<{ replies: LayoutReply[]; result: LayoutResult }> {
  const replies: LayoutReply[] = [];
  await handleLayoutRequest(elk, { type: 'layout', id, input, direction }, (r) => replies.push(r));
  const done = replies.find((r) => r.type === 'done');
  if (!done || done.type !== 'done') throw new Error(`no done reply: ${JSON.stringify(replies)}`);
  return { replies, result: done.result };
}

const overlaps = (a: PlacedNode, b: PlacedNode) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Distance from a point to a box (0 inside or on the border). */
function distToBox(x: number, y: number, b: PlacedNode): number {
  const dx = Math.max(b.x - x, 0, x - (b.x + b.width));
  const dy = Math.max(b.y - y, 0, y - (b.y + b.height));
  return Math.hypot(dx, dy);
}

function checkGeometry(input: LayoutInput, result: LayoutResult) {
  const byId = new Map(result.nodes.map((n) => [n.id, n]));
  // every node, group members included, has a real box
  const expected = input.nodes.flatMap((n) => [n.id, ...(n.children ?? []).map((c) => c.id)]);
  expect([...byId.keys()].sort()).toEqual([...expected].sort());
  for (const n of result.nodes) {
    expect(Number.isFinite(n.x) && Number.isFinite(n.y)).toBe(true);
    expect(n.width).toBeGreaterThan(0);
    expect(n.height).toBeGreaterThan(0);
  }
  // leaf boxes keep the requested size
  for (const n of input.nodes.filter((n) => !n.children)) {
    expect(byId.get(n.id)!.width).toBe(n.width);
    expect(byId.get(n.id)!.height).toBe(n.height);
  }
  // no two top-level boxes overlap
  const top = result.nodes.filter((n) => n.parent === undefined);
  expect(top).toHaveLength(input.nodes.length);
  for (let i = 0; i < top.length; i++)
    for (let j = i + 1; j < top.length; j++) expect(overlaps(top[i]!, top[j]!), `${top[i]!.id} overlaps ${top[j]!.id}`).toBe(false);
  // edges: every input edge drawn, from near its source to near its target
  expect(result.edges.map((e) => e.id).sort()).toEqual(input.edges.map((e) => e.id).sort());
  for (const e of result.edges) {
    const spec = input.edges.find((x) => x.id === e.id)!;
    expect(e.source).toBe(spec.source);
    expect(e.target).toBe(spec.target);
    expect(e.points.length).toBeGreaterThanOrEqual(4);
    expect(e.points.length % 2).toBe(0);
    expect(e.points.every(Number.isFinite)).toBe(true);
    const [x0, y0] = [e.points[0]!, e.points[1]!];
    const [x1, y1] = [e.points[e.points.length - 2]!, e.points[e.points.length - 1]!];
    expect(distToBox(x0, y0, byId.get(e.source)!), `${e.id} start`).toBeLessThanOrEqual(2);
    expect(distToBox(x1, y1, byId.get(e.target)!), `${e.id} end`).toBeLessThanOrEqual(2);
  }
  // the overall size covers every box
  for (const n of result.nodes) {
    expect(n.x + n.width).toBeLessThanOrEqual(result.width + 0.5);
    expect(n.y + n.height).toBeLessThanOrEqual(result.height + 0.5);
  }
}

describe('handleLayoutRequest', () => {
  it('posts progress, then done with the same id', async () => {
    const input = chain(3);
    const { replies } = await layout(input, 'DOWN', 42);
    expect(replies.map((r) => r.type)).toEqual(['progress', 'done']);
    expect(replies.every((r) => r.id === 42)).toBe(true);
    const progress = replies[0]!;
    if (progress.type !== 'progress') throw new Error('expected progress');
    expect(progress.nodes).toBe(3);
    expect(progress.phase).toBe('laying out 3 nodes and 2 edges');
    const done = replies[1]!;
    if (done.type !== 'done') throw new Error('expected done');
    expect(done.ms).toBeGreaterThanOrEqual(0);
  });

  it('DOWN puts each successor of a chain below the previous node', async () => {
    const input = chain(5);
    const { result } = await layout(input, 'DOWN');
    checkGeometry(input, result);
    const ys = input.nodes.map((n) => result.nodes.find((p) => p.id === n.id)!);
    for (let i = 1; i < ys.length; i++) expect(ys[i]!.y).toBeGreaterThanOrEqual(ys[i - 1]!.y + ys[i - 1]!.height);
  });

  it('RIGHT puts each successor of a chain to the right of the previous node', async () => {
    const input = chain(5);
    const { result } = await layout(input, 'RIGHT');
    checkGeometry(input, result);
    const xs = input.nodes.map((n) => result.nodes.find((p) => p.id === n.id)!);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!.x).toBeGreaterThanOrEqual(xs[i - 1]!.x + xs[i - 1]!.width);
  });

  it('lays out the sample graph with the fused group collapsed', async () => {
    const input = toLayoutInput(sampleGraph(), new Set());
    const { result } = await layout(input, 'DOWN');
    checkGeometry(input, result);
    expect(result.nodes.some((n) => n.parent !== undefined)).toBe(false);
  });

  it('places an expanded group\'s members inside the group\'s box', async () => {
    for (const direction of ['DOWN', 'RIGHT'] as const) {
      const input = toLayoutInput(sampleGraph(), new Set([groupId]));
      const { result } = await layout(input, direction);
      checkGeometry(input, result);
      const group = result.nodes.find((n) => n.id === groupId)!;
      const members = result.nodes.filter((n) => n.parent === groupId);
      expect(members.map((m) => m.id).sort()).toEqual(['/Relu', '/conv/Conv']);
      for (const m of members) {
        expect(m.x).toBeGreaterThanOrEqual(group.x);
        expect(m.y).toBeGreaterThanOrEqual(group.y);
        expect(m.x + m.width).toBeLessThanOrEqual(group.x + group.width);
        expect(m.y + m.height).toBeLessThanOrEqual(group.y + group.height);
      }
      // members do not overlap each other either
      expect(overlaps(members[0]!, members[1]!)).toBe(false);
    }
  });

  it('posts an error, without throwing, for a malformed request', async () => {
    const replies: LayoutReply[] = [];
    const bad = { type: 'layout', id: 7, input: { nodes: 'nope', edges: [] }, direction: 'DOWN' } as unknown as LayoutRequest;
    await expect(handleLayoutRequest(elk, bad, (r) => replies.push(r))).resolves.toBeUndefined();
    expect(replies).toEqual([{ type: 'error', id: 7, message: 'a layout request needs nodes and edges' }]);

    const noInput = { type: 'layout', id: 8, direction: 'DOWN' } as unknown as LayoutRequest;
    const more: LayoutReply[] = [];
    await handleLayoutRequest(elk, noInput, (r) => more.push(r));
    expect(more.map((r) => r.type)).toEqual(['error']);
  });

  it('posts an error when ELK rejects the graph (edge to an unknown node)', async () => {
    const replies: LayoutReply[] = [];
    const input: LayoutInput = { nodes: [{ id: 'a', width: 100, height: 44 }], edges: [{ id: 'e0', source: 'a', target: 'missing' }] };
    await handleLayoutRequest(elk, { type: 'layout', id: 3, input, direction: 'DOWN' }, (r) => replies.push(r));
    expect(replies.map((r) => r.type)).toEqual(['progress', 'error']);
    const last = replies[1]!;
    expect(last.type === 'error' && last.message.startsWith('layout failed:')).toBe(true);
  });

  it('lays out a 2,000-node chain', async () => {
    const input = chain(2000, 96);
    const { result } = await layout(input, 'DOWN');
    expect(result.nodes).toHaveLength(2000);
    expect(result.edges).toHaveLength(1999);
    const placed = new Map(result.nodes.map((n) => [n.id, n]));
    for (let i = 1; i < 2000; i++) expect(placed.get(`n${i}`)!.y).toBeGreaterThan(placed.get(`n${i - 1}`)!.y);
  }, 120_000);
});

describe('layoutOptions', () => {
  it('uses the direction and a cheaper sweep for big graphs', () => {
    expect(layoutOptions('RIGHT', 10)['elk.direction']).toBe('RIGHT');
    expect(layoutOptions('DOWN', 10)['elk.layered.thoroughness']).toBe('7');
    expect(layoutOptions('DOWN', 2000)['elk.layered.thoroughness']).toBe('1');
  });

  it('runLayout answers an empty graph with no boxes', async () => {
    const result = await runLayout(elk, { nodes: [], edges: [] }, 'DOWN');
    expect(result.nodes).toEqual([]);
    expect(result.edges).toEqual([]);
  });
});
