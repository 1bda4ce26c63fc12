import { describe, expect, it } from 'vitest';
import { countNodes, indexGraph, nodeKind, nodeLabel, searchNodes, shapeText, toLayoutInput } from '../src/graph/graphModel';
import type { GraphNode } from '../src/generated/schemas';
import { groupId, sampleGraph } from './fixtures';

const pairs = (edges: { source: string; target: string }[]) => edges.map((e) => `${e.source} -> ${e.target}`).sort();

describe('indexGraph', () => {
  it('indexes every node, groups children included, with its top-level holder and program order', () => {
    const index = indexGraph(sampleGraph());
    expect(index.order).toEqual(['input:x', groupId, '/conv/Conv', '/Relu', `${groupId}#yield`, '/Flatten', '/MatMul+/Add', 'output:y']);
    expect(index.byId.get('/Relu')?.op).toBe('nn.relu');
    expect(index.byId.get(groupId)?.op).toBe('nn.fused');
    expect(index.topOf.get('/conv/Conv')).toBe(groupId);
    expect(index.topOf.get('/Relu')).toBe(groupId);
    expect(index.topOf.get(groupId)).toBe(groupId);
    expect(index.topOf.get('/Flatten')).toBe('/Flatten');
    expect(index.topOf.has('nope')).toBe(false);
  });
});

describe('nodeLabel / nodeKind / shapeText', () => {
  const g = sampleGraph();
  const byId = indexGraph(g).byId;

  it('labels inputs and outputs by name and shape', () => {
    expect(nodeLabel(byId.get('input:x')!)).toEqual({ title: 'input x', detail: '1×3×8×8' });
    expect(nodeLabel(byId.get('output:y')!)).toEqual({ title: 'output y', detail: '1×10' });
  });

  it('strips the nn. prefix and shows shape and dtype', () => {
    expect(nodeLabel(byId.get('/MatMul+/Add')!)).toEqual({ title: 'gemm', detail: '1×10 f32' });
  });

  it('names a fused group by kind and members, without the yield', () => {
    expect(nodeLabel(byId.get(groupId)!)).toEqual({ title: 'fused epilogue: conv+relu', detail: '1×4×8×8 f32' });
  });

  it('shows dynamic dimensions as ? and nodes without results have no detail', () => {
    expect(shapeText([null, 3, 224])).toBe('?×3×224');
    const node: GraphNode = { id: 'n', op: 'nn.relu', results: [] };
    expect(nodeLabel(node)).toEqual({ title: 'relu', detail: '' });
  });

  it('classifies nodes', () => {
    expect(nodeKind(byId.get('input:x')!)).toBe('io');
    expect(nodeKind(byId.get('output:y')!)).toBe('io');
    expect(nodeKind(byId.get(groupId)!)).toBe('group');
    expect(nodeKind(byId.get('/Flatten')!)).toBe('op');
  });
});

describe('toLayoutInput', () => {
  it('collapsed group: one box, edges re-attached to it, internal edges gone, parallel edges merged', () => {
    const input = toLayoutInput(sampleGraph(), new Set());
    expect(input.nodes.map((n) => n.id)).toEqual(['input:x', groupId, '/Flatten', '/MatMul+/Add', 'output:y']);
    expect(input.nodes.every((n) => n.children === undefined)).toBe(true);
    expect(pairs(input.edges)).toEqual(
      [
        `input:x -> ${groupId}`,
        `${groupId} -> /Flatten`,
        `${groupId} -> /MatMul+/Add`,
        '/Flatten -> /MatMul+/Add',
        '/MatMul+/Add -> output:y',
      ].sort(),
    );
    // unique ids
    expect(new Set(input.edges.map((e) => e.id)).size).toBe(input.edges.length);
  });

  it('expanded group: children laid out inside (no yield), edges attach to the members', () => {
    const input = toLayoutInput(sampleGraph(), new Set([groupId]));
    const group = input.nodes.find((n) => n.id === groupId)!;
    expect(group.children?.map((c) => c.id)).toEqual(['/conv/Conv', '/Relu']);
    expect(pairs(input.edges)).toEqual(
      [
        'input:x -> /conv/Conv',
        '/conv/Conv -> /Relu',
        '/Relu -> /Flatten',
        '/conv/Conv -> /MatMul+/Add',
        '/Relu -> /MatMul+/Add',
        '/Flatten -> /MatMul+/Add',
        '/MatMul+/Add -> output:y',
      ].sort(),
    );
  });

  it('sizes nodes from their labels within 96..280 and a fixed height', () => {
    const input = toLayoutInput(sampleGraph(), new Set([groupId]));
    for (const n of [...input.nodes, ...input.nodes.flatMap((n) => n.children ?? [])]) {
      expect(n.height).toBe(44);
      expect(n.width).toBeGreaterThanOrEqual(96);
      expect(n.width).toBeLessThanOrEqual(280);
    }
    // "fused epilogue: conv+relu" is 25 chars: 25 * 7.2 + 20 = 200
    expect(input.nodes.find((n) => n.id === groupId)!.width).toBeCloseTo(200, 5);
  });

  it('drops edges whose ends are unknown', () => {
    const g = sampleGraph();
    g.edges.push({ source: 'ghost', sourceResult: 0, target: '/Flatten', targetOperand: 0, shape: [1], dtype: 'f32' });
    expect(pairs(toLayoutInput(g, new Set()).edges)).not.toContain('ghost -> /Flatten');
    expect(toLayoutInput(g, new Set()).edges).toHaveLength(5);
  });
});

