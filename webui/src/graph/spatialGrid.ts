// A uniform grid over boxes, so a frame draws only what the viewport shows.
export class SpatialGrid {
  private cells = new Map<number, number[]>();

  constructor(private readonly cellSize = 400) {}

  private key(cx: number, cy: number): number {
    // Cells are indexed within ±2^20 per axis; plenty for any layout.
    return (cx + 1048576) * 2097152 + (cy + 1048576);
  }

  insert(item: number, x: number, y: number, w: number, h: number): void {
    const s = this.cellSize;
    for (let cx = Math.floor(x / s); cx <= Math.floor((x + w) / s); cx++)
      for (let cy = Math.floor(y / s); cy <= Math.floor((y + h) / s); cy++) {
        const k = this.key(cx, cy);
        const list = this.cells.get(k);
        if (list) list.push(item);
        else this.cells.set(k, [item]);
      }
  }

  /** Items whose box may meet the rectangle (each once). */
  query(x0: number, y0: number, x1: number, y1: number, out: Set<number> = new Set()): Set<number> {
    const s = this.cellSize;
    for (let cx = Math.floor(x0 / s); cx <= Math.floor(x1 / s); cx++)
      for (let cy = Math.floor(y0 / s); cy <= Math.floor(y1 / s); cy++) {
        const list = this.cells.get(this.key(cx, cy));
        if (list) for (const i of list) out.add(i);
      }
    return out;
  }
}
