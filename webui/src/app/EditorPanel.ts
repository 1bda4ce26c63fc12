// The IR editor tab: the model's IR (imported, or after the graph passes) or
// the recipe, in Monaco with the language server over WS /lsp.
import defaultRecipe from '../../../recipes/default.recipe.json?raw';
import type { ArtifactFetcher } from '../api/artifacts';
import { fetchIr } from '../api/artifacts';
import type { RpcClient } from '../api/rpc';
import type { IrEditorHandle } from '../editor';
import { indexOpLines, linesForNode, type OpLines } from '../passes/linking';
import { h } from '../ui/dom';

export type IrStage = 'imported' | 'graph-passes';

export class EditorPanel {
  readonly root: HTMLElement;
  private host: HTMLElement;
  private status: HTMLElement;
  private editor: IrEditorHandle | null = null;
  private creating: Promise<IrEditorHandle> | null = null;
  private stage: HTMLSelectElement;
  private ops: OpLines | null = null;
  private recipeText = defaultRecipe;
  private showing: 'ir' | 'recipe' = 'ir';
  private compile: { compile: string; graphPasses: number; name: string } | null = null;
  private commandListeners = new Set<(command: string, result: unknown) => void>();
  private compileListeners = new Set<(recipe: string) => void>();

  constructor(private readonly client: RpcClient, private readonly artifacts: ArtifactFetcher, private readonly lspUrl: () => string, private readonly loadEditor: () => Promise<typeof import('../editor')>) {
    this.stage = h('select', { 'aria-label': 'Document' },
      h('option', { value: 'imported', text: 'Model IR, as imported' }),
      h('option', { value: 'graph-passes', text: 'Model IR after the graph passes' }),
      h('option', { value: 'recipe', text: 'Recipe (default.recipe.json)' })) as HTMLSelectElement;
    this.stage.addEventListener('change', () => void this.showSelected());
    const compileButton = h('button', { type: 'button', text: 'Compile with this recipe' });
    compileButton.addEventListener('click', () => {
      for (const l of this.compileListeners) l(this.recipe);
    });
    this.status = h('span', { className: 'editor-status', role: 'status', 'aria-live': 'polite' });
    this.host = h('div', { className: 'editor-host' });
    this.root = h('div', { className: 'editor-panel' }, h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Editor tools' }, this.stage, compileButton, this.status), this.host);
  }

  onCommand(listener: (command: string, result: unknown) => void): void {
    this.commandListeners.add(listener);
  }

  onCompileRequest(listener: (recipe: string) => void): void {
    this.compileListeners.add(listener);
  }

  /** The recipe text as edited here (the built-in recipe until changed). */
  get recipe(): string {
    if (this.showing === 'recipe' && this.editor) this.recipeText = this.editor.getText();
    return this.recipeText;
  }

  get handle(): IrEditorHandle | null {
    return this.editor;
  }

  setCompile(compile: { compile: string; graphPasses: number; name: string } | null): void {
    this.compile = compile;
    if (this.editor && this.showing === 'ir') void this.showSelected();
  }

  private async ensureEditor(): Promise<IrEditorHandle> {
    if (this.editor) return this.editor;
    this.creating ??= (async () => {
      const mod = await this.loadEditor();
      await mod.initEditorServices();
      const editor = await mod.createIrEditor(this.host, { url: this.lspUrl() });
      editor.onCommand((command, result) => {
        for (const l of this.commandListeners) l(command, result);
      });
      editor.onDidChangeMarkers((markers) => {
        const errors = markers.filter((m) => m.severity >= 8).length;
        this.status.textContent = `${errors} error${errors === 1 ? '' : 's'}, ${markers.length - errors} other`;
        this.root.dataset.markers = String(markers.length);
      });
      editor.onLspState((state) => (this.root.dataset.lsp = state));
      this.editor = editor;
      return editor;
    })();
    return this.creating;
  }

  /** Shows what the document picker says. */
  async showSelected(): Promise<void> {
    const editor = await this.ensureEditor();
    if (this.stage.value === 'recipe') {
      if (this.showing === 'ir' || !editor.getUri().endsWith('.recipe.json')) {
        this.showing = 'recipe';
        await editor.setDocument('file:///openopt/default.recipe.json', this.recipeText, 'recipe');
      }
      this.ops = null;
      return;
    }
    if (this.showing === 'recipe') this.recipeText = editor.getText();
    this.showing = 'ir';
    if (!this.compile) {
      this.ops = null;
      await editor.setDocument('file:///openopt/no-model.mlir', '// Pick a model and compile it (Passes tab, or "Compile with this recipe") to see its IR here.\n', 'mlir');
      return;
    }
    const pass = this.stage.value === 'imported' ? -1 : this.compile.graphPasses - 1;
    const { ir, ops } = await fetchIr(this.client, this.artifacts, this.compile.compile, pass);
    this.ops = indexOpLines(ops);
    const stage = this.stage.value === 'imported' ? 'imported' : 'graph';
    await editor.setDocument(`file:///openopt/${this.compile.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.${stage}.mlir`, ir, 'mlir');
  }

  /** Opens the IR at an op (a graph node of the imported or compiled graph). */
  async revealOp(nodeId: string, stage: IrStage, memberIds: string[] = []): Promise<boolean> {
    this.stage.value = stage;
    await this.showSelected();
    const lines = this.ops ? linesForNode(this.ops, nodeId, memberIds) : [];
    if (lines[0] && this.editor) {
      this.editor.revealLine(lines[0]);
      this.root.dataset.revealed = String(lines[0]);
      return true;
    }
    return false;
  }
}