describe('countNodes', () => {
  it('counts top-level nodes and group members', () => {
    expect(countNodes(sampleGraph())).toBe(8);
    expect(countNodes({ ...sampleGraph(), nodes: [] })).toBe(0);
  });
});

describe('searchNodes', () => {
  const index = indexGraph(sampleGraph());
  const ids = (q: string, limit?: number) => searchNodes(index, q, limit).map((n) => n.id);

  it('finds by name, case-insensitively, including merged names', () => {
    expect(ids('flatten')).toEqual(['/Flatten']);
    expect(ids('/add')).toEqual(['/MatMul+/Add']);
  });

  it('finds by op and by ONNX op', () => {
    expect(ids('nn.conv')).toEqual(['/conv/Conv']);
    expect(ids('matmul')).toEqual(['/MatMul+/Add']);
    expect(ids('nn.fused')).toEqual([groupId]);
  });

  it('finds by output shape written with × or x', () => {
    const hits = [groupId, '/conv/Conv', '/Relu'];
    expect(ids('1×4×8×8')).toEqual(hits);
    expect(ids('1x4x8x8')).toEqual(hits);
    expect(ids('1X4X8X8')).toEqual(hits);
    expect(ids('1×10')).toEqual(['/MatMul+/Add', 'output:y']);
  });

  it('never returns yields, returns nothing for a blank query, and honours the limit', () => {
    expect(ids('yield')).toEqual([]);
    expect(ids('   ')).toEqual([]);
    expect(ids('1×4×8×8', 2)).toEqual([groupId, '/conv/Conv']);
  });
});

describe('control flow subgraphs', () => {
  // An If whose branches hold a mul and a neg, both reading the input from outside.
  const graph = {
    format: 'openopt-graph', version: 1, function: 'main', after: null,
    nodes: [
      { id: 'input:a', op: 'input', name: 'a', results: [{ shape: [3], dtype: 'f32' }] },
      { id: 'input:c', op: 'input', name: 'c', results: [{ shape: [], dtype: 'i1' }] },
      {
        id: 'if', op: 'nn.if', results: [{ shape: [3], dtype: 'f32' }], children: [
          { id: 'then/mul', op: 'nn.mul', region: 'then_branch', results: [{ shape: [3], dtype: 'f32' }] },
          { id: 'else/neg', op: 'nn.neg', region: 'else_branch', results: [{ shape: [3], dtype: 'f32' }] },
        ],
      },
      { id: 'output:r', op: 'output', name: 'r', results: [{ shape: [3], dtype: 'f32' }] },
    ],
    edges: [
      { source: 'input:c', sourceResult: 0, target: 'if', targetOperand: 0, shape: [], dtype: 'i1' },
      { source: 'input:a', sourceResult: 0, target: 'then/mul', targetOperand: 0, shape: [3], dtype: 'f32' },
      { source: 'input:a', sourceResult: 0, target: 'else/neg', targetOperand: 0, shape: [3], dtype: 'f32' },
      { source: 'if', sourceResult: 0, target: 'output:r', targetOperand: 0, shape: [3], dtype: 'f32' },
    ],
  } as unknown as Parameters<typeof toLayoutInput>[0];

  it('shows an If as a group named by its branches', () => {
    const byId = indexGraph(graph).byId;
    expect(nodeKind(byId.get('if')!)).toBe('group');
    expect(nodeLabel(byId.get('if')!).title).toBe('if: then_branch 1, else_branch 1');
    expect(indexGraph(graph).topOf.get('else/neg')).toBe('if');
  });

  it('opens into its branches, with the outside values reaching inside', () => {
    const closed = toLayoutInput(graph, new Set());
    expect(closed.nodes.find((n) => n.id === 'if')?.children).toBeUndefined();
    expect(pairs(closed.edges)).toEqual(['if -> output:r', 'input:a -> if', 'input:c -> if']);
    const open = toLayoutInput(graph, new Set(['if']));
    expect(open.nodes.find((n) => n.id === 'if')?.children?.map((c) => c.id)).toEqual(['then/mul', 'else/neg']);
    expect(pairs(open.edges)).toContain('input:a -> then/mul');
    expect(pairs(open.edges)).toContain('input:a -> else/neg');
  });
});
