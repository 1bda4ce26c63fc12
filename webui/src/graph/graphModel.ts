// From the daemon's graph JSON (schemas/graph.schema.json) to what the layout
// worker lays out: top-level nodes, fused groups collapsed or expanded, and
// edges re-attached to a collapsed group when an end is inside it.
import type { GraphDocument, GraphNode } from '../generated/schemas';

export type NodeKind = 'io' | 'op' | 'group';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** For expanded groups: their ops, laid out inside. */
  children?: LayoutNode[];
}

export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
}

export interface LayoutInput {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

export const nodeHeight = 44;
const charWidth = 7.2;

/** Every node by id, groups' children included, and the top-level node holding each. */
export interface GraphIndex {
  byId: Map<string, GraphNode>;
  topOf: Map<string, string>;
  /** Program order of every node (top level and inside groups), for stepping through it. */
  order: string[];
}

/** Whether a node holds other nodes: nn.fused groups and the subgraphs of If, Loop and Scan. */
export function isGroup(node: Pick<GraphNode, 'op' | 'children'>): boolean {
  return node.op === 'nn.fused' || (node.children?.length ?? 0) > 0;
}

export function indexGraph(graph: GraphDocument): GraphIndex {
  const byId = new Map<string, GraphNode>();
  const topOf = new Map<string, string>();
  const order: string[] = [];
  const visit = (node: GraphNode, top: string) => {
    byId.set(node.id, node);
    topOf.set(node.id, top);
    order.push(node.id);
    for (const child of node.children ?? []) visit(child, top);
  };
  for (const node of graph.nodes) visit(node, node.id);
  return { byId, topOf, order };
}

export function shapeText(shape: (number | null)[]): string {
  return shape.map((d) => (d === null ? '?' : String(d))).join('×');
}

/** The two lines a node shows: op type, and output shape. */
export function nodeLabel(node: GraphNode): { title: string; detail: string } {
  if (node.op === 'input' || node.op === 'output')
    return { title: `${node.op} ${node.name ?? ''}`.trim(), detail: node.results[0] ? shapeText(node.results[0].shape) : '' };
  const members = (node.children ?? []).filter((c) => c.op !== 'nn.yield');
  const regions = [...new Set(members.map((c) => c.region).filter((r): r is string => !!r))];
  const title = node.op === 'nn.fused'
    ? `fused ${node.kind ?? ''}: ${members.map((c) => c.op.replace(/^nn\./, '')).join('+')}`
    : regions.length > 0
      ? `${node.op.replace(/^nn\./, '')}: ${regions.map((r) => `${r} ${members.filter((c) => c.region === r).length}`).join(', ')}`
      : node.op.replace(/^nn\./, '');
  const result = node.results[0];
  return { title, detail: result ? `${shapeText(result.shape)} ${result.dtype}` : '' };
}

export function nodeKind(node: GraphNode): NodeKind {
  if (node.op === 'input' || node.op === 'output') return 'io';
  return isGroup(node) ? 'group' : 'op';
}

function nodeWidth(node: GraphNode): number {
  const { title, detail } = nodeLabel(node);
  return Math.min(280, Math.max(96, Math.max(title.length, detail.length) * charWidth + 20));
}

/**
 * The layout graph. `expanded` holds the ids of fused groups shown open; the
 * others are one box. Edges inside a collapsed group disappear, edges into or
 * out of it attach to the group, and parallel edges are merged.
 */
export function toLayoutInput(graph: GraphDocument, expanded: ReadonlySet<string>, index = indexGraph(graph)): LayoutInput {
  const visibleOf = (id: string): string | undefined => {
    const top = index.topOf.get(id);
    if (top === undefined) return undefined;
    return expanded.has(top) ? id : top;
  };
  const nodes: LayoutNode[] = graph.nodes.map((node) => {
    if (isGroup(node) && expanded.has(node.id)) {
      const children = (node.children ?? []).filter((c) => c.op !== 'nn.yield').map((c) => ({ id: c.id, width: nodeWidth(c), height: nodeHeight }));
      return { id: node.id, width: nodeWidth(node), height: nodeHeight, children };
    }
    return { id: node.id, width: nodeWidth(node), height: nodeHeight };
  });
  const visibleIds = new Set<string>();
  for (const n of nodes) {
    visibleIds.add(n.id);
    for (const c of n.children ?? []) visibleIds.add(c.id);
  }
  const seen = new Set<string>();
  const edges: LayoutEdge[] = [];
  for (const edge of graph.edges) {
    const source = visibleOf(edge.source);
    const target = visibleOf(edge.target);
    if (!source || !target || source === target || !visibleIds.has(source) || !visibleIds.has(target)) continue;
    const key = `${source}\u0000${target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ id: `e${edges.length}`, source, target });
  }
  return { nodes, edges };
}

/** Total number of nodes (including those inside groups): the size the UI reports. */
export function countNodes(graph: GraphDocument): number {
  let n = 0;
  const visit = (node: GraphNode) => {
    n++;
    for (const c of node.children ?? []) visit(c);
  };
  graph.nodes.forEach(visit);
  return n;
}

/** Nodes whose name, op or output shape contains the query (case-insensitive). */
export function searchNodes(index: GraphIndex, query: string, limit = 200): GraphNode[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: GraphNode[] = [];
  for (const id of index.order) {
    const node = index.byId.get(id);
    if (!node || node.op === 'nn.yield') continue;
    const shapes = node.results.map((r) => shapeText(r.shape)).join(' ');
    const hay = `${node.name ?? ''} ${(node.names ?? []).join(' ')} ${node.id} ${node.op} ${node.onnxOp ?? ''} ${shapes} ${node.results.map((r) => r.shape.join('x')).join(' ')}`.toLowerCase();
    if (hay.includes(q)) {
      hits.push(node);
      if (hits.length >= limit) break;
    }
  }
  return hits;
}
