// The passes webview: the web UI's pass timeline (rows, filters, op deltas,
// arrow-key stepping from webui/src/passes/timeline), the selected pass's diff
// per function as compile/diff reports it with the ops it added, removed or
// replaced, and the web UI's graph explorer after that pass; an op of the diff
// picks its node. "Side by side" opens the IR before and after in VS Code's
// diff editor.
import type { CompileDiffResult } from '../../../webui/src/generated/schemas';
import { GraphView } from '../../../webui/src/graph/GraphView';
import { graphNodeFor } from '../../../webui/src/passes/linking';
import { filterRows, formatDelta, maxWall, step, type TimelineRow } from '../../../webui/src/passes/timeline';
import { clear, h } from '../../../webui/src/ui/dom';
import { prepareWorkers, statusLine, vscodeApi } from './common';
import type { HostToPasses, PassesToHost } from './protocol';

const vscode = vscodeApi<PassesToHost>();
const status = statusLine();
const graph = new GraphView('Graph at the selected pass');
// For the end-to-end test (tests/e2e/vscode).
(window as unknown as { openoptGraph: GraphView }).openoptGraph = graph;
let rows: TimelineRow[] = [];
let selected: number | null = null;
const filter = { changedOnly: false, name: '' };

const title = h('h2', { className: 'passes-title' });
const changed = h('input', { type: 'checkbox', id: 'passes-changed' }) as HTMLInputElement;
changed.addEventListener('change', () => {
  filter.changedOnly = changed.checked;
  renderList();
});
const name = h('input', { type: 'search', placeholder: 'Filter passes by name', 'aria-label': 'Filter passes by name' }) as HTMLInputElement;
name.addEventListener('input', () => {
  filter.name = name.value;
  renderList();
});
const list = h('ul', { role: 'listbox', 'aria-label': 'Passes', className: 'pass-list', tabindex: 0 });
list.addEventListener('keydown', (e) => {
  const direction = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
  if (!direction) return;
  e.preventDefault();
  const next = step(filterRows(rows, filter), selected, direction);
  if (next !== null) selectPass(next);
});
const header = h('p', { className: 'pass-header', role: 'status', 'aria-live': 'polite', text: 'Loading…' });
const sideBySide = h('button', { type: 'button', text: 'Side by side in the editor', disabled: true }) as HTMLButtonElement;
sideBySide.addEventListener('click', () => {
  if (selected !== null) vscode.postMessage({ type: 'openDiff', index: selected });
});
const chips = h('div', { className: 'op-chips', 'aria-label': 'Ops this pass changed' });
const diffPane = h('div', { className: 'diff-pane', 'aria-label': 'What the selected pass changed' });
document.body.append(
  title,
  status.root,
  h('div', { className: 'passes passes-page' },
    h('div', { className: 'pass-side' }, h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Pass filters' }, h('label', { for: 'passes-changed' }, changed, ' Changed only'), name), list),
    h('div', { className: 'pass-main' }, h('div', { className: 'toolbar' }, header, sideBySide), chips, diffPane, graph.root)),
);

function renderList(): void {
  clear(list);
  const visible = filterRows(rows, filter);
  const longest = maxWall(visible) || 1;
  for (const r of visible) {
    const item = h('li', { role: 'option', id: `pass-${r.index}`, 'aria-selected': String(r.index === selected), 'data-pass': r.index, className: r.changed ? 'changed' : 'unchanged' },
      h('span', { className: 'pass-name', style: `padding-left:${(r.depth - 1) * 14}px`, text: r.argument }),
      h('span', { className: 'pass-ms', text: `${r.wallMs.toFixed(2)} ms` }),
      h('span', { className: `pass-delta ${r.delta < 0 ? 'minus' : r.delta > 0 ? 'plus' : ''}`, text: formatDelta(r.delta), title: `${r.opsBefore} → ${r.opsAfter} ops` }),
      h('span', { className: 'pass-bar', style: `width:${Math.max(1, (r.wallMs / longest) * 100)}%`, 'aria-hidden': 'true' }));
    item.title = `${r.pass} on ${r.anchor}${r.failed ? ' (failed)' : ''}`;
    item.addEventListener('click', () => selectPass(r.index));
    list.append(item);
  }
  if (visible.length === 0) list.append(h('li', { className: 'muted', text: rows.length ? 'No pass matches the filter' : 'No passes' }));
  if (selected !== null) list.setAttribute('aria-activedescendant', `pass-${selected}`);
}

function selectPass(index: number): void {
  selected = index;
  renderList();
  document.getElementById(`pass-${index}`)?.scrollIntoView({ block: 'nearest' });
  const row = rows.find((r) => r.index === index);
  if (row) header.textContent = `#${row.index} ${row.argument} on ${row.anchor}: ${row.changed ? 'changed the IR' : 'no change'}, ${row.opsBefore} → ${row.opsAfter} ops, ${row.wallMs.toFixed(2)} ms`;
  sideBySide.disabled = false;
  clear(diffPane);
  clear(chips);
  diffPane.append(h('p', { className: 'muted', text: 'Loading the diff…' }));
  vscode.postMessage({ type: 'selectPass', index });
}

function pickNode(opId: string): void {
  const index = graph.graphIndex;
  if (!index) return;
  const node = graphNodeFor(opId, (id) => graph.canvas.hasNode(id), index.topOf, index.order);
  if (!node) return;
  graph.highlight([node]);
  graph.select(node);
  document.body.dataset.linkedNode = node;
}

function renderDiff(diff: CompileDiffResult): void {
  clear(diffPane);
  clear(chips);
  if (!diff.changed || diff.functions.length === 0) {
    diffPane.append(h('p', { className: 'muted', text: 'This pass did not change the IR.' }));
    return;
  }
  for (const fn of diff.functions) {
    for (const op of fn.ops) {
      const chip = h('button', { type: 'button', className: `op-chip ${op.kind}`, text: `${op.kind} ${op.op}`, title: op.id });
      chip.addEventListener('click', () => pickNode(op.id));
      chips.append(chip);
    }
    const pre = h('pre');
    for (const line of fn.diff.split('\n')) {
      const kind = line.startsWith('@@') ? 'hunk' : line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : '';
      pre.append(h('span', { className: `line ${kind}`, text: line || ' ' }));
    }
    diffPane.append(h('div', { className: 'fn', text: `@${fn.name}` }), pre);
  }
  diffPane.dataset.lines = String(diffPane.querySelectorAll('.line').length);
}

let graphKey = '';

window.addEventListener('message', (event: MessageEvent<HostToPasses>) => {
  const m = event.data;
  if (m.type === 'loading') status.set(m.message);
  else if (m.type === 'error') status.set(m.message, true);
  else if (m.type === 'passes') {
    status.set('');
    title.textContent = m.title;
    rows = m.rows;
    graphKey = '';
    renderList();
    const first = m.selected ?? rows.find((r) => r.changed)?.index ?? rows[0]?.index ?? null;
    if (first !== null) selectPass(first);
  } else if (m.type === 'passDetail') {
    if (m.index !== selected) return;
    renderDiff(m.diff);
    document.body.dataset.pass = String(m.index);
    status.set(m.graphError ?? '', m.graphError !== null);
    if (m.graph && m.graphTitle !== graphKey) {
      graphKey = m.graphTitle;
      void graph.show(m.graph, m.graphTitle).then(
        () => vscode.postMessage({ type: 'drawn', nodes: Number(graph.root.dataset.drawn ?? 0) }),
        () => {},
      );
    }
  } else if (m.type === 'passError') {
    if (m.index !== selected) return;
    clear(diffPane);
    diffPane.append(h('p', { className: 'message', text: m.message }));
  }
});

prepareWorkers().then(
  () => vscode.postMessage({ type: 'ready' }),
  (e: Error) => status.set(e.message, true),
);
