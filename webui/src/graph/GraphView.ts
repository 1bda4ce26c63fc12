// The graph explorer: toolbar (direction, fit, groups, search), the canvas
// with its minimap, layout progress with cancel, and the node side panel.
import type { GraphDocument, GraphNode } from '../generated/schemas';
import { clear, h, progressBar } from '../ui/dom';
import { categoryFill, opCategory } from './colors';
import { GraphCanvas, type NodeStyle } from './GraphCanvas';
import { countNodes, indexGraph, isGroup, nodeKind, nodeLabel, searchNodes, shapeText, toLayoutInput, type GraphIndex } from './graphModel';
import type { Direction } from './layoutCore';
import { LayoutCancelled, LayoutClient } from './layoutClient';

export interface GraphViewTiming {
  /** When show() was called, and when the first full frame was drawn. */
  started: number;
  layoutMs: number;
  drawnAt: number;
}

export class GraphView {
  readonly root: HTMLElement;
  readonly canvas: GraphCanvas;
  private graph: GraphDocument | null = null;
  private index: GraphIndex | null = null;
  private expanded = new Set<string>();
  private direction: Direction = 'DOWN';
  private layout = new LayoutClient();
  private panel: HTMLElement;
  private status: HTMLElement;
  private progress = progressBar('Layout');
  private cancelButton: HTMLButtonElement;
  private searchResults: HTMLElement;
  private openInEditorListeners = new Set<(node: GraphNode) => void>();
  private selectListeners = new Set<(node: GraphNode | null) => void>();
  private title: HTMLElement;
  private heatLegend: HTMLElement;
  lastTiming: GraphViewTiming | null = null;

