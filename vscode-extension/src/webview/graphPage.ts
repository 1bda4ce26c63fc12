// The graph webview: the web UI's graph explorer (GraphView) for a model the
// extension imported; a picked node is shown in the editor, and the node of
// the op under the editor's cursor is highlighted.
import type { GraphDocument } from '../../../webui/src/generated/schemas';
import { GraphView } from '../../../webui/src/graph/GraphView';
import { graphNodeFor } from '../../../webui/src/passes/linking';
import { prepareWorkers, statusLine, vscodeApi } from './common';
import type { GraphToHost, HostToGraph } from './protocol';

const vscode = vscodeApi<GraphToHost>();
const status = statusLine();
const view = new GraphView('Model graph');
document.body.append(status.root, view.root);
// For the end-to-end test (tests/e2e/vscode): node positions on the canvas.
(window as unknown as { openoptGraph: GraphView }).openoptGraph = view;

/** Set while the host's reveal moves the selection, so it is not sent back. */
let fromHost = false;

view.onSelectNode((node) => {
  if (!node || fromHost) return;
  document.body.dataset.selected = node.id;
  vscode.postMessage({ type: 'nodeSelected', nodeId: node.id, memberIds: node.children?.map((c) => c.id) ?? [] });
});
view.onOpenInEditor((node) => vscode.postMessage({ type: 'nodeSelected', nodeId: node.id, memberIds: node.children?.map((c) => c.id) ?? [] }));

async function show(graph: GraphDocument, title: string): Promise<void> {
  status.set('');
  try {
    await view.show(graph, title);
  } catch (e) {
    status.set((e as Error).message, true);
    return;
  }
  const nodes = Number(view.root.dataset.drawn ?? 0);
  vscode.postMessage({ type: 'drawn', nodes });
}

function reveal(opId: string | null): void {
  const index = view.graphIndex;
  if (!index) return;
  const node = opId ? graphNodeFor(opId, (id) => view.canvas.hasNode(id), index.topOf, index.order) : null;
  document.body.dataset.highlighted = node ?? '';
  view.highlight(node ? [node] : []);
  if (node) {
    fromHost = true;
    try {
      view.select(node);
    } finally {
      fromHost = false;
    }
  }
}

window.addEventListener('message', (event: MessageEvent<HostToGraph>) => {
  const m = event.data;
  if (m.type === 'loading') status.set(m.message);
  else if (m.type === 'error') status.set(m.message, true);
  else if (m.type === 'graph') void show(m.graph, m.title);
  else if (m.type === 'reveal') reveal(m.opId);
});

prepareWorkers().then(
  () => vscode.postMessage({ type: 'ready' }),
  (e: Error) => status.set(e.message, true),
);
