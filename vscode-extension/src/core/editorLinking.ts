// Graph nodes ↔ lines of the document the model was imported from. An .mlir
// model's nodes carry their op's position in that text (location.line), so
// the web UI's IR-line linking (webui/src/passes/linking) applies to them as
// it does to compile/ir's op lines.
import type { GraphDocument, GraphNode } from '../../../webui/src/generated/schemas';
import { indexOpLines, linesForNode, opAtLine, type IrOp, type OpLines } from '../../../webui/src/passes/linking';

export { linesForNode, opAtLine, type OpLines };

/** Lines of every op node (groups' members too); inputs and outputs have none. */
export function graphLines(graph: GraphDocument): OpLines {
  const ops: IrOp[] = [];
  const visit = (nodes: readonly GraphNode[]) => {
    for (const n of nodes) {
      if (n.location && n.op !== 'input' && n.op !== 'output') ops.push({ id: n.id, op: n.op, line: n.location.line });
      if (n.children) visit(n.children);
    }
  };
  visit(graph.nodes);
  return indexOpLines(ops);
}
