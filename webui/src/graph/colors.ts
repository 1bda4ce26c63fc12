// Node colours by op kind, and the heat scale of measured time. Fills are
// light enough for dark text to meet WCAG AA (4.5:1) on every one.
import type { GraphNode } from '../generated/schemas';

export type OpCategory = 'compute' | 'elementwise' | 'activation' | 'normalization' | 'shape' | 'reduction' | 'io' | 'other';

const categoryOf: Record<string, OpCategory> = {
  conv: 'compute', matmul: 'compute', gemm: 'compute', conv_transpose: 'compute', batch_matmul: 'compute',
  add: 'elementwise', sub: 'elementwise', mul: 'elementwise', div: 'elementwise', pow: 'elementwise', sqrt: 'elementwise',
  exp: 'elementwise', neg: 'elementwise', where: 'elementwise', equal: 'elementwise', cast: 'elementwise', erf: 'elementwise',
  relu: 'activation', sigmoid: 'activation', tanh: 'activation', gelu: 'activation', softmax: 'activation', clip: 'activation', leaky_relu: 'activation',
  batch_norm: 'normalization', layer_norm: 'normalization', instance_norm: 'normalization',
  reshape: 'shape', flatten: 'shape', transpose: 'shape', concat: 'shape', slice: 'shape', gather: 'shape', squeeze: 'shape',
  unsqueeze: 'shape', expand: 'shape', shape: 'shape', split: 'shape', pad: 'shape',
  max_pool: 'reduction', average_pool: 'reduction', global_average_pool: 'reduction', reduce_mean: 'reduction', reduce_sum: 'reduction',
  reduce_max: 'reduction',
};

export const categoryFill: Record<OpCategory, string> = {
  compute: '#bcd7f5',
  elementwise: '#c8ecc4',
  activation: '#ffd9a8',
  normalization: '#e1cff5',
  shape: '#dcdcdc',
  reduction: '#b8e6e2',
  io: '#f5f0b8',
  other: '#ececec',
};

export const textColor = '#14171a';
export const groupStroke = '#5a4a8a';

export function opCategory(node: Pick<GraphNode, 'op' | 'children'>): OpCategory {
  if (node.op === 'input' || node.op === 'output') return 'io';
  if (node.op === 'nn.fused' || (node.children?.length ?? 0) > 0) {
    // A group (or a subgraph holder) takes the colour of its heaviest member.
    const inner = (node.children ?? []).map((c) => opCategory(c));
    return inner.includes('compute') ? 'compute' : (inner[0] ?? 'other');
  }
  return categoryOf[node.op.replace(/^[a-z_]+\./, '')] ?? 'other';
}

/** sRGB relative luminance (WCAG 2.1). */
export function luminance(hex: string): number {
  const v = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * v[0]! + 0.7152 * v[1]! + 0.0722 * v[2]!;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const heatStops = ['#fff5d6', '#fdd49e', '#fc8d59', '#d7301f', '#7f0000'];

function mix(a: string, b: string, t: number): string {
  const ca = [1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16));
  const cb = [1, 3, 5].map((i) => parseInt(b.slice(i, i + 2), 16));
  return '#' + ca.map((c, i) => Math.round(c + (cb[i]! - c) * t).toString(16).padStart(2, '0')).join('');
}

/** Fill for a share of the hottest op's time, 0..1. */
export function heatFill(share: number): string {
  const at = (u: number) => {
    const i = Math.min(heatStops.length - 2, Math.floor(u));
    return mix(heatStops[i]!, heatStops[i + 1]!, u - i);
  };
  // Mid-ramp reds where neither dark nor white text reaches 4.5:1 are skipped
  // towards the darker end, so every label stays legible (WCAG AA).
  let u = Math.max(0, Math.min(1, share)) * (heatStops.length - 1);
  let fill = at(u);
  while (u < heatStops.length - 1 && Math.max(contrastRatio(fill, textColor), contrastRatio(fill, '#ffffff')) < 4.5) {
    u = Math.min(heatStops.length - 1, u + 0.01);
    fill = at(u);
  }
  return fill;
}

/** Dark or white text, whichever contrasts more with the fill. */
export function textOn(fill: string): string {
  return contrastRatio(fill, textColor) >= contrastRatio(fill, '#ffffff') ? textColor : '#ffffff';
}
