// Draws a laid-out graph on a canvas: only the nodes and edges inside the
// viewport, labels only when they are legible, a minimap of the whole graph,
// pan (drag, arrow keys), zoom (wheel, +/-), fit (0), selection and the heat
// overlay. Frame times are kept for the benchmark.
import type { LayoutResult } from './layoutCore';
import { SpatialGrid } from './spatialGrid';
import { centerOn, fitViewport, toGraph, visibleRect, zoomAt, type Viewport } from './viewport';
import { groupStroke, textOn } from './colors';

export interface NodeStyle {
  title: string;
  detail: string;
  fill: string;
  /** A fused group (drawn with a double border; toggles open on double-click). */
  group: boolean;
  /** An expanded group's frame (drawn behind its children). */
  frame: boolean;
}

export interface SceneNode extends NodeStyle {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export class GraphCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly minimap: HTMLCanvasElement;
  private ctx: CanvasRenderingContext2D;
  private mctx: CanvasRenderingContext2D;
  private nodes: SceneNode[] = [];
  private nodeIndex = new Map<string, number>();
  private edges: { points: number[]; target: string; source: string }[] = [];
  private nodeGrid = new SpatialGrid();
  private edgeGrid = new SpatialGrid();
  private bounds = { w: 1, h: 1 };
  private view: Viewport = { scale: 1, x: 0, y: 0 };
  private frameRequested = false;
  private selected: string | null = null;
  private highlighted = new Set<string>();
  private heat: Map<string, string> | null = null;
  private minimapImage: HTMLCanvasElement | null = null;
  /** The whole graph pre-drawn once, for views zoomed out so far that boxes are a few pixels. */
  private overview: { image: HTMLCanvasElement; scale: number } | null = null;
  private selectListeners = new Set<(id: string | null) => void>();
  private activateListeners = new Set<(id: string) => void>();
  private drawListeners = new Set<() => void>();
  /** Milliseconds spent drawing each of the recent frames. */
  readonly frameTimes: number[] = [];
  lastDrawn = { nodes: 0, edges: 0 };
  drawnFrames = 0;

