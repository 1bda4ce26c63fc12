import { describe, expect, it } from 'vitest';
import { SpatialGrid } from '../src/graph/spatialGrid';
import { centerOn, fitViewport, maxScale, minScale, toGraph, visibleRect, zoomAt, type Viewport } from '../src/graph/viewport';

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

describe('SpatialGrid', () => {
  it('returns the boxes meeting a rectangle and not the far ones', () => {
    const grid = new SpatialGrid(100);
    grid.insert(0, 10, 10, 50, 30); // cell (0,0)
    grid.insert(1, 450, 450, 40, 40); // cell (4,4)
    grid.insert(2, 1000, 10, 20, 20); // cell (10,0)
    expect(sorted(grid.query(0, 0, 99, 99))).toEqual([0]);
    expect(sorted(grid.query(400, 400, 500, 500))).toEqual([1]);
    expect(sorted(grid.query(0, 0, 1100, 100))).toEqual([0, 2]);
    expect(sorted(grid.query(200, 200, 300, 300))).toEqual([]);
  });

  it('reports a box spanning several cells once, from any of its cells', () => {
    const grid = new SpatialGrid(100);
    grid.insert(7, 50, 50, 300, 300); // cells 0..3 on both axes
    expect(sorted(grid.query(0, 0, 1000, 1000))).toEqual([7]);
    expect(sorted(grid.query(320, 320, 330, 330))).toEqual([7]);
    // conservative within a cell (the grid says "may meet"), empty one cell further
    expect(sorted(grid.query(360, 50, 380, 60))).toEqual([7]);
    expect(sorted(grid.query(410, 50, 420, 60))).toEqual([]);
  });

  it('handles negative coordinates and adds to a given set', () => {
    const grid = new SpatialGrid(100);
    grid.insert(3, -250, -250, 20, 20);
    grid.insert(4, 250, 250, 20, 20);
    expect(sorted(grid.query(-300, -300, -200, -200))).toEqual([3]);
    const out = new Set([99]);
    expect(grid.query(200, 200, 300, 300, out)).toBe(out);
    expect(sorted(out)).toEqual([4, 99]);
  });

  it('uses 400-unit cells by default', () => {
    const grid = new SpatialGrid();
    grid.insert(1, 0, 0, 10, 10);
    expect(sorted(grid.query(399, 399, 399, 399))).toEqual([1]);
    expect(sorted(grid.query(400, 400, 401, 401))).toEqual([]);
  });
});

describe('viewport', () => {
  it('fit centres the content and scales it to the view minus margins', () => {
    const v = fitViewport(1000, 500, 548, 1000); // width-limited: (548-48)/1000 = 0.5
    expect(v.scale).toBeCloseTo(0.5, 10);
    expect(v.x).toBeCloseTo((548 - 500) / 2, 10);
    expect(v.y).toBeCloseTo((1000 - 250) / 2, 10);
    // content centre lands on the view centre
    expect(v.x + 500 * v.scale).toBeCloseTo(274, 10);
    expect(v.y + 250 * v.scale).toBeCloseTo(500, 10);
  });

  it('fit is limited by the tighter axis, never above 1.5 nor below the minimum', () => {
    expect(fitViewport(100, 1000, 1048, 548).scale).toBeCloseTo(0.5, 10); // height-limited
    expect(fitViewport(10, 10, 1000, 1000).scale).toBe(1.5);
    expect(fitViewport(1e7, 1e7, 500, 500).scale).toBe(minScale);
    expect(fitViewport(0, 0, 500, 500).scale).toBe(1.5);
  });

  it('zoomAt keeps the graph point under the cursor fixed', () => {
    const v: Viewport = { scale: 0.8, x: 35, y: -12 };
    const [sx, sy] = [310, 207];
    const before = toGraph(v, sx, sy);
    for (const factor of [1.25, 0.5, 3]) {
      const z = zoomAt(v, factor, sx, sy);
      expect(z.scale).toBeCloseTo(0.8 * factor, 10);
      const after = toGraph(z, sx, sy);
      expect(after.x).toBeCloseTo(before.x, 9);
      expect(after.y).toBeCloseTo(before.y, 9);
    }
  });

  it('zoomAt clamps the scale and still keeps the point fixed', () => {
    const v: Viewport = { scale: 1, x: 0, y: 0 };
    const zin = zoomAt(v, 100, 50, 60);
    expect(zin.scale).toBe(maxScale);
    expect(toGraph(zin, 50, 60).x).toBeCloseTo(50, 9);
    expect(toGraph(zin, 50, 60).y).toBeCloseTo(60, 9);
    const zout = zoomAt(v, 1e-6, 50, 60);
    expect(zout.scale).toBe(minScale);
    expect(toGraph(zout, 50, 60).x).toBeCloseTo(50, 9);
    // at the limit, zooming further changes nothing
    expect(zoomAt(zin, 2, 10, 10)).toEqual({ scale: maxScale, x: zin.x, y: zin.y });
  });

  it('visibleRect is the graph rectangle the screen shows', () => {
    const v: Viewport = { scale: 2, x: 100, y: 50 };
    expect(visibleRect(v, 800, 600)).toEqual([-50, -25, 350, 275]);
    expect(visibleRect({ scale: 1, x: 0, y: 0 }, 640, 480)).toEqual([0, 0, 640, 480]);
  });

  it('centerOn puts a graph point at the view centre at the same scale', () => {
    const c = centerOn({ scale: 0.5, x: 0, y: 0 }, 400, 200, 800, 600);
    expect(c).toEqual({ scale: 0.5, x: 200, y: 200 });
    const g = toGraph(c, 400, 300);
    expect(g).toEqual({ x: 400, y: 200 });
  });
});
