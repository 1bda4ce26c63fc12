import { describe, expect, it } from 'vitest';
import type { ProfileDocOp, ProfileDocument } from '../src/generated/schemas';
import { heatFill, luminance } from '../src/graph/colors';
import { columns, formatNumber, heatByOp, kernelNode, latencyCsv, nextSort, profileCsv, sortOps, type SortKey } from '../src/runs/profileTable';

function op(index: number, id: string, o: string, total: number, flops: number | null, calls = 10): ProfileDocOp {
  const gflops = flops === null ? null : (flops * calls) / (total * 1e6);
  return {
    index,
    id,
    name: id.split('+')[0]!,
    names: id.split('+'),
    op: o,
    calls,
    totalMs: total,
    meanMs: total / calls,
    minMs: total / calls - 0.01,
    maxMs: total / calls + 0.01,
    percent: 0, // filled below
    flops,
    bytes: null,
    gflopsPerSecond: gflops,
  };
}

function ops(): ProfileDocOp[] {
  const list = [
    op(0, '/conv/Conv+/Relu', 'nn.fused', 6, 1_000_000),
    op(1, '/Flatten', 'nn.flatten', 0.5, null),
    op(2, '/MatMul+/Add', 'nn.gemm', 2, 400_000),
    op(3, '/Softmax', 'nn.softmax', 1.5, null),
  ];
  const sum = list.reduce((s, o) => s + o.totalMs, 0);
  for (const o of list) o.percent = (100 * o.totalMs) / sum;
  return list;
}

const ids = (list: ProfileDocOp[]) => list.map((o) => o.index);

describe('sortOps', () => {
  const cases: [SortKey, number[]][] = [
    ['name', [0, 1, 2, 3]], // "/conv/Conv" < "/Flatten" < "/MatMul" < "/Softmax" (locale order, not code units)
    ['op', [1, 0, 2, 3]], // nn.flatten < nn.fused < nn.gemm < nn.softmax
    ['totalMs', [1, 3, 2, 0]],
    ['meanMs', [1, 3, 2, 0]],
    ['percent', [1, 3, 2, 0]],
  ];

  it.each(cases)('sorts by %s ascending and descending', (key, ascending) => {
    expect(ids(sortOps(ops(), { key, descending: false }))).toEqual(ascending);
    expect(ids(sortOps(ops(), { key, descending: true }))).toEqual([...ascending].reverse());
  });

  it('sorts FLOPs and GFLOP/s with unknown (null) values last in both directions, in program order', () => {
    // flops: /MatMul+/Add 4e5 < group 1e6; GFLOP/s: group 1.67 < /MatMul+/Add 2
    expect(ids(sortOps(ops(), { key: 'flops', descending: false }))).toEqual([2, 0, 1, 3]);
    expect(ids(sortOps(ops(), { key: 'flops', descending: true }))).toEqual([0, 2, 1, 3]);
    expect(ids(sortOps(ops(), { key: 'gflopsPerSecond', descending: false }))).toEqual([0, 2, 1, 3]);
    expect(ids(sortOps(ops(), { key: 'gflopsPerSecond', descending: true }))).toEqual([2, 0, 1, 3]);
  });

  it('breaks ties by program order and does not modify its input', () => {
    const input = ops();
    input[3]!.totalMs = input[1]!.totalMs = 2;
    input[2]!.totalMs = 2;
    const before = ids(input);
    expect(ids(sortOps(input, { key: 'totalMs', descending: true }))).toEqual([0, 1, 2, 3]);
    expect(ids(sortOps(input, { key: 'totalMs', descending: false }))).toEqual([1, 2, 3, 0]);
    expect(ids(input)).toEqual(before);
  });
});

describe('nextSort', () => {
  it('flips the direction of the current column', () => {
    expect(nextSort({ key: 'totalMs', descending: true }, 'totalMs')).toEqual({ key: 'totalMs', descending: false });
    expect(nextSort({ key: 'name', descending: false }, 'name')).toEqual({ key: 'name', descending: true });
  });

  it('sorts a new numeric column largest first and a text column A-Z', () => {
    expect(nextSort({ key: 'name', descending: false }, 'flops')).toEqual({ key: 'flops', descending: true });
    expect(nextSort({ key: 'flops', descending: true }, 'op')).toEqual({ key: 'op', descending: false });
    for (const c of columns) expect(nextSort({ key: c.key === 'name' ? 'op' : 'name', descending: false }, c.key).descending).toBe(c.numeric);
  });
});