  constructor(private readonly host: HTMLElement, minimapHost: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'graph-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-roledescription', 'graph');
    this.canvas.setAttribute(
      'aria-label',
      'Dataflow graph. Arrow keys pan, plus and minus zoom, 0 fits, N and P step through nodes, Enter opens a fused group.',
    );
    host.appendChild(this.canvas);
    this.minimap = document.createElement('canvas');
    this.minimap.className = 'graph-minimap';
    this.minimap.setAttribute('role', 'img');
    this.minimap.setAttribute('aria-label', 'Minimap: the whole graph and the part in view; click to move there');
    minimapHost.appendChild(this.minimap);
    this.ctx = this.canvas.getContext('2d', { alpha: false })!;
    this.mctx = this.minimap.getContext('2d')!;
    new ResizeObserver(() => this.requestDraw()).observe(host);
    this.bindInput();
  }

  onSelect(listener: (id: string | null) => void): () => void {
    this.selectListeners.add(listener);
    return () => this.selectListeners.delete(listener);
  }

  /** Double-click or Enter on a node (groups open and close). */
  onActivate(listener: (id: string) => void): () => void {
    this.activateListeners.add(listener);
    return () => this.activateListeners.delete(listener);
  }

  /** After each drawn frame. */
  onDraw(listener: () => void): () => void {
    this.drawListeners.add(listener);
    return () => this.drawListeners.delete(listener);
  }

  setScene(layout: LayoutResult, styles: Map<string, NodeStyle>, keepView = false): void {
    this.nodes = [];
    this.nodeIndex.clear();
    this.nodeGrid = new SpatialGrid();
    this.edgeGrid = new SpatialGrid();
    // Frames first so their children draw on top.
    const placed = [...layout.nodes].sort((a, b) => (a.parent ? 1 : 0) - (b.parent ? 1 : 0));
    for (const n of placed) {
      const style = styles.get(n.id);
      if (!style) continue;
      const i = this.nodes.length;
      this.nodes.push({ ...style, id: n.id, x: n.x, y: n.y, w: n.width, h: n.height });
      this.nodeIndex.set(n.id, i);
      this.nodeGrid.insert(i, n.x, n.y, n.width, n.height);
    }
    this.edges = layout.edges.map((e) => ({ points: e.points, source: e.source, target: e.target }));
    this.edges.forEach((e, i) => {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let k = 0; k < e.points.length; k += 2) {
        x0 = Math.min(x0, e.points[k]!); x1 = Math.max(x1, e.points[k]!);
        y0 = Math.min(y0, e.points[k + 1]!); y1 = Math.max(y1, e.points[k + 1]!);
      }
      if (e.points.length) this.edgeGrid.insert(i, x0, y0, x1 - x0, y1 - y0);
    });
    this.bounds = { w: Math.max(1, layout.width), h: Math.max(1, layout.height) };
    this.minimapImage = null;
    this.overview = null;
    if (!keepView) this.fit();
    else this.requestDraw();
  }

  setHeat(fills: Map<string, string> | null): void {
    this.heat = fills;
    this.minimapImage = null;
    this.overview = null;
    this.requestDraw();
  }

  setHighlight(ids: Iterable<string>): void {
    this.highlighted = new Set(ids);
    this.requestDraw();
  }

  select(id: string | null, reveal = true): void {
    this.selected = id;
    if (id && reveal) this.reveal(id);
    for (const l of this.selectListeners) l(id);
    this.requestDraw();
  }

  get selection(): string | null {
    return this.selected;
  }

  get viewport(): Viewport {
    return { ...this.view };
  }

  hasNode(id: string): boolean {
    return this.nodeIndex.has(id);
  }

  nodeBox(id: string): SceneNode | undefined {
    const i = this.nodeIndex.get(id);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** Screen position (relative to the canvas) of a node's centre. */
  screenPoint(id: string): { x: number; y: number } | null {
    const n = this.nodeBox(id);
    if (!n) return null;
    return { x: (n.x + n.w / 2) * this.view.scale + this.view.x, y: (n.y + n.h / 2) * this.view.scale + this.view.y };
  }

  reveal(id: string): void {
    const n = this.nodeBox(id);
    if (!n) return;
    const [x0, y0, x1, y1] = visibleRect(this.view, this.host.clientWidth, this.host.clientHeight);
    if (n.x < x0 || n.y < y0 || n.x + n.w > x1 || n.y + n.h > y1) {
      if (this.view.scale < 0.5) this.view.scale = 0.8;
      this.view = centerOn(this.view, n.x + n.w / 2, n.y + n.h / 2, this.host.clientWidth, this.host.clientHeight);
    }
    this.requestDraw();
  }

  fit(): void {
    this.view = fitViewport(this.bounds.w, this.bounds.h, this.host.clientWidth || 800, this.host.clientHeight || 600);
    this.requestDraw();
  }

  zoomBy(factor: number, sx = this.host.clientWidth / 2, sy = this.host.clientHeight / 2): void {
    this.view = zoomAt(this.view, factor, sx, sy);
    this.requestDraw();
  }

  panBy(dx: number, dy: number): void {
    this.view = { ...this.view, x: this.view.x + dx, y: this.view.y + dy };
    this.requestDraw();
  }

  setViewport(v: Viewport): void {
    this.view = { ...v };
    this.requestDraw();
  }

  nodeAt(sx: number, sy: number): string | null {
    const p = toGraph(this.view, sx, sy);
    let hit: string | null = null;
    for (const i of this.nodeGrid.query(p.x, p.y, p.x, p.y)) {
      const n = this.nodes[i]!;
      if (p.x >= n.x && p.x <= n.x + n.w && p.y >= n.y && p.y <= n.y + n.h) {
        // A node inside an open group wins over the group's frame.
        if (!hit || !n.frame) hit = n.id;
      }
    }
    return hit;
  }

  requestDraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  private draw(): void {
    const start = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const w = this.host.clientWidth;
    const h = this.host.clientHeight;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;
    }
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    const v = this.view;
    ctx.setTransform(dpr * v.scale, 0, 0, dpr * v.scale, dpr * v.x, dpr * v.y);
    const [x0, y0, x1, y1] = visibleRect(v, w, h);

    const overview = this.overviewFor(v.scale);
    if (overview) {
      // Far out: one image of the whole graph instead of thousands of boxes.
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(overview.image, 0, 0, overview.image.width / overview.scale, overview.image.height / overview.scale);
      for (const id of [...this.highlighted, ...(this.selected ? [this.selected] : [])]) {
        const n = this.nodeBox(id);
        if (!n) continue;
        ctx.strokeStyle = id === this.selected ? '#0b57d0' : '#c2410c';
        ctx.lineWidth = 3 / v.scale;
        ctx.strokeRect(n.x - 3 / v.scale, n.y - 3 / v.scale, n.w + 6 / v.scale, n.h + 6 / v.scale);
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      this.lastDrawn = { nodes: this.nodes.length, edges: this.edges.length };
      this.finishFrame(w, h, start);
      return;
    }
    const edgeIds = this.edgeGrid.query(x0, y0, x1, y1);
    ctx.strokeStyle = '#59626b';
    ctx.lineWidth = 1.2 / Math.max(v.scale, 0.3);
    ctx.beginPath();
    for (const i of edgeIds) {
      const p = this.edges[i]!.points;
      ctx.moveTo(p[0]!, p[1]!);
      for (let k = 2; k < p.length; k += 2) ctx.lineTo(p[k]!, p[k + 1]!);
    }
    ctx.stroke();
    if (v.scale > 0.25) {
      ctx.fillStyle = '#59626b';
      ctx.beginPath();
      for (const i of edgeIds) {
        const p = this.edges[i]!.points;
        const n = p.length;
        if (n < 4) continue;
        const ex = p[n - 2]!, ey = p[n - 1]!, dx = ex - p[n - 4]!, dy = ey - p[n - 3]!;
        const len = Math.hypot(dx, dy) || 1;
        const ux = dx / len, uy = dy / len;
        ctx.moveTo(ex, ey);
        ctx.lineTo(ex - ux * 7 - uy * 4, ey - uy * 7 + ux * 4);
        ctx.lineTo(ex - ux * 7 + uy * 4, ey - uy * 7 - ux * 4);
        ctx.closePath();
      }
      ctx.fill();
    }

    const nodeIds = [...this.nodeGrid.query(x0, y0, x1, y1)].sort((a, b) => a - b);
    const showText = v.scale * 44 >= 16;
    ctx.textBaseline = 'middle';
    for (const i of nodeIds) {
      const n = this.nodes[i]!;
      const fill = this.heat?.get(n.id) ?? (this.heat ? '#f4f4f4' : n.fill);
      if (n.frame) {
        ctx.fillStyle = 'rgba(90, 74, 138, 0.06)';
        ctx.strokeStyle = groupStroke;
        ctx.lineWidth = 1.5 / Math.max(v.scale, 0.3);
        ctx.setLineDash([6, 4]);
        ctx.fillRect(n.x, n.y, n.w, n.h);
        ctx.strokeRect(n.x, n.y, n.w, n.h);
        ctx.setLineDash([]);
        if (showText) {
          ctx.fillStyle = groupStroke;
          ctx.font = '600 12px system-ui, sans-serif';
          ctx.fillText(n.title, n.x + 8, n.y + 14, n.w - 16);
        }
      } else {
        ctx.fillStyle = fill;
        ctx.fillRect(n.x, n.y, n.w, n.h);
        ctx.strokeStyle = n.group ? groupStroke : '#6b7580';
        ctx.lineWidth = (n.group ? 2.5 : 1) / Math.max(v.scale, 0.3);
        ctx.strokeRect(n.x, n.y, n.w, n.h);
        if (showText) {
          ctx.fillStyle = textOn(fill);
          ctx.font = '600 12px system-ui, sans-serif';
          ctx.fillText(n.title, n.x + 8, n.y + 14, n.w - 16);
          ctx.font = '11px ui-monospace, monospace';
          ctx.fillText(n.detail, n.x + 8, n.y + 31, n.w - 16);
        }
      }
      if (this.highlighted.has(n.id) || this.selected === n.id) {
        ctx.strokeStyle = this.selected === n.id ? '#0b57d0' : '#c2410c';
        ctx.lineWidth = 3 / Math.max(v.scale, 0.2);
        ctx.strokeRect(n.x - 3, n.y - 3, n.w + 6, n.h + 6);
      }
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.lastDrawn = { nodes: nodeIds.length, edges: edgeIds.size };
    this.finishFrame(w, h, start);
  }

  private finishFrame(w: number, h: number, start: number): void {
    this.drawMinimap(w, h);
    const ms = performance.now() - start;
    this.frameTimes.push(ms);
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, this.frameTimes.length - 600);
    this.drawnFrames++;
    for (const l of this.drawListeners) l();
  }

  /** The overview image when the view is zoomed out past it (built on first need). */
  private overviewFor(scale: number): { image: HTMLCanvasElement; scale: number } | null {
    if (this.nodes.length < 800) return null;
    const imageScale = Math.min(0.25, 4096 / Math.max(this.bounds.w, this.bounds.h));
    if (scale > imageScale * 1.5) return null;
    if (this.overview) return this.overview;
    const image = document.createElement('canvas');
    image.width = Math.max(1, Math.ceil(this.bounds.w * imageScale));
    image.height = Math.max(1, Math.ceil(this.bounds.h * imageScale));
    const c = image.getContext('2d')!;
    c.fillStyle = '#ffffff';
    c.fillRect(0, 0, image.width, image.height);
    c.setTransform(imageScale, 0, 0, imageScale, 0, 0);
    c.strokeStyle = '#59626b';
    c.lineWidth = 1 / imageScale;
    c.beginPath();
    for (const e of this.edges) {
      const p = e.points;
      if (p.length < 4) continue;
      c.moveTo(p[0]!, p[1]!);
      for (let k = 2; k < p.length; k += 2) c.lineTo(p[k]!, p[k + 1]!);
    }
    c.stroke();
    for (const n of this.nodes) {
      if (n.frame) continue;
      c.fillStyle = this.heat?.get(n.id) ?? (this.heat ? '#f4f4f4' : n.fill);
      c.fillRect(n.x, n.y, n.w, n.h);
    }
    this.overview = { image, scale: imageScale };
    return this.overview;
  }

  private minimapScale(): { s: number; mw: number; mh: number } {
    const mw = 180, mh = 120;
    return { s: Math.min(mw / this.bounds.w, mh / this.bounds.h), mw, mh };
  }

  private drawMinimap(viewW: number, viewH: number): void {
    const { s, mw, mh } = this.minimapScale();
    if (this.minimap.width !== mw) {
      this.minimap.width = mw;
      this.minimap.height = mh;
    }
    if (!this.minimapImage) {
      const image = document.createElement('canvas');
      image.width = mw;
      image.height = mh;
      const c = image.getContext('2d')!;
      c.fillStyle = '#f7f7f8';
      c.fillRect(0, 0, mw, mh);
      for (const n of this.nodes) {
        if (n.frame) continue;
        c.fillStyle = this.heat?.get(n.id) ?? n.fill;
        c.fillRect(n.x * s, n.y * s, Math.max(1, n.w * s), Math.max(1, n.h * s));
      }
      this.minimapImage = image;
    }
    const m = this.mctx;
    m.drawImage(this.minimapImage, 0, 0);
    const [x0, y0, x1, y1] = visibleRect(this.view, viewW, viewH);
    m.strokeStyle = '#0b57d0';
    m.lineWidth = 1.5;
    m.strokeRect(x0 * s, y0 * s, (x1 - x0) * s, (y1 - y0) * s);
  }

  private bindInput(): void {
    let drag: { x: number; y: number; moved: boolean } | null = null;
    this.canvas.addEventListener('pointerdown', (e) => {
      this.canvas.focus();
      drag = { x: e.clientX, y: e.clientY, moved: false };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      drag.x = e.clientX;
      drag.y = e.clientY;
      if (drag.moved) this.panBy(dx, dy);
    });
    this.canvas.addEventListener('pointerup', (e) => {
      const wasDrag = drag?.moved;
      drag = null;
      if (wasDrag) return;
      const r = this.canvas.getBoundingClientRect();
      this.select(this.nodeAt(e.clientX - r.left, e.clientY - r.top), false);
    });
    this.canvas.addEventListener('dblclick', (e) => {
      const r = this.canvas.getBoundingClientRect();
      const id = this.nodeAt(e.clientX - r.left, e.clientY - r.top);
      if (id) for (const l of this.activateListeners) l(id);
    });
    this.canvas.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = this.canvas.getBoundingClientRect();
        this.zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
      },
      { passive: false },
    );
    this.canvas.addEventListener('keydown', (e) => {
      const step = 60;
      const order = this.nodes.filter((n) => !n.frame);
      const at = order.findIndex((n) => n.id === this.selected);
      switch (e.key) {
        case 'ArrowLeft': this.panBy(step, 0); break;
        case 'ArrowRight': this.panBy(-step, 0); break;
        case 'ArrowUp': this.panBy(0, step); break;
        case 'ArrowDown': this.panBy(0, -step); break;
        case '+': case '=': this.zoomBy(1.25); break;
        case '-': this.zoomBy(0.8); break;
        case '0': this.fit(); break;
        case 'n': case 'p': {
          if (order.length === 0) break;
          const next = e.key === 'n' ? (at + 1) % order.length : (at <= 0 ? order.length - 1 : at - 1);
          this.select(order[next]!.id);
          break;
        }
        case 'Enter':
          if (this.selected) for (const l of this.activateListeners) l(this.selected);
          break;
        case 'Escape': this.select(null, false); break;
        default: return;
      }
      e.preventDefault();
    });
    const moveFromMinimap = (e: PointerEvent) => {
      const { s } = this.minimapScale();
      const r = this.minimap.getBoundingClientRect();
      this.view = centerOn(this.view, (e.clientX - r.left) / s, (e.clientY - r.top) / s, this.host.clientWidth, this.host.clientHeight);
      this.requestDraw();
    };
    let minimapDrag = false;
    this.minimap.addEventListener('pointerdown', (e) => { minimapDrag = true; this.minimap.setPointerCapture(e.pointerId); moveFromMinimap(e); });
    this.minimap.addEventListener('pointermove', (e) => { if (minimapDrag) moveFromMinimap(e); });
    this.minimap.addEventListener('pointerup', () => { minimapDrag = false; });
  }
}
