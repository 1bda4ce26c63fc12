import { describe, expect, it } from 'vitest';
import { categoryFill, contrastRatio, heatFill, luminance, opCategory, textColor, textOn, type OpCategory } from '../src/graph/colors';

describe('contrast helpers', () => {
  it('match the WCAG reference values', () => {
    expect(luminance('#ffffff')).toBeCloseTo(1, 10);
    expect(luminance('#000000')).toBe(0);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 10);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});

describe('category fills', () => {
  it('every fill meets WCAG AA (4.5:1) with the node text colour', () => {
    const categories = Object.keys(categoryFill) as OpCategory[];
    expect(categories.sort()).toEqual(['activation', 'compute', 'elementwise', 'io', 'normalization', 'other', 'reduction', 'shape']);
    for (const c of categories) expect(contrastRatio(categoryFill[c], textColor), c).toBeGreaterThanOrEqual(4.5);
  });

  it('classifies ops by their name without the dialect prefix', () => {
    expect(opCategory({ op: 'nn.conv' })).toBe('compute');
    expect(opCategory({ op: 'nn.gemm' })).toBe('compute');
    expect(opCategory({ op: 'nn.add' })).toBe('elementwise');
    expect(opCategory({ op: 'nn.relu' })).toBe('activation');
    expect(opCategory({ op: 'nn.batch_norm' })).toBe('normalization');
    expect(opCategory({ op: 'nn.reshape' })).toBe('shape');
    expect(opCategory({ op: 'nn.max_pool' })).toBe('reduction');
    expect(opCategory({ op: 'input' })).toBe('io');
    expect(opCategory({ op: 'output' })).toBe('io');
    expect(opCategory({ op: 'nn.mystery' })).toBe('other');
  });

  it('a fused group with a conv is compute, whatever comes first; otherwise its first member', () => {
    const member = (op: string) => ({ id: op, op, results: [] });
    expect(opCategory({ op: 'nn.fused', children: [member('nn.relu'), member('nn.conv'), member('nn.yield')] })).toBe('compute');
    expect(opCategory({ op: 'nn.fused', children: [member('nn.add'), member('nn.relu')] })).toBe('elementwise');
    expect(opCategory({ op: 'nn.fused', children: [] })).toBe('other');
    expect(opCategory({ op: 'nn.fused' })).toBe('other');
  });
});

describe('heat scale', () => {
  it('runs from the lightest stop to the darkest, clamped outside 0..1', () => {
    expect(heatFill(0)).toBe('#fff5d6');
    expect(heatFill(1)).toBe('#7f0000');
    expect(heatFill(0.5)).toBe('#fc8d59');
    expect(heatFill(-3)).toBe('#fff5d6');
    expect(heatFill(7)).toBe('#7f0000');
    expect(heatFill(0.125)).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('gets darker as the share grows', () => {
    let last = Infinity;
    for (let i = 0; i <= 20; i++) {
      const l = luminance(heatFill(i / 20));
      expect(l).toBeLessThan(last);
      last = l;
    }
  });

  it('textOn picks dark text on light fills and white on dark ones', () => {
    expect(textOn('#ffffff')).toBe(textColor);
    expect(textOn('#000000')).toBe('#ffffff');
    expect(textOn(heatFill(0))).toBe(textColor);
    expect(textOn(heatFill(1))).toBe('#ffffff');
  });

  // Around share 0.7 a plain ramp gives #de432b, where neither dark text
  // (about 4.0:1) nor white (4.25:1) reaches 4.5:1; heatFill skips that band.
  it('textOn(heatFill(t)) meets WCAG AA for every share 0..1 in steps of 0.05', () => {
    const failures: string[] = [];
    for (let i = 0; i <= 20; i++) {
      const t = i / 20;
      const fill = heatFill(t);
      const ratio = contrastRatio(fill, textOn(fill));
      if (ratio < 4.5) failures.push(`t=${t.toFixed(2)} ${fill} ${ratio.toFixed(2)}:1`);
    }
    expect(failures).toEqual([]);
  });
});
