import { describe, expect, it } from 'vitest';
import { stats, ticks } from '../src/runs/latencyChart';

describe('stats', () => {
  it('gives min, max and the upper median', () => {
    expect(stats([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(stats([4, 1, 3, 2])).toEqual({ median: 3, min: 1, max: 4 }); // upper median of an even count
    expect(stats([1.5])).toEqual({ median: 1.5, min: 1.5, max: 1.5 });
  });

  it('sorts numerically, not as text, and leaves its input alone', () => {
    const samples = [10, 9, 100, 2.5];
    expect(stats(samples)).toEqual({ median: 10, min: 2.5, max: 100 });
    expect(samples).toEqual([10, 9, 100, 2.5]);
  });

  it('answers zeros for no samples', () => {
    expect(stats([])).toEqual({ median: 0, min: 0, max: 0 });
  });
});

describe('ticks', () => {
  const isRoundStep = (step: number) => {
    const mag = 10 ** Math.floor(Math.log10(step));
    return [1, 2, 2.5, 5].some((m) => Math.abs(step / mag - m) < 1e-9);
  };

  it('gives known values', () => {
    expect(ticks(10)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(ticks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(ticks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(ticks(1.05)).toEqual([0, 0.5, 1, 1.5]);
    expect(ticks(9, 3)).toEqual([0, 5, 10]);
  });

  it('starts at 0, covers the maximum with round evenly spaced steps', () => {
    for (const max of [0.0042, 0.37, 1, 1.7, 3.3, 12.6, 99, 101, 1234.5, 8e6]) {
      const t = ticks(max);
      expect(t[0]).toBe(0);
      expect(t[t.length - 1]!).toBeGreaterThanOrEqual(max);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(6);
      const step = t[1]! - t[0]!;
      expect(isRoundStep(step), `step ${step} for max ${max}`).toBe(true);
      for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeCloseTo(step, 9);
      // no tick beyond the one covering max
      expect(t[t.length - 2]!).toBeLessThan(max);
    }
  });

  it('gives only 0 for an empty or non-positive range', () => {
    expect(ticks(0)).toEqual([0]);
    expect(ticks(-5)).toEqual([0]);
  });
});
