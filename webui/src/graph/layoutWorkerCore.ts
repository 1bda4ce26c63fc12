// The layout worker's message handling, apart from the worker global so the
// unit tests can drive it.
import type { ELK } from 'elkjs/lib/elk-api';
import { runLayout } from './layoutCore';
import type { LayoutReply, LayoutRequest } from './layoutProtocol';

export async function handleLayoutRequest(elk: ELK, request: LayoutRequest, post: (reply: LayoutReply) => void): Promise<void> {
  const { id, input, direction } = request;
  if (request.type !== 'layout' || !Array.isArray(input?.nodes) || !Array.isArray(input?.edges)) {
    post({ type: 'error', id, message: 'a layout request needs nodes and edges' });
    return;
  }
  const nodes = input.nodes.reduce((n, node) => n + 1 + (node.children?.length ?? 0), 0);
  post({ type: 'progress', id, phase: `laying out ${nodes} nodes and ${input.edges.length} edges`, nodes });
  const start = performance.now();
  try {
    const result = await runLayout(elk, input, direction);
    post({ type: 'done', id, result, ms: performance.now() - start });
  } catch (e) {
    post({ type: 'error', id, message: `layout failed: ${(e as Error).message ?? String(e)}` });
  }
}
