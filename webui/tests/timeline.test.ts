import { describe, expect, it } from 'vitest';
import { filterRows, formatDelta, graphAfterArgument, maxWall, step, timelineRows, type PassRow } from '../src/passes/timeline';

function pass(index: number, pass: string, argument: string, opsBefore: number, opsAfter: number, changed: boolean, wallMs = 1): PassRow {
  return { index, pass, argument, anchor: 'func.func @main', depth: 1, wallMs, opsBefore, opsAfter, changed, failed: false };
}

const passes: PassRow[] = [
  pass(0, 'Canonicalizer', 'canonicalize', 40, 38, true, 2.5),
  pass(1, 'FoldBatchNormPass', 'openopt-fold-batchnorm', 38, 30, true, 4),
  pass(2, 'CSE', 'cse', 30, 30, false, 0.5),
  pass(3, 'Canonicalizer', 'canonicalize', 30, 30, false, 1.25),
  pass(4, 'FuseEpiloguePass', 'openopt-fuse-epilogue', 30, 34, true, 7.75),
  pass(5, 'Canonicalizer', 'canonicalize', 34, 33, true, 1),
];

describe('timelineRows', () => {
  const rows = timelineRows(passes);

  it('adds the op-count delta', () => {
    expect(rows.map((r) => r.delta)).toEqual([-2, -8, 0, 0, 4, -1]);
  });

  it('counts the runs of each argument', () => {
    expect(rows.map((r) => r.occurrence)).toEqual([1, 1, 1, 2, 1, 3]);
  });

  it('keeps the pass fields', () => {
    expect(rows[4]).toMatchObject({ index: 4, pass: 'FuseEpiloguePass', argument: 'openopt-fuse-epilogue', wallMs: 7.75, changed: true });
  });
});

describe('filterRows', () => {
  const rows = timelineRows(passes);
  const idx = (r: { index: number }[]) => r.map((x) => x.index);

  it('passes everything with no filter', () => {
    expect(idx(filterRows(rows, { changedOnly: false, name: '' }))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps only changing passes', () => {
    expect(idx(filterRows(rows, { changedOnly: true, name: '' }))).toEqual([0, 1, 4, 5]);
  });

  it('matches the argument or the pass name, case-insensitively, trimmed', () => {
    expect(idx(filterRows(rows, { changedOnly: false, name: 'CANON' }))).toEqual([0, 3, 5]);
    expect(idx(filterRows(rows, { changedOnly: false, name: '  batchnormpass ' }))).toEqual([1]); // pass name only
    expect(idx(filterRows(rows, { changedOnly: false, name: 'fuse-epi' }))).toEqual([4]); // argument only
    expect(idx(filterRows(rows, { changedOnly: true, name: 'canonical' }))).toEqual([0, 5]);
    expect(idx(filterRows(rows, { changedOnly: false, name: 'nothing-like-it' }))).toEqual([]);
  });
});

describe('step', () => {
  const visible = filterRows(timelineRows(passes), { changedOnly: true, name: '' }); // indices 0, 1, 4, 5

  it('moves to the next and previous visible row', () => {
    expect(step(visible, 1, 1)).toBe(4);
    expect(step(visible, 4, -1)).toBe(1);
    expect(step(visible, 4, 1)).toBe(5);
  });

  it('clamps at the ends rather than wrapping', () => {
    expect(step(visible, 5, 1)).toBe(5);
    expect(step(visible, 0, -1)).toBe(0);
  });

  it('starts from the first (forward) or last (backward) row when nothing visible is selected', () => {
    expect(step(visible, null, 1)).toBe(0);
    expect(step(visible, null, -1)).toBe(5);
    expect(step(visible, 2, 1)).toBe(0); // pass 2 is filtered out
    expect(step(visible, 3, -1)).toBe(5);
  });

  it('returns null with no rows', () => {
    expect(step([], 0, 1)).toBeNull();
    expect(step([], null, -1)).toBeNull();
  });
});

describe('graphAfterArgument / formatDelta / maxWall', () => {
  const rows = timelineRows(passes);

  it('names the first run plainly and later runs with #N', () => {
    expect(graphAfterArgument(rows[0]!)).toBe('canonicalize');
    expect(graphAfterArgument(rows[3]!)).toBe('canonicalize#2');
    expect(graphAfterArgument(rows[5]!)).toBe('canonicalize#3');
    expect(graphAfterArgument(rows[1]!)).toBe('openopt-fold-batchnorm');
  });

  it('formats deltas with a sign', () => {
    expect(formatDelta(0)).toBe('±0');
    expect(formatDelta(4)).toBe('+4');
    expect(formatDelta(-8)).toBe('−8'); // U+2212 minus
    expect(formatDelta(-8)).not.toBe('-8');
  });

  it('finds the longest wall time', () => {
    expect(maxWall(rows)).toBe(7.75);
    expect(maxWall([])).toBe(0);
  });
});
