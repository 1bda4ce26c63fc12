// The pass timeline: the compile's pass list with nesting, op-count deltas and
// the filters the panel offers; and stepping through the visible rows.
import type { CompilePassesResult } from '../generated/schemas';

export type PassRow = CompilePassesResult['passes'][number];

export interface TimelineFilter {
  /** Only passes that changed the IR. */
  changedOnly: boolean;
  /** Case-insensitive substring of the pass argument or name. */
  name: string;
}

export interface TimelineRow extends PassRow {
  delta: number;
  /** How many earlier runs of the same argument: #N for `model/graph {after}`. */
  occurrence: number;
}

export function timelineRows(passes: PassRow[]): TimelineRow[] {
  const seen = new Map<string, number>();
  return passes.map((p) => {
    const occurrence = (seen.get(p.argument) ?? 0) + 1;
    seen.set(p.argument, occurrence);
    return { ...p, delta: p.opsAfter - p.opsBefore, occurrence };
  });
}

export function filterRows(rows: TimelineRow[], filter: TimelineFilter): TimelineRow[] {
  const q = filter.name.trim().toLowerCase();
  return rows.filter((r) => (!filter.changedOnly || r.changed) && (!q || r.argument.toLowerCase().includes(q) || r.pass.toLowerCase().includes(q)));
}

/** The row after (+1) or before (-1) the selected pass among the visible rows. */
export function step(rows: TimelineRow[], selected: number | null, direction: 1 | -1): number | null {
  if (rows.length === 0) return null;
  const at = rows.findIndex((r) => r.index === selected);
  if (at < 0) return rows[direction === 1 ? 0 : rows.length - 1]!.index;
  const next = Math.max(0, Math.min(rows.length - 1, at + direction));
  return rows[next]!.index;
}

/** The `after` argument of model/graph for the graph after this pass ("name#2" for a second run). */
export function graphAfterArgument(row: TimelineRow): string {
  return row.occurrence === 1 ? row.argument : `${row.argument}#${row.occurrence}`;
}

export function formatDelta(delta: number): string {
  return delta === 0 ? '±0' : delta > 0 ? `+${delta}` : `−${-delta}`;
}

/** Total wall time per depth-1 pass, for the bar behind each row. */
export function maxWall(rows: TimelineRow[]): number {
  return rows.reduce((m, r) => Math.max(m, r.wallMs), 0);
}
