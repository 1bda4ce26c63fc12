// The extension's composition root: settings → daemon and language server,
// the commands (code lenses and palette), the status bar, the webviews.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { httpUrl, redact, webUiUrl } from './core/endpoints';
import { formatLatency, formatProgress, formatRunReport } from './core/format';
import { JobFailed, type Cancellation, type ModelSource } from './core/modelCommands';
import { recipeFor, type RecipeChoice } from './core/recipe';
import { allProblems, SETTING, type Settings } from './core/settings';
import { formatNumber, sortOps } from '../../webui/src/runs/profileTable';
import { readConfiguration, type Configuration } from './host/config';
import { DaemonService, tokenKey, type Connected } from './host/daemonService';
import { IrDiffDocuments } from './host/irDiffDocuments';
import { Log } from './host/log';
import { LspService } from './host/lspService';
import { StatusBar } from './host/statusBar';
import { GraphPanel, PassesPanel } from './host/webviewPanels';

/** The argument code lenses pass: [{uri, function}]. */
interface LensArgument {
  uri?: string;
  function?: string;
}

/** What deactivate() stops and waits for. */
let running: { daemon: DaemonService; lsp: LspService } | null = null;

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const status = new StatusBar();
  const diffs = new IrDiffDocuments();
  /** The progress lines of the commands' notifications. */
  const reporters = new Set<(text: string) => void>();
  const daemon = new DaemonService(context, log, (subject, p) => {
    const text = formatProgress(subject, p);
    status.setJob(p.job, p.progress >= 1 ? null : text);
    for (const r of reporters) r(text);
  });
  const lsp = new LspService(log, daemon);
  running = { daemon, lsp };
  context.subscriptions.push(log, status, diffs, daemon, lsp);
  daemon.onStatus((s) => status.setDaemon(s));
  lsp.onStatus((s) => status.setLsp(s));
  daemon.onEndpoint(() => void lsp.daemonChanged());
  const graphPanels = new Map<string, GraphPanel>();
  let passesPanel: PassesPanel | null = null;

  let config: Configuration = readConfiguration();
  let reported = '';

  async function applyConfiguration(first: boolean): Promise<void> {
    config = readConfiguration();
    const problems = allProblems(config.plan);
    const text = problems.map((p) => p.message).join('\n');
    if (text !== reported) {
      if (problems.length) {
        log.line(`settings: ${problems.map((p) => p.message).join('; ')}`);
        const settings = [...new Set(problems.map((p) => p.setting))];
        void vscode.window.showErrorMessage(`OpenOptimizer: ${problems.map((p) => p.message).join(' — ')}`, 'Open settings').then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', settings.length === 1 ? settings[0] : 'openopt');
        });
      } else if (!first) {
        log.line('settings: no problems');
        void vscode.window.showInformationMessage('OpenOptimizer: the settings are fine now.');
      }
      reported = text;
    }
    await daemon.apply(config.plan.daemon, config.plan.daemonProblems, config.parsed.settings.compilerPath);
    await lsp.apply(config.plan.lsp, config.plan.lspProblems);
  }

  // One change at a time: a second edit waits for the first to be applied.
  let applying = Promise.resolve();
  const reapply = (first: boolean) => {
    applying = applying.then(() => applyConfiguration(first)).catch((e: unknown) => log.line(`settings: ${e instanceof Error ? e.message : String(e)}`));
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('openopt')) reapply(false);
    }),
  );
  reapply(true);

  // ------------------------------------------------------------ helpers

  async function modelSource(arg: unknown): Promise<{ source: ModelSource; uri: vscode.Uri; isIr: boolean }> {
    let uri: vscode.Uri | undefined;
    if (arg instanceof vscode.Uri) uri = arg;
    else if (arg && typeof arg === 'object' && typeof (arg as LensArgument).uri === 'string') uri = vscode.Uri.parse((arg as LensArgument).uri!);
    else uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri) throw new Error('open an .mlir file (or pick an .onnx file in the explorer) first');
    const name = path.posix.basename(uri.path) || 'model.mlir';
    if (/\.onnx$/i.test(name)) return { source: { name, bytes: await vscode.workspace.fs.readFile(uri) }, uri, isIr: false };
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'mlir' && !/\.mlir$/i.test(name)) throw new Error(`${name} is neither an .mlir document nor an .onnx model`);
    // The daemon takes MLIR text under a name ending in .mlir.
    const irName = /\.mlir$/i.test(name) ? name : `${name}.mlir`;
    return { source: { name: irName, bytes: new TextEncoder().encode(document.getText()) }, uri, isIr: true };
  }

  function jobSettings(): Settings {
    const problems = config.plan.daemonProblems;
    if (problems.length) throw new Error(problems.map((p) => p.message).join('\n'));
    return config.parsed.settings;
  }

  function recipe(file?: string | null): RecipeChoice {
    const s = jobSettings();
    return recipeFor(file === undefined ? s.recipe : file, s.threads, (f) => fs.readFileSync(f, 'utf8'));
  }

  /** Runs a command's work with a cancellable notification that shows job progress. */
  function withJobProgress<T>(title: string, work: (cancel: Cancellation) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OpenOptimizer: ${title}`, cancellable: true }, async (progress, token) => {
      let last = 0;
      const reporter = (text: string) => {
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        progress.report({ message: text });
      };
      reporters.add(reporter);
      const cancel: Cancellation = {
        get cancelled() {
          return token.isCancellationRequested;
        },
        onCancel: (l) => token.onCancellationRequested(l),
      };
      try {
        return await work(cancel);
      } finally {
        reporters.delete(reporter);
      }
    });
  }

  function fail(what: string, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    log.line(`${what} failed: ${message}`);
    const cancelled = e instanceof JobFailed && e.state === 'cancelled';
    if (cancelled) void vscode.window.showInformationMessage(`OpenOptimizer: ${message}`);
    else
      void vscode.window.showErrorMessage(`OpenOptimizer: ${what} failed: ${message}`, 'Show log').then((pick) => {
        if (pick) log.show();
      });
  }

  async function connection(): Promise<Connected> {
    jobSettings();
    return daemon.connect();
  }

  const subject = (arg: unknown, source: ModelSource) => {
    const fn = arg && typeof arg === 'object' && typeof (arg as LensArgument).function === 'string' ? `@${(arg as LensArgument).function}` : '';
    return fn ? `${source.name} ${fn}` : source.name;
  };

  // ------------------------------------------------------------ commands

  async function run(arg?: unknown): Promise<void> {
    try {
      const { source } = await modelSource(arg);
      const settings = jobSettings();
      const r = recipe();
      const what = subject(arg, source);
      const report = await withJobProgress(`Run ${what}`, async (cancel) => {
        const c = await connection();
        return c.commands.run(source, r, settings.iterations, cancel);
      });
      log.line(formatRunReport(what, report.result, report.values));
      log.show();
      void vscode.window.showInformationMessage(`OpenOptimizer: Run of ${what}: ${formatLatency(report.result)}; outputs ${report.result.outputs.map((o) => `${o.name} ${o.shape.join('×')}`).join(', ')}`, 'Show output').then((pick) => {
        if (pick) log.show();
      });
    } catch (e) {
      fail('Run', e);
    }
  }

  async function showGraph(arg?: unknown): Promise<void> {
    let panel: GraphPanel | undefined;
    try {
      const { source, uri, isIr } = await modelSource(arg);
      const key = uri.toString();
      panel = graphPanels.get(key);
      if (!panel || panel.isDisposed) {
        panel = new GraphPanel(context.extensionUri, uri, `Graph: ${source.name}`, log, vscode.ViewColumn.Beside);
        graphPanels.set(key, panel);
        const created = panel;
        panel.onDispose(() => {
          if (graphPanels.get(key) === created) graphPanels.delete(key);
        });
      } else panel.reveal();
      panel.loading(`Importing ${source.name}…`);
      const shown = panel;
      const { graph, model } = await withJobProgress(`Show graph of ${subject(arg, source)}`, async (cancel) => (await connection()).commands.graph(source, cancel));
      shown.show(graph, `${model.name}: as imported`, isIr);
      const editor = vscode.window.activeTextEditor;
      if (editor && editor.document.uri.toString() === key) shown.cursorAt(editor.selection.active.line + 1);
    } catch (e) {
      panel?.error((e as Error).message);
      fail('Show graph', e);
    }
  }

  async function showPasses(arg?: unknown, recipeFile?: string | null): Promise<void> {
    let panel: PassesPanel | null = null;
    try {
      const { source } = await modelSource(arg);
      const r = recipe(recipeFile);
      if (!passesPanel || passesPanel.isDisposed) {
        passesPanel = new PassesPanel(context.extensionUri, `Passes: ${source.name}`, log, diffs, vscode.ViewColumn.Beside);
      } else passesPanel.reveal();
      panel = passesPanel;
      panel.loading(`Compiling ${source.name}…`);
      const { list, commands } = await withJobProgress(`Show passes of ${subject(arg, source)}`, async (cancel) => {
        const c = await connection();
        return { list: await c.commands.passes(source, r, cancel), commands: c.commands };
      });
      panel.show(list, commands, `Passes: ${source.name} (${r.name ?? 'built-in recipe'}, ${list.rows.length} passes)`);
    } catch (e) {
      panel?.error((e as Error).message);
      fail('Show passes', e);
    }
  }

  async function compileWithRecipe(arg?: unknown): Promise<void> {
    try {
      const { source } = await modelSource(arg);
      const files = await vscode.workspace.findFiles('**/*.recipe.json', '**/node_modules/**', 200);
      const settings = jobSettings();
      type Pick = vscode.QuickPickItem & { file: string | null };
      const picks: Pick[] = [
        { label: 'Built-in recipe', description: 'the daemon\'s default', file: null },
        ...files.map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(f), file: f.fsPath })),
      ];
      if (settings.recipe) picks.sort((a, b) => (a.file === settings.recipe ? -1 : b.file === settings.recipe ? 1 : 0));
      const pick = await vscode.window.showQuickPick(picks, { title: `Compile ${source.name} with…`, placeHolder: 'a recipe' });
      if (!pick) return;
      const r = recipe(pick.file);
      const ref = await withJobProgress(`Compile ${source.name}`, async (cancel) => (await connection()).commands.compile(source, r, cancel));
      const c = ref.compile;
      const summary = `Compiled ${source.name} with ${r.name ?? 'the built-in recipe'}: cache ${c.cache}, ${Math.round(c.compileMs)} ms, ${c.opsBefore} → ${c.opsAfterGraphPasses} ops, ${c.passCount} passes`;
      log.line(summary);
      const choice = await vscode.window.showInformationMessage(`OpenOptimizer: ${summary}`, 'Show passes');
      if (choice) await showPasses(arg, pick.file);
    } catch (e) {
      fail('Compile', e);
    }
  }

  async function profile(arg?: unknown): Promise<void> {
    try {
      const { source } = await modelSource(arg);
      const settings = jobSettings();
      const r = recipe();
      const what = subject(arg, source);
      const result = await withJobProgress(`Profile ${what}`, async (cancel) => (await connection()).commands.profile(source, r, settings.iterations, cancel));
      const ops = sortOps(result.profile.ops, { key: 'totalMs', descending: true }).slice(0, 15);
      const lines = [`Profile of ${what}${result.result.device ? ` on ${result.result.device}` : ''}: the ${ops.length} slowest ops`];
      for (const op of ops) lines.push(`  ${formatNumber(op.totalMs, 3).padStart(10)} ms ${formatNumber(op.percent, 1).padStart(6)}%  ${op.op.padEnd(16)} ${op.name}`);
      log.line(lines.join('\n'));
      log.show();
      void vscode.window.showInformationMessage(`OpenOptimizer: Profile of ${what}: ${result.profile.ops.length} ops; the slowest is ${ops[0]?.op ?? '—'} (${ops[0] ? formatNumber(ops[0].percent, 1) : 0}%).`);
    } catch (e) {
      fail('Profile', e);
    }
  }

  async function openWebUi(): Promise<void> {
    try {
      const c = await connection();
      const url = webUiUrl({ base: httpUrl(c.base).replace(/\/$/, ''), token: c.token });
      log.line(`opening the web UI at ${redact(url)}`);
      await vscode.env.openExternal(vscode.Uri.parse(url, true));
      // A remote window (code-server, Remote SSH) may open local addresses
      // through a port forward that drops the token: offer the link itself.
      void vscode.window.showInformationMessage(`OpenOptimizer: opened the web UI of openoptd at ${httpUrl(c.base)}. If it asks for a token, open the link with the token instead.`, 'Copy link with token').then((pick) => {
        if (pick) void vscode.env.clipboard.writeText(url);
      });
    } catch (e) {
      fail('Open web UI', e);
    }
  }

  async function setRemoteToken(): Promise<void> {
    const url = config.parsed.settings.remoteUrl;
    if (!url) {
      const pick = await vscode.window.showErrorMessage(`OpenOptimizer: set ${SETTING.remoteUrl} (ws://host:port) first; the token belongs to that daemon.`, 'Open settings');
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', SETTING.remoteUrl);
      return;
    }
    const token = await vscode.window.showInputBox({ title: `Token of openoptd at ${url}`, prompt: 'As openoptd printed it (or `openoptd --token-file`); kept in VS Code\'s secret storage', password: true, ignoreFocusOut: true });
    if (token === undefined) return;
    if (token.trim()) await context.secrets.store(tokenKey(url), token.trim());
    else await context.secrets.delete(tokenKey(url));
    log.line(`token for ${url} ${token.trim() ? 'stored' : 'removed'}; reconnecting`);
    await restart();
  }

  async function restart(): Promise<void> {
    await daemon.restart();
    await lsp.restart();
    await applyConfiguration(false);
    if (config.plan.lsp?.kind === 'daemon' || config.plan.daemon?.kind === 'remote') {
      // Connect now: the user wants to know whether it works.
      daemon.connect().then(
        () => log.line('connected'),
        (e: Error) => log.line(`connect: ${e.message}`),
      );
    }
  }

  async function previewPipeline(arg?: unknown): Promise<void> {
    try {
      const uri = arg && typeof arg === 'object' && typeof (arg as LensArgument).uri === 'string' ? (arg as LensArgument).uri! : vscode.window.activeTextEditor?.document.uri.toString();
      if (!uri) throw new Error('open a *.recipe.json first');
      const result = (await lsp.previewPipeline(uri)) as { recipe?: string; graphPasses?: string[]; passes?: string[]; pipeline?: string };
      const text = [
        `// The pipeline of ${result.recipe || path.basename(vscode.Uri.parse(uri).path)}`,
        '// Graph passes:',
        ...(result.graphPasses ?? []).map((p) => `//   ${p}`),
        '// Every pass, in order:',
        ...(result.passes ?? []).map((p) => `//   ${p}`),
        '',
        result.pipeline ?? '',
      ].join('\n');
      const doc = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    } catch (e) {
      fail('Preview pipeline', e);
    }
  }

  const register = (id: string, f: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, f));
  register('openopt.run', (arg) => run(arg));
  register('openopt.showGraph', (arg) => showGraph(arg));
  register('openopt.showPasses', (arg) => showPasses(arg));
  register('openopt.compile', (arg) => compileWithRecipe(arg));
  register('openopt.profile', (arg) => profile(arg));
  register('openopt.openWebUi', () => openWebUi());
  register('openopt.setRemoteToken', () => setRemoteToken());
  register('openopt.restart', () => restart());
  register('openopt.showLog', () => log.show());
  register('openopt.previewPipeline', (arg) => previewPipeline(arg));

  // Editor → graph: the op under the cursor is highlighted in its document's graph.
  context.subscriptions.push(
    vscode.window.onDidChangeTextEditorSelection((e) => {
      const panel = graphPanels.get(e.textEditor.document.uri.toString());
      if (panel && !panel.isDisposed) panel.cursorAt(e.selections[0]!.active.line + 1);
    }),
  );

  log.line(`OpenOptimizer ${context.extension.packageJSON.version as string} activated`);
}

/** The language server and a local daemon are stopped before the extension host goes. */
export async function deactivate(): Promise<void> {
  const r = running;
  running = null;
  if (r) await Promise.all([r.lsp.stop(), r.daemon.stop()]);
}
