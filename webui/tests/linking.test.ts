// Diff/graph linking with the ops compile/ir reports for IR like:
//
//   1  func.func @main(%arg0: tensor<1x3x8x8xf32>) -> tensor<1x10xf32> {
//   2    %2 = nn.flatten %1 {
//   3        start_dim = 1
//   4    } : ...
//   5
//   6    %4 = nn.fused "epilogue" {
//   7      %7 = nn.conv %arg0, %cst ...
//   8      %8 = nn.relu %7 ...
//   9      nn.yield %8 ...
//  10    } ...
//  11
//  12    %6 = nn.gemm %5, %cst_1, %cst_2 ...
//  13    func.return %6 ...
import { describe, expect, it } from 'vitest';
import { indexGraph } from '../src/graph/graphModel';
import { graphNodeFor, indexOpLines, linesForNode, opAtLine, type IrOp } from '../src/passes/linking';
import { groupId, sampleGraph } from './fixtures';

const irOps: IrOp[] = [
  { id: '/Constant', op: 'nn.constant', line: 0 },
  { id: '/Flatten', op: 'nn.flatten', line: 2 },
  { id: groupId, op: 'nn.fused', line: 6 },
  { id: '/conv/Conv', op: 'nn.conv', line: 7 },
  { id: '/Relu', op: 'nn.relu', line: 8 },
  { id: groupId, op: 'nn.yield', line: 9 },
  { id: '/MatMul+/Add', op: 'nn.gemm', line: 12 },
  { id: 'return', op: 'func.return', line: 13 },
];

describe('indexOpLines', () => {
  const index = indexOpLines(irOps);

  it('indexes op lines, skipping yields, returns and unknown (0) lines', () => {
    expect([...index.byLine.keys()].sort((a, b) => a - b)).toEqual([2, 6, 7, 8, 12]);
    expect(index.byLine.get(6)).toEqual({ id: groupId, op: 'nn.fused', line: 6 });
    expect(index.byLine.has(9)).toBe(false);
    expect(index.byLine.has(13)).toBe(false);
    expect(index.byLine.has(0)).toBe(false);
    // the group's id maps to its own line, not to its yield's
    expect(index.byId.get(groupId)).toEqual([6]);
    expect(index.byId.has('/Constant')).toBe(false);
    expect(index.byId.has('return')).toBe(false);
  });

  it('lists every line of an id in order', () => {
    const i = indexOpLines([
      { id: '/Relu', op: 'nn.relu', line: 40 },
      { id: '/Relu', op: 'nn.relu', line: 4 },
      { id: '/Relu', op: 'nn.relu', line: 17 },
    ]);
    expect(i.byId.get('/Relu')).toEqual([4, 17, 40]);
  });
});

describe('opAtLine', () => {
  const index = indexOpLines(irOps);

  it('finds the op starting on a line', () => {
    expect(opAtLine(index, 7)?.id).toBe('/conv/Conv');
    expect(opAtLine(index, 8)?.id).toBe('/Relu');
    expect(opAtLine(index, 6)?.op).toBe('nn.fused');
    expect(opAtLine(index, 12)?.id).toBe('/MatMul+/Add');
  });

  it('looks back over the lines of a multi-line op', () => {
    expect(opAtLine(index, 3)?.id).toBe('/Flatten');
    expect(opAtLine(index, 4)?.id).toBe('/Flatten');
    expect(opAtLine(index, 5)?.id).toBe('/Flatten');
  });

  it('gives up past maxLookBack lines and before the first op', () => {
    expect(opAtLine(index, 5, 2)).toBeNull();
    expect(opAtLine(index, 1)).toBeNull();
    expect(opAtLine(index, 17)).toBeNull();
    expect(opAtLine(index, 0)).toBeNull();
  });
});

describe('graphNodeFor', () => {
  const graphIndex = indexGraph(sampleGraph());
  const collapsed = new Set(['input:x', groupId, '/Flatten', '/MatMul+/Add', 'output:y']);
  const expanded = new Set([...collapsed, '/conv/Conv', '/Relu']);
  const find = (opId: string, drawn: Set<string>) => graphNodeFor(opId, (id) => drawn.has(id), graphIndex.topOf, graphIndex.order);

  it('returns a drawn node itself', () => {
    expect(find('/Flatten', collapsed)).toBe('/Flatten');
    expect(find('/MatMul+/Add', collapsed)).toBe('/MatMul+/Add');
    expect(find(groupId, collapsed)).toBe(groupId);
  });

  it('maps an op inside a collapsed fused group to the group', () => {
    expect(find('/conv/Conv', collapsed)).toBe(groupId);
    expect(find('/Relu', collapsed)).toBe(groupId);
  });

  it('maps an op inside an expanded group to itself', () => {
    expect(find('/conv/Conv', expanded)).toBe('/conv/Conv');
    expect(find('/Relu', expanded)).toBe('/Relu');
  });

  it('finds a drawn node sharing a part of a folded id', () => {
    // before the fold: the IR has /MatMul alone
    expect(find('/MatMul', collapsed)).toBe('/MatMul+/Add');
    // a fold the graph does not have yet: conv+batchnorm -> the group holding the conv
    expect(find('/conv/Conv+/bn/BatchNormalization', collapsed)).toBe(groupId);
    expect(find('/MatMul+/Sigmoid', expanded)).toBe('/MatMul+/Add');
    // first drawn match in program order: the (expanded, still drawn) group precedes its member
    expect(find('/bn/BatchNormalization+/conv/Conv', expanded)).toBe(groupId);
  });

  it('returns null when nothing matches', () => {
    expect(find('/Softmax', collapsed)).toBeNull();
    expect(find('/Softmax+/Mul', collapsed)).toBeNull();
    expect(find('/Flatten', new Set())).toBeNull();
  });
});

describe('linesForNode', () => {
  const after = indexOpLines(irOps);
  // The same model before fusion and before the MatMul+Add fold.
  const before = indexOpLines([
    { id: '/conv/Conv', op: 'nn.conv', line: 3 },
    { id: '/Relu', op: 'nn.relu', line: 4 },
    { id: '/Flatten', op: 'nn.flatten', line: 5 },
    { id: '/MatMul', op: 'nn.matmul', line: 6 },
    { id: '/Add', op: 'nn.add', line: 7 },
    { id: 'return', op: 'func.return', line: 8 },
  ]);

  it('gives the lines of a node\'s own op', () => {
    expect(linesForNode(after, '/MatMul+/Add')).toEqual([12]);
    expect(linesForNode(after, '/Relu')).toEqual([8]);
    expect(linesForNode(after, groupId, ['/conv/Conv', '/Relu'])).toEqual([6]);
  });

  it('gives a group\'s member lines when the text has no group op', () => {
    expect(linesForNode(before, groupId, ['/conv/Conv', '/Relu'])).toEqual([3, 4]);
  });

  it('falls back to ops sharing an ONNX name', () => {
    expect(linesForNode(before, '/MatMul+/Add')).toEqual([6, 7]);
    expect(linesForNode(before, groupId)).toEqual([3, 4]);
  });

  it('gives nothing for a node absent from the text', () => {
    expect(linesForNode(after, 'input:x')).toEqual([]);
    expect(linesForNode(before, '/Softmax', ['/Softmax/inner'])).toEqual([]);
  });
});
