// Pass timeline and diffs: the passes of a compile (nested, wall time, op
// delta, filters, arrow-key stepping), a Monaco diff of the IR before and
// after the selected pass, and a graph linked to the diff both ways.
import type { ArtifactFetcher } from '../api/artifacts';
import { fetchGraph, fetchIr } from '../api/artifacts';
import type { RpcClient } from '../api/rpc';
import type { DiffViewHandle } from '../editor';
import { GraphView } from '../graph/GraphView';
import { graphNodeFor, indexOpLines, linesForNode, opAtLine, type OpLines } from '../passes/linking';
import { filterRows, formatDelta, graphAfterArgument, maxWall, step, timelineRows, type TimelineRow } from '../passes/timeline';
import { clear, h } from '../ui/dom';

export interface CompileRef {
  model: string;
  compile: string;
}

export class PassesPanel {
  readonly root: HTMLElement;
  readonly graph = new GraphView('Graph at the selected pass');
  private list: HTMLElement;
  private rows: TimelineRow[] = [];
  private filter = { changedOnly: false, name: '' };
  private selected: number | null = null;
  private diff: DiffViewHandle | null = null;
  private diffHost: HTMLElement;
  private header: HTMLElement;
  private current: CompileRef | null = null;
  /** Passes before code generation starts (the recipe's graph passes). */
  graphPasses = 0;
  private before: OpLines | null = null;
  private after: OpLines | null = null;
  private graphKey = '';
  private loadToken = 0;

  constructor(private readonly client: RpcClient, private readonly artifacts: ArtifactFetcher, private readonly loadEditor: () => Promise<typeof import('../editor')>) {
    const changed = h('input', { type: 'checkbox', id: 'passes-changed' }) as HTMLInputElement;
    changed.addEventListener('change', () => {
      this.filter.changedOnly = changed.checked;
      this.renderList();
    });
    const name = h('input', { type: 'search', placeholder: 'Filter passes by name', 'aria-label': 'Filter passes by name' }) as HTMLInputElement;
    name.addEventListener('input', () => {
      this.filter.name = name.value;
      this.renderList();
    });
    this.list = h('ul', { role: 'listbox', 'aria-label': 'Passes', className: 'pass-list', tabindex: 0 });
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.header = h('p', { className: 'pass-header', role: 'status', 'aria-live': 'polite', text: 'Compile a model to see its passes.' });
    this.diffHost = h('div', { className: 'diff-host', 'aria-label': 'IR before and after the selected pass' });
    this.root = h('div', { className: 'passes' },
      h('div', { className: 'pass-side' },
        h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Pass filters' }, h('label', { for: 'passes-changed' }, changed, ' Changed only'), name),
        this.list),
      h('div', { className: 'pass-main' }, this.header, this.diffHost, this.graph.root));
    this.graph.onSelectNode((node) => {
      if (node) this.linkNodeToDiff(node.id);
    });
  }

  async load(ref: CompileRef): Promise<void> {
    this.current = ref;
    const { passes } = await this.client.call('compile/passes', { compile: ref.compile });
    this.rows = timelineRows(passes);
    const codegen = this.rows.findIndex((r) => r.argument.startsWith('openopt-convert-nn-to-linalg'));
    this.graphPasses = codegen < 0 ? this.rows.length : codegen;
    this.graphKey = '';
    this.renderList();
    const firstChanged = this.rows.find((r) => r.changed);
    await this.selectPass(firstChanged?.index ?? this.rows[0]?.index ?? null);
  }

