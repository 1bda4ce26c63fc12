// Runs and profiles: run the compiled model (random or .npy inputs), latency
// over iterations, the per-op table (sortable), the heat overlay, and exports
// (Chrome trace JSON for Perfetto, PNG and CSV).
import type { ArtifactFetcher } from '../api/artifacts';
import type { RpcClient } from '../api/rpc';
import type { CommonModelSummary, ProfileDocument, RunStartParams, ServerInfoResult } from '../generated/schemas';
import { drawLatencyChart } from '../runs/latencyChart';
import { parseNpy, toBase64 } from '../runs/npy';
import { columns, formatNumber, heatByOp, latencyCsv, nextSort, profileCsv, sortOps, type Sort } from '../runs/profileTable';
import { clear, download, h } from '../ui/dom';
import type { JobsBar } from './JobsBar';

export class RunsPanel {
  readonly root: HTMLElement;
  private inputsBox: HTMLElement;
  private message: HTMLElement;
  private chart: HTMLCanvasElement;
  private table: HTMLTableElement;
  private summary: HTMLElement;
  private iterations: HTMLInputElement;
  private seed: HTMLInputElement;
  private profile: ProfileDocument | null = null;
  private traceRef: { hash: string; bytes: number; mediaType: string } | null = null;
  private samples: number[] = [];
  private sort: Sort = { key: 'totalMs', descending: true };
  private uploaded = new Map<string, NonNullable<RunStartParams['inputs']>[string]>();
  private compile: string | null = null;
  private model: CommonModelSummary | null = null;
  private heatListeners = new Set<(profile: ProfileDocument | null) => void>();
  private device: HTMLSelectElement;
  private buttons: HTMLButtonElement[] = [];

