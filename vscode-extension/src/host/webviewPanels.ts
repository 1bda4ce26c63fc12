// The graph and passes webviews on the host side: the page (built from the web
// UI's components into dist/webview-*.js), the messages, and the link between
// graph nodes and the editor's lines.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { GraphDocument } from '../../../webui/src/generated/schemas';
import { graphLines, type OpLines, linesForNode, opAtLine } from '../core/editorLinking';
import type { ModelCommands, PassList } from '../core/modelCommands';
import type { GraphToHost, HostToGraph, HostToPasses, PassesToHost } from '../webview/protocol';
import type { IrDiffDocuments } from './irDiffDocuments';
import type { Log } from './log';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: 'graph' | 'passes', title: string): string {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, `webview-${page}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, `webview-${page}.css`));
  const worker = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview-layout-worker.js'));
  const nonce = crypto.randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
    `connect-src ${webview.cspSource}`,
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style}">
<title>${escapeHtml(title)}</title>
</head>
<body data-page="${page}" data-layout-worker="${worker}">
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** A webview that holds its messages until the page says it is ready. */
class PagePanel<ToPage, FromPage extends { type: string }> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private queue: ToPage[] = [];
  private disposed = false;
  private readonly disposeListeners = new Set<() => void>();

  constructor(viewType: string, title: string, page: 'graph' | 'passes', extensionUri: vscode.Uri, column: vscode.ViewColumn, onMessage: (m: FromPage) => void, log: Log) {
    this.panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: column, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    });
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, page, title);
    this.panel.webview.onDidReceiveMessage((m: FromPage) => {
      if (!m || typeof m.type !== 'string') {
        log.line(`webview sent a malformed message: ${JSON.stringify(m)}`);
        return;
      }
      if (m.type === 'ready') {
        this.ready = true;
        const queued = this.queue;
        this.queue = [];
        for (const q of queued) void this.panel.webview.postMessage(q);
      }
      onMessage(m);
    });
    this.panel.onDidDispose(() => {
      this.disposed = true;
      for (const l of this.disposeListeners) l();
    });
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  onDispose(l: () => void): void {
    this.disposeListeners.add(l);
  }

  post(message: ToPage): void {
    if (this.disposed) return;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  dispose(): void {
    this.panel.dispose();
  }
}

type PageStatus = { type: 'loading' | 'error'; message: string };

/** What the graph and passes panels share: the page's lifetime, bringing it forward, its loading and error lines. */
abstract class PageView<ToPage extends { type: string }, FromPage extends { type: string }> {
  protected readonly page: PagePanel<ToPage | PageStatus, FromPage>;

  constructor(viewType: string, title: string, kind: 'graph' | 'passes', extensionUri: vscode.Uri, column: vscode.ViewColumn, log: Log) {
    this.page = new PagePanel(viewType, title, kind, extensionUri, column, (m) => this.onMessage(m), log);
  }

  protected abstract onMessage(m: FromPage): void;

  get isDisposed(): boolean {
    return this.page.isDisposed;
  }

  onDispose(l: () => void): void {
    this.page.onDispose(l);
  }

  reveal(): void {
    this.page.panel.reveal(undefined, true);
  }

  loading(message: string): void {
    this.page.post({ type: 'loading', message });
  }

  error(message: string): void {
    this.page.post({ type: 'error', message });
  }
}

/** The graph of one document's model; its nodes and the editor's lines are linked when the model is that document's IR. */
export class GraphPanel extends PageView<HostToGraph, GraphToHost> {
  private lines: OpLines | null = null;
  private lastOp: string | null | undefined = undefined;

  constructor(extensionUri: vscode.Uri, readonly documentUri: vscode.Uri, title: string, private readonly log: Log, column: vscode.ViewColumn) {
    super('openopt.graph', title, 'graph', extensionUri, column, log);
  }

  show(graph: GraphDocument, title: string, linkLines: boolean): void {
    this.lines = linkLines ? graphLines(graph) : null;
    this.lastOp = undefined;
    this.page.post({ type: 'graph', graph, title });
  }

  /** The editor's cursor moved to a 1-based line of the document. */
  cursorAt(line: number): void {
    if (!this.lines) return;
    const op = opAtLine(this.lines, line)?.id ?? null;
    if (op === this.lastOp) return;
    this.lastOp = op;
    this.page.post({ type: 'reveal', opId: op });
  }

  protected override onMessage(m: GraphToHost): void {
    if (m.type === 'drawn') {
      this.log.line(`graph of ${vscode.workspace.asRelativePath(this.documentUri)}: ${m.nodes} nodes drawn`);
    } else if (m.type === 'nodeSelected') {
      if (!this.lines) return;
      const line = linesForNode(this.lines, m.nodeId, m.memberIds)[0];
      if (line === undefined) return;
      void this.revealLine(line);
    }
  }

  private async revealLine(line: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(this.documentUri);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.documentUri.toString());
    const position = new vscode.Position(line - 1, document.lineAt(line - 1).firstNonWhitespaceCharacterIndex);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false, selection: new vscode.Range(position, position) });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.lastOp = opAtLine(this.lines!, line)?.id ?? null;
  }
}

/** The passes of one compile: timeline, per-pass diffs and graphs. */
export class PassesPanel extends PageView<HostToPasses, PassesToHost> {
  private list: PassList | null = null;
  private commands: ModelCommands | null = null;
  private graphTitle = '';
  private loadToken = 0;

  constructor(extensionUri: vscode.Uri, title: string, private readonly log: Log, private readonly diffs: IrDiffDocuments, column: vscode.ViewColumn) {
    super('openopt.passes', title, 'passes', extensionUri, column, log);
  }

  show(list: PassList, commands: ModelCommands, title: string): void {
    this.list = list;
    this.commands = commands;
    this.graphTitle = '';
    this.page.panel.title = title;
    this.page.post({ type: 'passes', title, rows: list.rows, graphPasses: list.graphPasses, pipeline: list.pipeline, selected: null });
  }

  protected override onMessage(m: PassesToHost): void {
    if (m.type === 'selectPass') void this.selectPass(m.index);
    else if (m.type === 'openDiff') void this.openDiff(m.index);
    else if (m.type === 'drawn') this.log.line(`passes view: graph of ${m.nodes} nodes drawn`);
  }

  private async selectPass(index: number): Promise<void> {
    const { list, commands } = this;
    if (!list || !commands) return;
    const token = ++this.loadToken;
    const row = list.rows.find((r) => r.index === index);
    if (!row) return;
    try {
      const position = list.rows.indexOf(row);
      const title = position < list.graphPasses ? null : 'Graph after all graph passes';
      const detail = await commands.passDetail(list, index, title === null || title !== this.graphTitle);
      if (token !== this.loadToken) return;
      if (detail.graph) this.graphTitle = detail.graphTitle;
      this.page.post({ type: 'passDetail', index, diff: detail.diff, graph: detail.graph, graphTitle: detail.graphTitle, graphError: detail.graphError });
    } catch (e) {
      if (token !== this.loadToken) return;
      this.page.post({ type: 'passError', index, message: (e as Error).message });
    }
  }

  private async openDiff(index: number): Promise<void> {
    const { list, commands } = this;
    if (!list || !commands) return;
    try {
      const { before, after } = await commands.passIr(list.compile.id, index);
      const row = list.rows.find((r) => r.index === index);
      await this.diffs.open(`${list.model.name}: #${index} ${row?.argument ?? ''}`, `${list.compile.id}/${index}`, before, after);
    } catch (e) {
      void vscode.window.showErrorMessage(`OpenOptimizer: the IR of pass #${index} could not be loaded: ${(e as Error).message}`);
    }
  }
}
