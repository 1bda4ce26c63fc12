// Links IR text with the graph: compile/ir names the line of every op
// (stable ids, the graph's node ids), so a line in the diff maps to a graph
// node and a graph node to its line; ops inside fused groups map to the group
// when only the group is drawn.
import type { CompileIrResult } from '../generated/schemas';

export type IrOp = NonNullable<CompileIrResult['ops']>[number];

export interface OpLines {
  /** 1-based line -> op id of the op starting there. */
  byLine: Map<number, IrOp>;
  /** op id -> lines where ops with that id start. */
  byId: Map<string, number[]>;
}

export function indexOpLines(ops: IrOp[]): OpLines {
  const byLine = new Map<number, IrOp>();
  const byId = new Map<string, number[]>();
  for (const op of ops) {
    if (op.line <= 0) continue;
    // Region terminators (nn.yield) share their group's id; the op line wins.
    if (op.op.endsWith('.yield') || op.op === 'func.return') continue;
    byLine.set(op.line, op);
    const lines = byId.get(op.id);
    if (lines) lines.push(op.line);
    else byId.set(op.id, [op.line]);
  }
  for (const lines of byId.values()) lines.sort((a, b) => a - b);
  return { byLine, byId };
}

/** The op at a 1-based line of the text, or the nearest op line above it within its op (multi-line ops). */
export function opAtLine(index: OpLines, line: number, maxLookBack = 3): IrOp | null {
  for (let l = line; l >= Math.max(1, line - maxLookBack); l--) {
    const op = index.byLine.get(l);
    if (op) return op;
  }
  return null;
}

/**
 * The graph node to highlight for an op id: the node itself when it is drawn,
 * else the drawn group holding it (topOf), else a node whose id contains it or
 * that it contains (folds join ONNX names with '+').
 */
export function graphNodeFor(opId: string, drawn: (id: string) => boolean, topOf: Map<string, string>, allIds: Iterable<string>): string | null {
  if (drawn(opId)) return opId;
  const top = topOf.get(opId);
  if (top && drawn(top)) return top;
  const parts = new Set(opId.split('+'));
  for (const id of allIds) {
    if (!drawn(id)) continue;
    if (id.split('+').some((p) => parts.has(p))) return id;
  }
  return null;
}

/** Lines of the text to highlight for a graph node (the node's own op or, for a group, its members). */
export function linesForNode(index: OpLines, nodeId: string, memberIds: string[] = []): number[] {
  const lines = [...(index.byId.get(nodeId) ?? [])];
  if (lines.length === 0) for (const m of memberIds) lines.push(...(index.byId.get(m) ?? []));
  if (lines.length === 0) {
    // The text may be from before a fold joined names: match any shared ONNX name.
    const parts = new Set(nodeId.split('+'));
    for (const [id, ls] of index.byId) if (id.split('+').some((p) => parts.has(p))) lines.push(...ls);
  }
  return [...new Set(lines)].sort((a, b) => a - b);
}
