// Latency over iterations as a canvas line chart; exported as PNG.
export interface ChartStats {
  median: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): ChartStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

/** Nice round gridline values covering [0, max]. */
export function ticks(max: number, count = 4): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) out.push(+v.toFixed(10));
  if (out[out.length - 1]! < max) out.push(+(out[out.length - 1]! + step).toFixed(10));
  return out;
}

export function drawLatencyChart(canvas: HTMLCanvasElement, samples: number[], title: string): void {
  const w = canvas.width, h = canvas.height;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  const left = 56, right = 12, top = 28, bottom = 34;
  const s = stats(samples);
  const yTicks = ticks(s.max * 1.05);
  const yMax = yTicks[yTicks.length - 1] || 1;
  const x = (i: number) => left + (samples.length <= 1 ? 0 : (i / (samples.length - 1)) * (w - left - right));
  const y = (v: number) => top + (1 - v / yMax) * (h - top - bottom);
  ctx.fillStyle = '#1f2328';
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.fillText(title, left, 18);
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeStyle = '#d0d7de';
  ctx.lineWidth = 1;
  for (const t of yTicks) {
    ctx.beginPath();
    ctx.moveTo(left, y(t));
    ctx.lineTo(w - right, y(t));
    ctx.stroke();
    ctx.fillText(t.toString(), 6, y(t) + 4);
  }
  ctx.fillText('iteration', w / 2 - 20, h - 8);
  ctx.fillText(`1`, left, h - bottom + 14);
  ctx.fillText(`${samples.length}`, w - right - 16, h - bottom + 14);
  ctx.strokeStyle = '#0b57d0';
  ctx.lineWidth = 2;
  ctx.beginPath();
  samples.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
  ctx.stroke();
  ctx.strokeStyle = '#c2410c';
  ctx.setLineDash([5, 4]);
  ctx.beginPath();
  ctx.moveTo(left, y(s.median));
  ctx.lineTo(w - right, y(s.median));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = '#9a3412';
  ctx.fillText(`median ${s.median.toFixed(3)} ms`, w - right - 130, y(s.median) - 5);
}
