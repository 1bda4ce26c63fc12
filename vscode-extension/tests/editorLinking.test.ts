import { describe, expect, it } from 'vitest';
import { graphLines, linesForNode, opAtLine } from '../src/core/editorLinking';
import type { GraphDocument } from '../../webui/src/generated/schemas';

const node = (id: string, op: string, line?: number, children?: GraphDocument['nodes']) => ({ id, op, results: [], ...(line ? { location: { file: 'tiny.mlir', line, column: 10 } } : {}), ...(children ? { children } : {}) });

const graph = {
  format: 'openopt-graph', version: 1, function: 'main', after: null, edges: [],
  nodes: [
    node('input:input', 'input'),
    node('tiny.mlir:7:10', 'nn.conv', 7),
    node('tiny.mlir:8:10', 'nn.relu', 8),
    node('group', 'nn.fused', 9, [node('tiny.mlir:10:10', 'nn.matmul', 10), node('tiny.mlir:11:10', 'nn.add', 11), node('y', 'nn.yield', 12)]),
    node('output:output', 'output'),
  ],
} as unknown as GraphDocument;

describe('editor linking', () => {
  const lines = graphLines(graph);

  it('the op on a line, and on the lines of a multi-line op', () => {
    expect(opAtLine(lines, 7)?.id).toBe('tiny.mlir:7:10');
    expect(opAtLine(lines, 11)?.op).toBe('nn.add');
    expect(opAtLine(lines, 2)).toBeNull();
  });

  it('the line of a node, and of a group through its members', () => {
    expect(linesForNode(lines, 'tiny.mlir:8:10')).toEqual([8]);
    expect(linesForNode(lines, 'group')).toEqual([9]);
    expect(linesForNode(lines, 'input:input')).toEqual([]);
  });
});