  private renderList(): void {
    clear(this.list);
    const rows = filterRows(this.rows, this.filter);
    const longest = maxWall(rows) || 1;
    for (const r of rows) {
      const item = h('li', { role: 'option', id: `pass-${r.index}`, 'aria-selected': String(r.index === this.selected), 'data-pass': r.index, className: r.changed ? 'changed' : 'unchanged' },
        h('span', { className: 'pass-name', style: `padding-left:${(r.depth - 1) * 14}px`, text: r.argument }),
        h('span', { className: 'pass-ms', text: `${r.wallMs.toFixed(2)} ms` }),
        h('span', { className: `pass-delta ${r.delta < 0 ? 'minus' : r.delta > 0 ? 'plus' : ''}`, text: formatDelta(r.delta), title: `${r.opsBefore} → ${r.opsAfter} ops` }),
        h('span', { className: 'pass-bar', style: `width:${Math.max(1, (r.wallMs / longest) * 100)}%`, 'aria-hidden': 'true' }));
      item.title = `${r.pass} on ${r.anchor}${r.failed ? ' (failed)' : ''}`;
      item.addEventListener('click', () => void this.selectPass(r.index));
      this.list.append(item);
    }
    if (rows.length === 0) this.list.append(h('li', { className: 'muted', text: this.rows.length ? 'No pass matches the filter' : 'No passes' }));
    if (this.selected !== null) this.list.setAttribute('aria-activedescendant', `pass-${this.selected}`);
  }

  private onKey(e: KeyboardEvent): void {
    const direction = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (!direction) return;
    e.preventDefault();
    const next = step(filterRows(this.rows, this.filter), this.selected, direction);
    if (next !== null) void this.selectPass(next);
  }

  async selectPass(index: number | null): Promise<void> {
    this.selected = index;
    this.renderList();
    if (index === null || !this.current) return;
    const row = this.rows.find((r) => r.index === index);
    if (!row) return;
    document.getElementById(`pass-${index}`)?.scrollIntoView({ block: 'nearest' });
    const token = ++this.loadToken;
    this.header.textContent = `#${row.index} ${row.argument} on ${row.anchor}: ${row.changed ? 'changed the IR' : 'no change'}, ${row.opsBefore} → ${row.opsAfter} ops, ${row.wallMs.toFixed(2)} ms`;
    const { compile, model } = this.current;
    const [before, after, editor] = await Promise.all([fetchIr(this.client, this.artifacts, compile, index - 1), fetchIr(this.client, this.artifacts, compile, index), this.loadEditor()]);
    if (token !== this.loadToken) return;
    this.before = indexOpLines(before.ops);
    this.after = indexOpLines(after.ops);
    if (!this.diff) {
      await editor.initEditorServices();
      this.diff = editor.createDiffView(this.diffHost);
      this.diff.onDidSelectLine((side, _text, line) => this.onDiffLine(side, line));
    }
    this.diff.show(before.ir, after.ir);
    this.root.dataset.pass = String(index);
    // The graph after this pass for graph passes; after all of them for code generation.
    const graphPass = row.index < this.graphPasses;
    const key = graphPass ? graphAfterArgument(row) : 'all';
    if (key !== this.graphKey) {
      const doc = await fetchGraph(this.client, this.artifacts, graphPass ? { model, compile, after: key } : { model, compile });
      if (token !== this.loadToken) return;
      this.graphKey = key;
      await this.graph.show(doc, graphPass ? `Graph after ${key}` : 'Graph after all graph passes').catch(() => {});
    }
  }

  /** Diff line -> graph node. */
  private onDiffLine(side: 'original' | 'modified', line: number): void {
    const index = side === 'original' ? this.before : this.after;
    const gi = this.graph.graphIndex;
    if (!index || !gi) return;
    const op = opAtLine(index, line);
    if (!op) return;
    const node = graphNodeFor(op.id, (id) => this.graph.canvas.hasNode(id), gi.topOf, gi.order);
    if (node) {
      this.graph.highlight([node]);
      this.graph.canvas.select(node, true);
    }
    this.root.dataset.linkedNode = node ?? '';
  }

  /** Graph node -> diff lines (both sides). */
  linkNodeToDiff(nodeId: string): void {
    if (!this.diff || !this.before || !this.after) return;
    const members = this.graph.graphIndex?.byId.get(nodeId)?.children?.map((c) => c.id) ?? [];
    const lines = { original: linesForNode(this.before, nodeId, members), modified: linesForNode(this.after, nodeId, members) };
    this.diff.highlightLines(lines.original, lines.modified);
    this.root.dataset.linkedLines = `${lines.original.join(',')}|${lines.modified.join(',')}`;
  }

}
