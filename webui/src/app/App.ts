// The app: models on the left; tabs for the graph, the IR editor, the pass
// timeline with diffs, and runs/profiles. Owns what is selected (model,
// compile) and resynchronises everything after the daemon comes back.
import { ArtifactFetcher, fetchGraph } from '../api/artifacts';
import type { RpcClient } from '../api/rpc';
import type { CommonModelSummary, GraphDocument } from '../generated/schemas';
import { GraphView } from '../graph/GraphView';
import { h } from '../ui/dom';
import { Tabs } from '../ui/tabs';
import { EditorPanel } from './EditorPanel';
import { JobsBar } from './JobsBar';
import { ModelsPanel } from './ModelsPanel';
import { PassesPanel } from './PassesPanel';
import { heatByOp } from '../runs/profileTable';
import { RunsPanel } from './RunsPanel';

const loadEditor = () => import('../editor');

export interface AppOptions {
  client: RpcClient;
  origin: string;
  token: () => string;
  lspUrl: () => string;
}

type GraphSource = 'imported' | 'compiled';

export class App {
  readonly root: HTMLElement;
  readonly jobs = new JobsBar();
  readonly models: ModelsPanel;
  readonly graph = new GraphView('Model graph');
  readonly editor: EditorPanel;
  readonly passes: PassesPanel;
  readonly runs: RunsPanel;
  readonly tabs: Tabs;
  private artifacts: ArtifactFetcher;
  private model: CommonModelSummary | null = null;
  private compile: string | null = null;
  private graphSource: GraphSource = 'imported';
  private graphSelect: HTMLSelectElement;
  private compileMessage: HTMLElement;
  private connection: HTMLElement;
  private compiling = false;
  /** performance.now() of the last model pick, and when its graph was drawn. */
  selectTiming: { picked: number; drawn: number; nodes: number } | null = null;