  constructor(label: string) {
    const canvasHost = h('div', { className: 'graph-host' });
    const minimapHost = h('div', { className: 'minimap-host' });
    this.status = h('span', { className: 'graph-status', role: 'status', 'aria-live': 'polite' });
    this.cancelButton = h('button', { type: 'button', text: 'Cancel layout', hidden: true }) as HTMLButtonElement;
    this.cancelButton.addEventListener('click', () => this.layout.cancel());
    this.progress.root.hidden = true;
    const direction = h('select', { 'aria-label': 'Layout direction' }, h('option', { value: 'DOWN', text: 'Top-down' }), h('option', { value: 'RIGHT', text: 'Left-to-right' })) as HTMLSelectElement;
    direction.addEventListener('change', () => {
      this.direction = direction.value as Direction;
      void this.relayout(false);
    });
    const search = h('input', { type: 'search', placeholder: 'Search name, op or shape', 'aria-label': 'Search nodes by name, op or shape', className: 'graph-search' }) as HTMLInputElement;
    this.searchResults = h('ul', { role: 'listbox', 'aria-label': 'Search results', className: 'search-results', hidden: true });
    search.addEventListener('input', () => this.runSearch(search.value));
    search.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown') {
        (this.searchResults.querySelector('[role=option]') as HTMLElement | null)?.focus();
        e.preventDefault();
      } else if (e.key === 'Escape') {
        search.value = '';
        this.runSearch('');
      }
    });
    this.title = h('span', { className: 'graph-title' });
    this.heatLegend = h('span', { className: 'heat-legend', hidden: true, 'aria-label': 'Heat overlay: light is fast, dark red is the slowest op' },
      h('span', { text: 'fast' }), h('span', { className: 'heat-scale', 'aria-hidden': 'true' }), h('span', { text: 'slow' }));
    const toolbar = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': `${label} tools` },
      this.title,
      direction,
      h('button', { type: 'button', text: 'Fit', onclick: (() => this.canvas.fit()) as EventListener }),
      h('button', { type: 'button', text: 'Zoom in', onclick: (() => this.canvas.zoomBy(1.25)) as EventListener }),
      h('button', { type: 'button', text: 'Zoom out', onclick: (() => this.canvas.zoomBy(0.8)) as EventListener }),
      h('button', { type: 'button', text: 'Expand groups', onclick: (() => this.setAllGroups(true)) as EventListener }),
      h('button', { type: 'button', text: 'Collapse groups', onclick: (() => this.setAllGroups(false)) as EventListener }),
      h('div', { className: 'search-box' }, search, this.searchResults),
      this.heatLegend,
      this.progress.root,
      this.cancelButton,
      this.status,
    );
    this.panel = h('aside', { className: 'node-panel', 'aria-label': 'Selected node', tabindex: -1 });
    this.panel.append(h('p', { className: 'muted', text: 'Click a node (or press N / P in the graph) to see its details.' }));
    const body = h('div', { className: 'graph-body' }, h('div', { className: 'graph-stage' }, canvasHost, minimapHost), this.panel);
    this.root = h('div', { className: 'graph-view', 'aria-label': label, role: 'region' }, toolbar, body);
    this.canvas = new GraphCanvas(canvasHost, minimapHost);
    this.canvas.onSelect((id) => this.showNode(id));
    this.canvas.onActivate((id) => this.toggleGroup(id));
  }

  onOpenInEditor(listener: (node: GraphNode) => void): void {
    this.openInEditorListeners.add(listener);
  }

  onSelectNode(listener: (node: GraphNode | null) => void): void {
    this.selectListeners.add(listener);
  }

  get document(): GraphDocument | null {
    return this.graph;
  }

  get graphIndex(): GraphIndex | null {
    return this.index;
  }

  /** Lays out and draws a graph; resolves once it is drawn (or rejects when cancelled). */
  async show(graph: GraphDocument, title: string): Promise<void> {
    this.graph = graph;
    this.index = indexGraph(graph);
    this.expanded.clear();
    this.title.textContent = title;
    this.showNode(null);
    await this.relayout(true);
  }

  private async relayout(fit: boolean): Promise<void> {
    if (!this.graph || !this.index) return;
    const started = performance.now();
    const input = toLayoutInput(this.graph, this.expanded, this.index);
    this.progress.root.hidden = false;
    this.cancelButton.hidden = false;
    const total = countNodes(this.graph);
    this.progress.set(null, `Layout of ${total} nodes…`);
    const ticker = setInterval(() => this.progress.set(null, `Layout of ${total} nodes… ${((performance.now() - started) / 1000).toFixed(1)} s`), 250);
    try {
      const { result, ms } = await this.layout.layout(input, this.direction, (phase) => this.progress.set(null, phase));
      const styles = new Map<string, NodeStyle>();
      for (const node of this.graph.nodes) {
        const open = this.expanded.has(node.id);
        const label = nodeLabel(node);
        styles.set(node.id, { ...label, fill: categoryFill[opCategory(node)], group: nodeKind(node) === 'group', frame: open });
        if (open) for (const c of node.children ?? []) styles.set(c.id, { ...nodeLabel(c), fill: categoryFill[opCategory(c)], group: false, frame: false });
      }
      this.canvas.setScene(result, styles, !fit);
      await new Promise<void>((resolve) => {
        const off = this.canvas.onDraw(() => {
          off();
          resolve();
        });
      });
      this.lastTiming = { started, layoutMs: ms, drawnAt: performance.now() };
      this.status.textContent = `${total} nodes, ${this.graph.edges.length} edges; layout ${Math.round(ms)} ms`;
      this.root.dataset.drawn = String(total);
    } catch (e) {
      if (e instanceof LayoutCancelled) this.status.textContent = 'Layout cancelled';
      else this.status.textContent = (e as Error).message;
      throw e;
    } finally {
      clearInterval(ticker);
      this.progress.root.hidden = true;
      this.cancelButton.hidden = true;
    }
  }

  private toggleGroup(id: string): void {
    const node = this.index?.byId.get(id);
    const top = this.index?.topOf.get(id);
    if (node && isGroup(node)) {
      if (this.expanded.has(id)) this.expanded.delete(id);
      else this.expanded.add(id);
    } else if (top && this.expanded.has(top)) {
      this.expanded.delete(top);
    } else return;
    void this.relayout(false).catch(() => {});
  }

  private setAllGroups(open: boolean): void {
    if (!this.graph) return;
    this.expanded = new Set(open ? this.graph.nodes.filter((n) => isGroup(n)).map((n) => n.id) : []);
    void this.relayout(false).catch(() => {});
  }

  /** Highlights nodes (e.g. the ops a diff line names); reveals the first. */
  highlight(ids: string[]): void {
    this.canvas.setHighlight(ids);
    if (ids[0]) this.canvas.reveal(ids[0]);
  }

  select(id: string | null): void {
    this.canvas.select(id);
  }

  /** Every node id of the graph shown (groups' members too). */
  nodeIds(): string[] {
    const ids: string[] = [];
    const visit = (nodes: readonly { id: string; children?: readonly unknown[] }[]): void => {
      for (const n of nodes) {
        ids.push(n.id);
        if (n.children) visit(n.children as { id: string; children?: readonly unknown[] }[]);
      }
    };
    visit(this.graph?.nodes ?? []);
    return ids;
  }

  setHeat(fills: Map<string, string> | null): void {
    this.heatLegend.hidden = !fills;
    this.canvas.setHeat(fills);
    this.root.dataset.heat = fills ? String(fills.size) : '';
  }

  private runSearch(query: string): void {
    clear(this.searchResults);
    if (!this.index || !query.trim()) {
      this.searchResults.hidden = true;
      this.canvas.setHighlight([]);
      return;
    }
    const hits = searchNodes(this.index, query, 50);
    this.searchResults.hidden = false;
    if (hits.length === 0) this.searchResults.append(h('li', { className: 'muted', text: 'No match' }));
    for (const node of hits) {
      const item = h('li', { role: 'option', tabindex: -1, 'aria-selected': 'false', text: `${node.name ?? node.id} — ${node.op} ${node.results[0] ? shapeText(node.results[0].shape) : ''}` });
      const pick = () => {
        const top = this.index!.topOf.get(node.id) ?? node.id;
        this.canvas.select(this.canvas.hasNode(node.id) ? node.id : top);
      };
      item.addEventListener('click', pick);
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') pick();
        else if (e.key === 'ArrowDown') (item.nextElementSibling as HTMLElement | null)?.focus();
        else if (e.key === 'ArrowUp') (item.previousElementSibling as HTMLElement | null)?.focus();
        else return;
        e.preventDefault();
      });
      this.searchResults.append(item);
    }
    this.canvas.setHighlight(hits.map((n) => (this.canvas.hasNode(n.id) ? n.id : this.index!.topOf.get(n.id) ?? n.id)));
  }

  private showNode(id: string | null): void {
    clear(this.panel);
    const node = id ? this.index?.byId.get(id) ?? null : null;
    for (const l of this.selectListeners) l(node);
    if (!node) {
      this.panel.append(h('p', { className: 'muted', text: 'Click a node (or press N / P in the graph) to see its details.' }));
      return;
    }
    const rows: [string, string][] = [
      ['Name', node.name ?? '—'],
      ['Op', node.op],
      ['ONNX op', node.onnxOp ?? '—'],
      ['Id', node.id],
      ['Outputs', node.results.map((r) => `${shapeText(r.shape)} ${r.dtype}`).join(', ') || '—'],
      ['FLOPs', node.flops === null || node.flops === undefined ? '—' : node.flops.toLocaleString('en-US')],
      ['Bytes', node.bytes === null || node.bytes === undefined ? '—' : node.bytes.toLocaleString('en-US')],
      ['Location', node.location ? `${node.location.file}:${node.location.line}:${node.location.column}` : '—'],
    ];
    if (node.names && node.names.length > 1) rows.push(['From', node.names.join(', ')]);
    if (node.constants?.length) rows.push(['Constants', node.constants.map((c) => `#${c.operand} ${c.name ?? ''} ${shapeText(c.shape)} ${c.dtype}`).join('; ')]);
    if (node.children?.length) {
      const members = node.children.filter((c) => c.op !== 'nn.yield');
      const regions = [...new Set(members.map((c) => c.region).filter((r): r is string => !!r))];
      if (regions.length > 0)
        for (const r of regions) rows.push([r, members.filter((c) => c.region === r).map((c) => c.op).join(', ')]);
      else rows.push(['Group', `${node.kind ?? ''}: ${members.map((c) => c.op).join(', ')}`]);
    }
    const dl = h('dl', { className: 'props' });
    for (const [k, v] of rows) dl.append(h('dt', { text: k }), h('dd', { text: v }));
    const attrs = Object.entries(node.attributes ?? {});
    const attrList = h('dl', { className: 'props attrs' });
    for (const [k, v] of attrs) attrList.append(h('dt', { text: k }), h('dd', { text: typeof v === 'string' ? v : JSON.stringify(v) }));
    const open = h('button', { type: 'button', className: 'link-button', text: 'Open in IR editor' });
    open.addEventListener('click', () => {
      for (const l of this.openInEditorListeners) l(node);
    });
    this.panel.append(h('h3', { text: node.name ?? node.id }), dl);
    if (attrs.length) this.panel.append(h('h4', { text: 'Attributes' }), attrList);
    this.panel.append(open);
    if (isGroup(node)) this.panel.append(h('p', { className: 'muted', text: 'Double-click the group or press Enter to open or close it.' }));
  }
}
