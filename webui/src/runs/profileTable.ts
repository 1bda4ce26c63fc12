// The per-op profile table: rows, sorting, CSV, and the heat each op gets.
import type { ProfileDocOp, ProfileDocument } from '../generated/schemas';
import { heatFill } from '../graph/colors';

export type SortKey = 'name' | 'op' | 'totalMs' | 'meanMs' | 'percent' | 'flops' | 'gflopsPerSecond';

export interface Sort {
  key: SortKey;
  descending: boolean;
}

export const columns: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'name', label: 'Name', numeric: false },
  { key: 'op', label: 'Op', numeric: false },
  { key: 'totalMs', label: 'Time (ms, total)', numeric: true },
  { key: 'meanMs', label: 'Mean (ms)', numeric: true },
  { key: 'percent', label: '%', numeric: true },
  { key: 'flops', label: 'FLOPs', numeric: true },
  { key: 'gflopsPerSecond', label: 'GFLOP/s', numeric: true },
];

export function sortOps(ops: ProfileDocOp[], sort: Sort): ProfileDocOp[] {
  const dir = sort.descending ? -1 : 1;
  return [...ops].sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    // Unknown values (null FLOPs) sort last either way.
    if (x === null && y === null) return a.index - b.index;
    if (x === null) return 1;
    if (y === null) return -1;
    const c = typeof x === 'string' ? x.localeCompare(String(y)) : (x as number) - (y as number);
    return c === 0 ? a.index - b.index : c * dir;
  });
}

/** Clicking a column: the same one flips the order, another sorts by it (numbers largest first). */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: columns.find((c) => c.key === key)?.numeric ?? false };
}

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function profileCsv(ops: ProfileDocOp[]): string {
  const header = ['id', 'name', 'op', 'calls', 'totalMs', 'meanMs', 'minMs', 'maxMs', 'percent', 'flops', 'gflopsPerSecond'];
  const lines = [header.join(',')];
  for (const o of ops)
    lines.push([o.id, o.name, o.op, o.calls, o.totalMs, o.meanMs, o.minMs, o.maxMs, o.percent, o.flops, o.gflopsPerSecond].map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

export function latencyCsv(samples: number[]): string {
  return 'iteration,latency_ms\n' + samples.map((s, i) => `${i + 1},${s}`).join('\n') + '\n';
}

/** Heat fill per profiled op id, scaled to the slowest op. */
/**
 * The graph node a GPU kernel computes: kernels are named "k_" + the node's
 * first ONNX name with every run of other characters made one "_" (and "_N"
 * when a node has several kernels). `nodeIds` are the graph's ids (ONNX
 * names joined by '+').
 */
export function kernelNode(kernel: string, nodeIds: readonly string[]): string | undefined {
  const identifier = (name: string): string => `k_${name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+/, '')}`.slice(0, 96);
  const exact = new Map<string, string>();
  for (const id of nodeIds) exact.set(identifier(id.split('+')[0] ?? id), id);
  return exact.get(kernel) ?? exact.get(kernel.replace(/_\d+$/, ''));
}

/**
 * Fill colours by graph node id, hottest red. A CPU profile's rows are graph
 * ops; a GPU profile's are kernels, summed into the nodes they compute
 * (`nodeIds`: the graph's).
 */
export function heatByOp(profile: ProfileDocument, nodeIds: readonly string[] = []): Map<string, string> {
  const time = new Map<string, number>();
  for (const o of profile.ops) {
    const id = o.op === 'gpu.kernel' ? kernelNode(o.id, nodeIds) : o.id;
    if (id !== undefined) time.set(id, (time.get(id) ?? 0) + o.totalMs);
  }
  const max = [...time.values()].reduce((m, t) => Math.max(m, t), 0);
  const heat = new Map<string, string>();
  for (const [id, t] of time) heat.set(id, heatFill(max > 0 ? t / max : 0));
  return heat;
}

export function formatNumber(value: number | null, digits = 3): string {
  if (value === null) return '—';
  if (Math.abs(value) >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toFixed(digits);
}
