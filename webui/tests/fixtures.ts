// Shared test data: a small graph as `openopt graph` prints it
// (input -> fused conv+relu epilogue -> folded gemm -> output).
import type { GraphDocument, GraphEdge, GraphNode } from '../src/generated/schemas';

export function tensor(shape: (number | null)[], dtype = 'f32') {
  return { shape, dtype };
}

export function edge(source: string, target: string, shape: (number | null)[] = [1, 4, 8, 8], targetOperand = 0): GraphEdge {
  return { source, sourceResult: 0, target, targetOperand, shape, dtype: 'f32' };
}

export const groupId = '/conv/Conv+/Relu';

export function sampleGraph(): GraphDocument {
  const nodes: GraphNode[] = [
    { id: 'input:x', op: 'input', name: 'x', results: [tensor([1, 3, 8, 8])] },
    {
      id: groupId,
      op: 'nn.fused',
      kind: 'epilogue',
      name: '/conv/Conv',
      names: ['/conv/Conv', '/Relu'],
      results: [tensor([1, 4, 8, 8])],
      children: [
        { id: '/conv/Conv', op: 'nn.conv', name: '/conv/Conv', onnxOp: 'Conv', results: [tensor([1, 4, 8, 8])] },
        { id: '/Relu', op: 'nn.relu', name: '/Relu', onnxOp: 'Relu', results: [tensor([1, 4, 8, 8])] },
        // Not emitted by the daemon (yields are no nodes), but the UI must tolerate one.
        { id: `${groupId}#yield`, op: 'nn.yield', results: [] },
      ],
    },
    { id: '/Flatten', op: 'nn.flatten', name: '/Flatten', onnxOp: 'Flatten', results: [tensor([1, 256])] },
    {
      id: '/MatMul+/Add',
      op: 'nn.gemm',
      name: '/MatMul',
      names: ['/MatMul', '/Add'],
      onnxOp: 'MatMul',
      results: [tensor([1, 10])],
    },
    { id: 'output:y', op: 'output', name: 'y', results: [tensor([1, 10])] },
  ];
  const edges: GraphEdge[] = [
    edge('input:x', '/conv/Conv', [1, 3, 8, 8]),
    edge('/conv/Conv', '/Relu'),
    edge('/Relu', '/Flatten'),
    // Two edges from the group's members to the same consumer: one box edge when collapsed.
    edge('/conv/Conv', '/MatMul+/Add', [1, 4, 8, 8], 1),
    edge('/Relu', '/MatMul+/Add', [1, 4, 8, 8], 2),
    edge('/Flatten', '/MatMul+/Add', [1, 256], 0),
    edge('/MatMul+/Add', 'output:y', [1, 10]),
  ];
  return { format: 'openopt-graph', version: 1, function: 'main', after: null, nodes, edges };
}
