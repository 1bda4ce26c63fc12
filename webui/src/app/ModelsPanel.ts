// Models: upload (drop or file picker), the list, picking one.
import type { CommonModelSummary } from '../generated/schemas';
import type { RpcClient } from '../api/rpc';
import { clear, h } from '../ui/dom';
import type { JobsBar } from './JobsBar';

export class ModelsPanel {
  readonly root: HTMLElement;
  private list: HTMLElement;
  private message: HTMLElement;
  private models: CommonModelSummary[] = [];
  private selected: string | null = null;
  private selectListeners = new Set<(model: CommonModelSummary) => void>();

  constructor(private readonly client: RpcClient, private readonly jobs: JobsBar) {
    const input = h('input', { type: 'file', accept: '.onnx', id: 'model-file', className: 'visually-hidden' }) as HTMLInputElement;
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) void this.upload(file);
      input.value = '';
    });
    const drop = h('div', { className: 'drop-zone', tabindex: 0, role: 'button', 'aria-label': 'Upload an ONNX model: drop a file here or press Enter to choose one' },
      h('span', { text: 'Drop an .onnx model here' }), h('label', { for: 'model-file', className: 'button', text: 'Choose file…' }), input);
    drop.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        input.click();
      }
    });
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('dragging');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('dragging');
      const file = e.dataTransfer?.files[0];
      if (file) void this.upload(file);
    });
    this.message = h('p', { className: 'message', role: 'alert' });
    this.list = h('ul', { role: 'listbox', 'aria-label': 'Models', className: 'model-list', tabindex: 0 });
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.root = h('nav', { className: 'models', 'aria-label': 'Models' }, h('h2', { text: 'Models' }), drop, this.message, this.list);
  }

  onSelect(listener: (model: CommonModelSummary) => void): void {
    this.selectListeners.add(listener);
  }

  async refresh(): Promise<void> {
    const { models } = await this.client.call('model/list', {});
    this.models = models;
    this.render();
  }

  get all(): CommonModelSummary[] {
    return this.models;
  }

  get current(): CommonModelSummary | undefined {
    return this.models.find((m) => m.id === this.selected);
  }

  select(id: string): void {
    const model = this.models.find((m) => m.id === id);
    if (!model) return;
    this.selected = id;
    this.render();
    for (const l of this.selectListeners) l(model);
  }

  async upload(file: File): Promise<void> {
    this.message.textContent = '';
    const tracker = this.jobs.track(`Import ${file.name}`);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const outcome = await this.client.job('model/import', { name: file.name, binary: true }, tracker.progress, bytes);
      if (outcome.state !== 'done' || !outcome.result) {
        this.message.textContent = `Import of ${file.name} failed: ${outcome.error?.message ?? outcome.state}`;
        return;
      }
      await this.refresh();
      this.select(outcome.result.model.id);
    } catch (e) {
      this.message.textContent = `Import of ${file.name} failed: ${(e as Error).message}`;
    } finally {
      tracker.done();
    }
  }

  private render(): void {
    clear(this.list);
    if (this.models.length === 0) this.list.append(h('li', { className: 'muted', text: 'No models yet' }));
    for (const m of this.models) {
      const item = h('li', { role: 'option', id: `model-${m.id.slice(0, 12)}`, 'aria-selected': String(m.id === this.selected), 'data-model': m.id },
        h('span', { className: 'model-name', text: m.name }),
        h('span', { className: 'muted', text: `${m.opCount} ops · ${(m.bytes / 1024).toFixed(0)} KiB` }));
      item.addEventListener('click', () => this.select(m.id));
      this.list.append(item);
    }
    const active = this.list.querySelector('[aria-selected=true]');
    if (active) this.list.setAttribute('aria-activedescendant', active.id);
  }

  private onKey(e: KeyboardEvent): void {
    if (this.models.length === 0) return;
    const at = this.models.findIndex((m) => m.id === this.selected);
    let next = at;
    if (e.key === 'ArrowDown') next = Math.min(this.models.length - 1, at + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = this.models.length - 1;
    else return;
    e.preventDefault();
    if (next >= 0 && next !== at) this.select(this.models[next]!.id);
  }
}
