// Screen <-> graph coordinates: screen = graph * scale + offset.
export interface Viewport {
  scale: number;
  x: number;
  y: number;
}

export const minScale = 0.001;
export const maxScale = 4;

export function fitViewport(contentW: number, contentH: number, viewW: number, viewH: number, margin = 24): Viewport {
  const scale = Math.max(minScale, Math.min(1.5, (viewW - 2 * margin) / Math.max(1, contentW), (viewH - 2 * margin) / Math.max(1, contentH)));
  return { scale, x: (viewW - contentW * scale) / 2, y: (viewH - contentH * scale) / 2 };
}

/** Zoom by `factor` keeping the graph point under (sx, sy) in place. */
export function zoomAt(v: Viewport, factor: number, sx: number, sy: number): Viewport {
  const scale = Math.max(minScale, Math.min(maxScale, v.scale * factor));
  const f = scale / v.scale;
  return { scale, x: sx - (sx - v.x) * f, y: sy - (sy - v.y) * f };
}

export function toGraph(v: Viewport, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - v.x) / v.scale, y: (sy - v.y) / v.scale };
}

/** The graph-space rectangle the screen shows. */
export function visibleRect(v: Viewport, viewW: number, viewH: number): [number, number, number, number] {
  const a = toGraph(v, 0, 0);
  const b = toGraph(v, viewW, viewH);
  return [a.x, a.y, b.x, b.y];
}

export function centerOn(v: Viewport, gx: number, gy: number, viewW: number, viewH: number): Viewport {
  return { scale: v.scale, x: viewW / 2 - gx * v.scale, y: viewH / 2 - gy * v.scale };
}