describe('CSV', () => {
  it('writes one row per op with the header, empty cells for null', () => {
    const csv = profileCsv([op(2, '/MatMul+/Add', 'nn.gemm', 2, null, 4)]);
    const lines = csv.split('\n');
    expect(lines[0]).toBe('id,name,op,calls,totalMs,meanMs,minMs,maxMs,percent,flops,gflopsPerSecond');
    expect(lines[1]).toBe('/MatMul+/Add,/MatMul,nn.gemm,4,2,0.5,0.49,0.51,0,,');
    expect(lines).toHaveLength(3);
    expect(csv.endsWith('\n')).toBe(true);
  });

  it('quotes cells with commas, quotes or newlines', () => {
    const o = op(0, 'a,b', 'nn.add', 1, 10, 1);
    o.name = 'say "hi"';
    o.op = 'line\nbreak';
    const row = profileCsv([o]).split('\n').slice(1).join('\n');
    expect(row.startsWith('"a,b","say ""hi""","line\nbreak",1,')).toBe(true);
  });

  it('writes latencies numbered from 1', () => {
    expect(latencyCsv([1.25, 1.5, 0.75])).toBe('iteration,latency_ms\n1,1.25\n2,1.5\n3,0.75\n');
    expect(latencyCsv([])).toBe('iteration,latency_ms\n\n');
  });
});

describe('heatByOp', () => {
  const profile = { ops: ops() } as ProfileDocument;

  it('gives the slowest op the darkest fill and scales the rest to it', () => {
    const heat = heatByOp(profile);
    expect([...heat.keys()].sort()).toEqual(['/Flatten', '/MatMul+/Add', '/Softmax', '/conv/Conv+/Relu']);
    expect(heat.get('/conv/Conv+/Relu')).toBe(heatFill(1));
    expect(heat.get('/conv/Conv+/Relu')).toBe('#7f0000');
    expect(heat.get('/MatMul+/Add')).toBe(heatFill(2 / 6));
    const lum = [...heat.entries()].map(([id, fill]) => [id, luminance(fill)] as const).sort((a, b) => a[1] - b[1]);
    expect(lum.map(([id]) => id)).toEqual(['/conv/Conv+/Relu', '/MatMul+/Add', '/Softmax', '/Flatten']);
  });

  it('colours the nodes a GPU profile\'s kernels compute, summed per node', () => {
    // The kernels openopt names after their nodes: several for a Conv (its padding, gather and product).
    const gpu = {
      ops: [
        op(0, 'k_conv_Conv', 'gpu.kernel', 3, null),
        op(1, 'k_conv_Conv_0', 'gpu.kernel', 3, null),
        op(2, 'k_MatMul', 'gpu.kernel', 2, null),
        op(3, 'k_op', 'gpu.kernel', 1, null), // no node: not drawn
      ],
    } as ProfileDocument;
    const nodes = ['/conv/Conv+/Relu', '/Flatten', '/MatMul+/Add', '/Softmax'];
    const heat = heatByOp(gpu, nodes);
    expect([...heat.keys()].sort()).toEqual(['/MatMul+/Add', '/conv/Conv+/Relu']);
    expect(heat.get('/conv/Conv+/Relu')).toBe(heatFill(1));
    expect(heat.get('/MatMul+/Add')).toBe(heatFill(2 / 6));
  });

  it('gives every op the lightest fill when nothing took time', () => {
    const zero = { ops: ops().map((o) => ({ ...o, totalMs: 0 })) } as ProfileDocument;
    expect(new Set(heatByOp(zero).values())).toEqual(new Set([heatFill(0)]));
  });
});

describe('kernelNode', () => {
  const nodes = ['/layer1/conv1/Conv+/layer1/relu/Relu', 'Gemm_0', 'a.b/c'];
  it('finds the node a kernel is named after, with or without its number', () => {
    expect(kernelNode('k_layer1_conv1_Conv', nodes)).toBe('/layer1/conv1/Conv+/layer1/relu/Relu');
    expect(kernelNode('k_layer1_conv1_Conv_12', nodes)).toBe('/layer1/conv1/Conv+/layer1/relu/Relu');
    expect(kernelNode('k_Gemm_0', nodes)).toBe('Gemm_0');
    expect(kernelNode('k_a_b_c', nodes)).toBe('a.b/c');
    expect(kernelNode('k_Softmax', nodes)).toBeUndefined();
  });
});

describe('formatNumber', () => {
  it('formats nulls, big numbers, integers and fractions', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(2.5e9)).toBe('2.50 G');
    expect(formatNumber(3_400_000)).toBe('3.40 M');
    expect(formatNumber(12345)).toBe('12,345');
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatNumber(0.123456, 1)).toBe('0.1');
  });
});
