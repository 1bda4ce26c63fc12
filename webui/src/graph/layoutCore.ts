// Runs ELK's layered algorithm on a LayoutInput and flattens the answer into
// absolute boxes and edge polylines. Pure: the worker and the tests call it.
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { LayoutInput, LayoutNode } from './graphModel';

export type Direction = 'RIGHT' | 'DOWN';

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Id of the expanded group this node sits in. */
  parent?: string;
}

export interface PlacedEdge {
  id: string;
  source: string;
  target: string;
  /** x0, y0, x1, y1, ... in absolute coordinates. */
  points: number[];
}

export interface LayoutResult {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export function layoutOptions(direction: Direction, nodeCount: number): Record<string, string> {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': direction,
    'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.spacing.nodeNodeBetweenLayers': '36',
    'elk.spacing.nodeNode': '20',
    'elk.padding': '[top=28,left=12,bottom=12,right=12]',
    // Big graphs: one sweep of crossing minimisation instead of several, and a
    // layering without network simplex, whose recursion overflows a worker's
    // stack on long chains (5,000 nodes).
    'elk.layered.thoroughness': nodeCount > bigGraph ? '1' : '7',
    ...(nodeCount > bigGraph ? { 'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE' } : {}),
  };
}

/** Above this many nodes the layout trades some quality for speed and stack depth. */
export const bigGraph = 1500;

function toElk(node: LayoutNode): ElkNode {
  const elkNode: ElkNode = { id: node.id, width: node.width, height: node.height };
  if (node.children && node.children.length > 0) {
    elkNode.children = node.children.map(toElk);
    delete elkNode.width;
    delete elkNode.height;
  }
  return elkNode;
}

export async function runLayout(elk: ELK, input: LayoutInput, direction: Direction): Promise<LayoutResult> {
  const nodeCount = input.nodes.reduce((n, node) => n + 1 + (node.children?.length ?? 0), 0);
  const root: ElkNode = {
    id: '__root',
    layoutOptions: layoutOptions(direction, nodeCount),
    children: input.nodes.map(toElk),
    edges: input.edges.map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  let laid: ElkNode;
  try {
    laid = await elk.layout(root);
  } catch (e) {
    // Deep recursion in network-simplex layering: retry with the iterative one.
    if (!(e instanceof RangeError) || root.layoutOptions!['elk.layered.layering.strategy']) throw e;
    root.layoutOptions = { ...root.layoutOptions, 'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE' };
    laid = await elk.layout(root);
  }
  const nodes: PlacedNode[] = [];
  const offsets = new Map<string, { x: number; y: number }>();
  offsets.set('__root', { x: 0, y: 0 });
  const visit = (node: ElkNode, ox: number, oy: number, parent?: string) => {
    const x = ox + (node.x ?? 0);
    const y = oy + (node.y ?? 0);
    offsets.set(node.id, { x, y });
    const placed: PlacedNode = { id: node.id, x, y, width: node.width ?? 0, height: node.height ?? 0 };
    if (parent) placed.parent = parent;
    nodes.push(placed);
    for (const child of node.children ?? []) visit(child, x, y, node.id);
  };
  for (const child of laid.children ?? []) visit(child, 0, 0);
  const edges: PlacedEdge[] = [];
  const collectEdges = (node: ElkNode) => {
    for (const edge of node.edges ?? []) {
      // With INCLUDE_CHILDREN, edge coordinates are relative to the edge's container.
      const container = offsets.get((edge as { container?: string }).container ?? node.id) ?? { x: 0, y: 0 };
      const points: number[] = [];
      for (const section of edge.sections ?? []) {
        points.push(section.startPoint.x + container.x, section.startPoint.y + container.y);
        for (const b of section.bendPoints ?? []) points.push(b.x + container.x, b.y + container.y);
        points.push(section.endPoint.x + container.x, section.endPoint.y + container.y);
      }
      edges.push({ id: edge.id, source: edge.sources[0] ?? '', target: edge.targets[0] ?? '', points });
    }
    for (const child of node.children ?? []) collectEdges(child);
  };
  collectEdges(laid);
  return { nodes, edges, width: laid.width ?? 0, height: laid.height ?? 0 };
}