  constructor(private readonly client: RpcClient, private readonly artifacts: ArtifactFetcher, private readonly jobs: JobsBar) {
    this.iterations = h('input', { type: 'number', min: 1, max: 10000, value: 20, id: 'run-iterations' }) as HTMLInputElement;
    this.seed = h('input', { type: 'number', min: 0, value: 1, id: 'run-seed' }) as HTMLInputElement;
    // Where it runs: the daemon's CPU and GPUs, its agents' devices (server/info).
    this.device = h('select', { id: 'run-device' }, h('option', { value: 'cpu', text: 'cpu (this daemon)' })) as HTMLSelectElement;
    // Run: the timed runs (latency per iteration), then the per-op profile.
    const run = h('button', { type: 'button', text: 'Run and profile', className: 'primary' });
    run.addEventListener('click', () => void this.runAndProfile());
    this.buttons = [run];
    this.inputsBox = h('div', { className: 'inputs', role: 'group', 'aria-label': 'Inputs' });
    this.message = h('p', { className: 'message', role: 'alert' });
    this.chart = h('canvas', { width: 640, height: 220, role: 'img', 'aria-label': 'Latency over iterations', className: 'latency-chart' }) as HTMLCanvasElement;
    this.summary = h('p', { className: 'run-summary', role: 'status', 'aria-live': 'polite' });
    this.table = h('table', { className: 'profile-table', 'aria-label': 'Time per op' }) as HTMLTableElement;
    const exports = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Export' },
      h('button', { type: 'button', text: 'Chrome trace (Perfetto)', onclick: (() => void this.exportTrace()) as EventListener }),
      h('button', { type: 'button', text: 'Table CSV', onclick: (() => this.profile && download('profile.csv', profileCsv(this.profile.ops), 'text/csv')) as EventListener }),
      h('button', { type: 'button', text: 'Latency CSV', onclick: (() => download('latency.csv', latencyCsv(this.samples), 'text/csv')) as EventListener }),
      h('button', { type: 'button', text: 'Chart PNG', onclick: (() => this.chart.toBlob((b) => b && download('latency.png', b, 'image/png'))) as EventListener }));
    this.root = h('div', { className: 'runs' },
      h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Run' },
        h('label', { for: 'run-iterations', text: 'Iterations' }), this.iterations,
        h('label', { for: 'run-seed', text: 'Seed' }), this.seed,
        h('label', { for: 'run-device', text: 'Device' }), this.device, run),
      this.inputsBox, this.message, this.summary, this.chart, exports, this.table);
    this.setEnabled(false);
  }

  /** Calls `listener` with each new profile (the graph colours its nodes by it). */
  onHeat(listener: (profile: ProfileDocument | null) => void): void {
    this.heatListeners.add(listener);
  }

  /** The devices server/info lists; an agent that did not answer is shown, not offered. */
  setDevices(devices: ServerInfoResult['devices']): void {
    const chosen = this.device.value;
    clear(this.device);
    for (const d of devices) {
      const where = d.where === 'local' ? 'this daemon' : `agent ${d.where}`;
      const label = d.error ? `${d.id} (unreachable: ${d.error})` : `${d.id}: ${d.name ?? d.kind}${d.arch ? ` ${d.arch}` : ''} (${where})`;
      this.device.append(h('option', { value: d.id, text: label, disabled: !!d.error }));
    }
    if (devices.some((d) => d.id === chosen && !d.error)) this.device.value = chosen;
  }

  get selectedDevice(): string {
    return this.device.value || 'cpu';
  }

  setTarget(model: CommonModelSummary | null, compile: string | null): void {
    if (model?.id !== this.model?.id) this.uploaded.clear();
    this.model = model;
    this.compile = compile;
    this.setEnabled(!!compile);
    clear(this.inputsBox);
    if (!model) return;
    for (const spec of model.inputs) {
      const id = `npy-${spec.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const picker = h('input', { type: 'file', accept: '.npy', id }) as HTMLInputElement;
      const state = h('span', { className: 'muted', text: this.uploaded.has(spec.name) ? 'from .npy' : 'random' });
      picker.addEventListener('change', async () => {
        const file = picker.files?.[0];
        if (!file) return;
        try {
          const t = parseNpy(new Uint8Array(await file.arrayBuffer()), file.name);
          this.uploaded.set(spec.name, { dtype: t.dtype, shape: t.shape, data: toBase64(t.data) });
          state.textContent = `${file.name}: ${t.dtype} ${t.shape.join('×')}`;
        } catch (e) {
          this.message.textContent = (e as Error).message;
        }
      });
      this.inputsBox.append(h('div', { className: 'input-row' }, h('label', { for: id, text: `${spec.name} (${spec.dtype} ${spec.shape.map((d) => (d < 0 ? '?' : d)).join('×')})` }), picker, state));
    }
  }

  private setEnabled(on: boolean): void {
    for (const b of this.buttons) b.disabled = !on;
  }

  async runAndProfile(): Promise<void> {
    this.setEnabled(false);
    try {
      if (await this.run()) await this.runProfile();
    } finally {
      this.setEnabled(!!this.compile);
    }
  }

  private async run(): Promise<boolean> {
    if (!this.compile) return false;
    this.message.textContent = '';
    const tracker = this.jobs.track('Run');
    try {
      const params: RunStartParams = { compile: this.compile, iterations: Number(this.iterations.value) || 20, seed: Number(this.seed.value) || 0, device: this.selectedDevice };
      if (this.uploaded.size) params.inputs = Object.fromEntries(this.uploaded);
      const outcome = await this.client.job('run/start', params, tracker.progress);
      if (outcome.state !== 'done' || !outcome.result) throw new Error(outcome.error?.message ?? outcome.state);
      const r = outcome.result;
      this.samples = r.samplesMs ?? [];
      this.summary.textContent = `On ${r.device ?? this.selectedDevice}: latency median ${r.latencyMs.median.toFixed(3)} ms, min ${r.latencyMs.min.toFixed(3)} ms, p95 ${r.latencyMs.p95.toFixed(3)} ms over ${r.iterations} runs; outputs ${r.outputs.map((o) => `${o.name} ${o.shape.join('×')}`).join(', ')}`;
      drawLatencyChart(this.chart, this.samples, 'Latency per iteration (ms)');
      this.root.dataset.samples = String(this.samples.length);
      return true;
    } catch (e) {
      this.message.textContent = `Run failed: ${(e as Error).message}`;
      return false;
    } finally {
      tracker.done();
    }
  }

  private async runProfile(): Promise<void> {
    if (!this.compile) return;
    this.message.textContent = '';
    const tracker = this.jobs.track('Profile');
    try {
      const outcome = await this.client.job('profile/start', { compile: this.compile, iterations: Number(this.iterations.value) || 20, seed: Number(this.seed.value) || 0, device: this.selectedDevice }, tracker.progress);
      if (outcome.state !== 'done' || !outcome.result) throw new Error(outcome.error?.message ?? outcome.state);
      this.profile = outcome.result.profile as unknown as ProfileDocument;
      this.traceRef = outcome.result.trace;
      const p = this.profile;
      const unit = p.ops.some((o) => o.op === 'gpu.kernel') ? 'GPU kernels' : 'ops';
      this.summary.textContent = `Profile on ${outcome.result.device ?? this.selectedDevice}: ${p.ops.length} ${unit}, ${p.opMsPerRun.toFixed(3)} ms in ops per run of ${p.latencyMs.median.toFixed(3)} ms (coverage ${(p.coverage * 100).toFixed(0)}%), ${p.total.gflopsPerSecond === null ? '' : `${p.total.gflopsPerSecond.toFixed(1)} GFLOP/s`}`;
      this.renderTable();
      for (const l of this.heatListeners) l(p);
    } catch (e) {
      this.message.textContent = `Profile failed: ${(e as Error).message}`;
    } finally {
      tracker.done();
    }
  }

  private renderTable(): void {
    clear(this.table);
    if (!this.profile) return;
    const head = h('tr');
    for (const c of columns) {
      const sorted = this.sort.key === c.key;
      const button = h('button', { type: 'button', className: 'sort', text: c.label });
      button.addEventListener('click', () => {
        this.sort = nextSort(this.sort, c.key);
        this.renderTable();
        (this.table.querySelector(`th[data-key="${c.key}"] button`) as HTMLElement | null)?.focus();
      });
      head.append(h('th', { scope: 'col', 'data-key': c.key, 'aria-sort': sorted ? (this.sort.descending ? 'descending' : 'ascending') : 'none', className: c.numeric ? 'num' : '' }, button));
    }
    const body = h('tbody');
    for (const o of sortOps(this.profile.ops, this.sort))
      body.append(h('tr', { 'data-op': o.id },
        h('td', { text: o.name }), h('td', { text: o.op }), h('td', { className: 'num', text: o.totalMs.toFixed(3) }),
        h('td', { className: 'num', text: o.meanMs.toFixed(4) }), h('td', { className: 'num', text: o.percent.toFixed(1) }),
        h('td', { className: 'num', text: formatNumber(o.flops) }), h('td', { className: 'num', text: formatNumber(o.gflopsPerSecond, 2) })));
    this.table.append(h('caption', { text: `Time per op over ${this.profile.iterations} runs (click a column to sort)` }), h('thead', {}, head), body);
  }

  private async exportTrace(): Promise<void> {
    if (!this.traceRef) {
      this.message.textContent = 'Profile first: the trace comes from a profile.';
      return;
    }
    download('trace.json', await this.artifacts.bytes(this.traceRef), 'application/json');
  }
}