  constructor(private readonly options: AppOptions) {
    const { client } = options;
    this.artifacts = new ArtifactFetcher(options.origin, options.token);
    this.models = new ModelsPanel(client, this.jobs);
    this.editor = new EditorPanel(client, this.artifacts, options.lspUrl, loadEditor);
    this.passes = new PassesPanel(client, this.artifacts, loadEditor);
    this.runs = new RunsPanel(client, this.artifacts, this.jobs);

    this.graphSelect = h('select', { 'aria-label': 'Which graph' },
      h('option', { value: 'imported', text: 'Graph as imported' }),
      h('option', { value: 'compiled', text: 'Graph after the graph passes' })) as HTMLSelectElement;
    this.graphSelect.addEventListener('change', () => void this.showGraph(this.graphSelect.value as GraphSource));
    const compileButton = h('button', { type: 'button', text: 'Compile (default recipe)', className: 'primary' });
    compileButton.addEventListener('click', () => void this.compileModel());
    this.compileMessage = h('span', { className: 'message', role: 'alert' });
    const graphPanel = h('section', { className: 'panel' }, h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Graph source' }, this.graphSelect, compileButton, this.compileMessage), this.graph.root);
    const editorPanel = h('section', { className: 'panel' }, this.editor.root);
    const passesButton = h('button', { type: 'button', text: 'Compile (default recipe)', className: 'primary' });
    passesButton.addEventListener('click', () => void this.compileModel());
    const passesPanel = h('section', { className: 'panel' }, h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Compile' }, passesButton), this.passes.root);
    const runsPanel = h('section', { className: 'panel' }, this.runs.root);
    this.tabs = new Tabs([
      { id: 'graph', label: 'Graph', panel: graphPanel },
      { id: 'editor', label: 'IR editor', panel: editorPanel },
      { id: 'passes', label: 'Passes', panel: passesPanel },
      { id: 'runs', label: 'Run & profile', panel: runsPanel },
    ], 'Views');
    this.tabs.onChange((id) => {
      if (id === 'editor') void this.editor.showSelected().catch((e) => (this.compileMessage.textContent = (e as Error).message));
    });

    this.connection = h('span', { className: 'connection', role: 'status', 'aria-live': 'polite' });
    client.onState((state) => {
      this.connection.textContent = state === 'open' ? 'Connected' : state === 'connecting' ? 'Connecting…' : 'Disconnected — reconnecting';
      this.connection.dataset.state = state;
    });
    client.onReconnect(() => void this.resync());

    this.models.onSelect((m) => void this.selectModel(m));
    this.graph.onOpenInEditor((node) => void this.openInEditor(node.id, node.children?.map((c) => c.id) ?? []));
    this.editor.onCompileRequest((recipe) => void this.compileModel(recipe));
    this.editor.onCommand((command) => {
      if (command === 'openopt.showGraph') this.tabs.select('graph');
      else if (command === 'openopt.showPasses') this.tabs.select('passes');
      else if (command === 'openopt.run') {
        this.tabs.select('runs');
        void this.runs.runAndProfile();
      }
    });
    this.runs.onHeat((profile) => {
      // Profile rows are the ops of the compiled graph (or the GPU kernels
      // computing them): show that one, coloured.
      void this.showGraph('compiled').then(() => {
        const heat = profile ? heatByOp(profile, this.graph.nodeIds()) : null;
        this.graph.setHeat(heat);
        this.passes.graph.setHeat(heat);
      });
    });

    const header = h('header', { className: 'top' }, h('h1', { text: 'OpenOptimizer' }), this.jobs.root, this.connection);
    const main = h('main', { className: 'main' }, this.tabs.list, graphPanel, editorPanel, passesPanel, runsPanel);
    this.root = h('div', { className: 'app' }, header, h('div', { className: 'body' }, this.models.root, main));
  }

  async start(): Promise<void> {
    void this.refreshDevices();
    await this.models.refresh();
    const wanted = new URL(location.href).searchParams.get('model');
    const list = this.models.all;
    const pick = list.find((m) => m.id === wanted || m.name === wanted) ?? list[list.length - 1];
    if (pick) this.models.select(pick.id);
  }

  /** The run panel's device picker, from server/info (agents are asked then). */
  async refreshDevices(): Promise<void> {
    try {
      const info = await this.options.client.call('server/info', {});
      this.runs.setDevices(info.devices);
    } catch (e) {
      this.compileMessage.textContent = `Devices: ${(e as Error).message}`;
    }
  }

  private async selectModel(model: CommonModelSummary): Promise<void> {
    const picked = performance.now();
    this.model = model;
    this.compile = null;
    this.graph.setHeat(null);
    this.graphSelect.value = 'imported';
    this.runs.setTarget(model, null);
    this.editor.setCompile(null);
    this.compileMessage.textContent = '';
    await this.showGraph('imported');
    const timing = this.graph.lastTiming;
    if (timing && timing.started >= picked) this.selectTiming = { picked, drawn: timing.drawnAt, nodes: Number(this.graph.root.dataset.drawn) };
    // A compile of this model may exist already (cache): reuse the newest.
    const { jobs } = await this.options.client.call('job/list', { kind: 'compile', state: 'done', limit: 50 });
    for (const job of jobs) {
      const full = await this.options.client.call('job/get', { job: job.id });
      const result = full.job.result as { compile?: { id: string; model: string } } | undefined;
      if (result?.compile?.model === model.id && this.model?.id === model.id) {
        await this.useCompile(result.compile.id);
        break;
      }
    }
  }

  async showGraph(source: GraphSource): Promise<void> {
    if (!this.model) return;
    if (source === 'compiled' && !this.compile) source = 'imported';
    this.graphSource = source;
    this.graphSelect.value = source;
    let doc: GraphDocument;
    try {
      doc = await fetchGraph(this.options.client, this.artifacts, source === 'compiled' && this.compile ? { model: this.model.id, compile: this.compile } : { model: this.model.id });
    } catch (e) {
      this.compileMessage.textContent = (e as Error).message;
      return;
    }
    this.graph.setHeat(null);
    await this.graph.show(doc, `${this.model.name}: ${source === 'compiled' ? 'after the graph passes' : 'as imported'}`).catch(() => {});
  }

  async compileModel(recipe?: string): Promise<void> {
    if (!this.model || this.compiling) return;
    this.compiling = true;
    this.compileMessage.textContent = '';
    const tracker = this.jobs.track(`Compile ${this.model.name}`);
    try {
      const params = recipe ? { model: this.model.id, recipe, recipeName: 'editor.recipe.json' } : { model: this.model.id };
      const outcome = await this.options.client.job('compile/start', params, tracker.progress);
      if (outcome.state !== 'done' || !outcome.result) throw new Error(outcome.error?.message ?? outcome.state);
      await this.useCompile(outcome.result.compile.id);
      this.tabs.select('passes');
    } catch (e) {
      this.compileMessage.textContent = `Compile failed: ${(e as Error).message}`;
    } finally {
      tracker.done();
      this.compiling = false;
    }
  }

  private async useCompile(compile: string): Promise<void> {
    if (!this.model) return;
    this.compile = compile;
    this.runs.setTarget(this.model, compile);
    await this.passes.load({ model: this.model.id, compile });
    this.editor.setCompile({ compile, graphPasses: this.passes.graphPasses, name: this.model.name });
    this.root.dataset.compile = compile;
  }

  private async openInEditor(nodeId: string, members: string[]): Promise<void> {
    if (!this.compile) await this.compileModel();
    this.tabs.select('editor');
    await this.editor.revealOp(nodeId, this.graphSource === 'compiled' ? 'graph-passes' : 'imported', members);
  }

  /** After a reconnection: reload the lists and the current views. */
  private async resync(): Promise<void> {
    void this.refreshDevices();
    await this.models.refresh();
    this.root.dataset.resynced = String(Number(this.root.dataset.resynced ?? 0) + 1);
  }
}
