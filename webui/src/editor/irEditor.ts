// The IR / recipe editor: a Monaco editor whose documents are file:// models
// that the language client syncs to openoptd's language server.
import { createModelReference, type IReference, type ITextFileEditorModel } from '@codingame/monaco-vscode-api/monaco';
import * as monaco from '@codingame/monaco-vscode-editor-api';
import { MLIR_LANGUAGE_ID, RECIPE_LANGUAGE_ID } from './languages';
import { acquireConnection, releaseConnection, type LspConnectionOptions, type LspState } from './lspConnection';
import { highlightClass, initEditorServices, themeName } from './services';

export type DocumentLanguage = 'mlir' | 'recipe';

export interface EditorMarker {
  severity: number; // monaco.MarkerSeverity: 8 error, 4 warning, 2 info, 1 hint
  message: string;
  startLineNumber: number;
}

export interface IrEditorHandle {
  /**
   * Replaces what is shown with `text` at `uri` (e.g. file:///openopt/model.mlir) and opens it in
   * the LSP. Takes effect asynchronously (the model lives in the virtual file system); getText() and
   * the reveal methods called right after it already see the new document. The promise is optional
   * to await and never rejects.
   */
  setDocument(uri: string, text: string, language: DocumentLanguage): Promise<void>;
  getText(): string;
  /** The URI of the document shown, or '' before the first setDocument. */
  getUri(): string;
  /** 1-based; scrolls to the line, selects it and highlights it. */
  revealLine(line: number, column?: number): void;
  /** Reveals and selects the first occurrence of `needle`; false when absent. */
  revealText(needle: string): boolean;
  onDidChangeCursorLine(cb: (line: number, lineText: string) => void): () => void;
  onDidChangeText(cb: (text: string) => void): () => void;
  /** Code lens commands (openopt.run / showGraph / showPasses) with the server's answer {command,uri,function,ir}. */
  onCommand(cb: (command: string, result: unknown) => void): () => void;
  /** LSP connection state: 'connecting' | 'connected' | 'disconnected' | 'disposed'. */
  lspState(): LspState;
  onLspState(cb: (state: LspState) => void): () => void;
  /** Current diagnostics of the shown document. */
  markers(): EditorMarker[];
  onDidChangeMarkers(cb: (markers: EditorMarker[]) => void): () => void;
  /** The underlying Monaco editor, for anything not covered here. */
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  dispose(): void;
}

function languageIdOf(language: DocumentLanguage): string {
  return language === 'recipe' ? RECIPE_LANGUAGE_ID : MLIR_LANGUAGE_ID;
}

export async function createIrEditor(container: HTMLElement, lsp: LspConnectionOptions): Promise<IrEditorHandle> {
  await initEditorServices();
  const connection = acquireConnection(lsp.url);
  const editor = monaco.editor.create(container, {
    model: null,
    theme: themeName(),
    automaticLayout: true,
    fontSize: 13,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    renderWhitespace: 'none',
    glyphMargin: false,
    'semanticHighlighting.enabled': true,
    inlayHints: { enabled: 'on' },
    codeLens: true,
    fixedOverflowWidgets: true,
    ariaLabel: 'IR editor',
  });
  const highlight = editor.createDecorationsCollection();
  const disposables: monaco.IDisposable[] = [];
  const unsubscribes: (() => void)[] = [];
  const cursorListeners = new Set<(line: number, lineText: string) => void>();
  const textListeners = new Set<(text: string) => void>();
  const markerListeners = new Set<(markers: EditorMarker[]) => void>();
  let model: monaco.editor.ITextModel | undefined;
  let modelRef: IReference<ITextFileEditorModel> | undefined;
  let lastCursorLine = 0;
  let disposed = false;
  // setDocument calls run one after the other; while one is pending the text
  // it will show is known already
  let queue: Promise<void> = Promise.resolve();
  let pendingText: string | undefined;
  let pendingUri: string | undefined;

  const markers = (): EditorMarker[] =>
    model
      ? monaco.editor.getModelMarkers({ resource: model.uri }).map((m) => ({
          severity: m.severity,
          message: m.message,
          startLineNumber: m.startLineNumber,
        }))
      : [];

  disposables.push(
    editor.onDidChangeCursorPosition((e) => {
      const m = editor.getModel();
      if (!m) return;
      const line = e.position.lineNumber;
      if (line === lastCursorLine && e.reason !== monaco.editor.CursorChangeReason.Explicit) return;
      lastCursorLine = line;
      const text = m.getLineContent(line);
      for (const cb of [...cursorListeners]) cb(line, text);
    }),
    editor.onDidChangeModelContent(() => {
      highlight.clear();
      if (textListeners.size === 0) return;
      const text = editor.getValue();
      for (const cb of [...textListeners]) cb(text);
    }),
    monaco.editor.onDidChangeMarkers((uris) => {
      if (!model || !uris.some((u) => u.toString() === model!.uri.toString())) return;
      const list = markers();
      for (const cb of [...markerListeners]) cb(list);
    }),
  );

  const revealRange = (range: monaco.IRange, select: monaco.IRange = range): void => {
    editor.setSelection(select);
    editor.revealRangeInCenterIfOutsideViewport(range, monaco.editor.ScrollType.Immediate);
    highlight.set([
      {
        range: { startLineNumber: range.startLineNumber, startColumn: 1, endLineNumber: range.endLineNumber, endColumn: 1 },
        options: { isWholeLine: true, className: highlightClass(), linesDecorationsClassName: 'openopt-line-glyph' },
      },
    ]);
  };

  const applyDocument = async (uri: string, text: string, languageId: string): Promise<void> => {
    try {
      if (disposed) return;
      const parsed = monaco.Uri.parse(uri);
      if (model && modelRef && model.uri.toString() === parsed.toString()) {
        if (modelRef.object.getLanguageId() !== languageId) modelRef.object.setLanguageId(languageId);
        if (model.getValue() !== text) {
          // an edit of the same document: keeps undo, one didChange
          editor.pushUndoStop();
          model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
          editor.pushUndoStop();
        }
        return;
      }
      const ref = await createModelReference(parsed, text);
      const next = ref.object.textEditorModel;
      if (disposed || !next) {
        ref.dispose();
        return;
      }
      if (ref.object.getLanguageId() !== languageId) ref.object.setLanguageId(languageId);
      if (next.getValue() !== text) next.setValue(text);
      const previous = modelRef;
      modelRef = ref;
      model = next;
      highlight.clear();
      lastCursorLine = 0;
      editor.setModel(next);
      previous?.dispose(); // didClose when no one else holds it
      const list = markers();
      for (const cb of [...markerListeners]) cb(list);
    } finally {
      if (pendingText === text && pendingUri === uri) {
        pendingText = undefined;
        pendingUri = undefined;
      }
    }
  };

  const handle: IrEditorHandle = {
    editor,
    setDocument(uri, text, language) {
      pendingText = text;
      pendingUri = uri;
      const done = queue.then(() => applyDocument(uri, text, languageIdOf(language)));
      queue = done.catch(() => undefined);
      return queue;
    },
    getText: () => pendingText ?? editor.getValue(),
    getUri: () => pendingUri ?? model?.uri.toString() ?? '',
    revealLine(line, column) {
      if (pendingText !== undefined) {
        void queue.then(() => handle.revealLine(line, column));
        return;
      }
      const m = editor.getModel();
      if (!m) return;
      const l = Math.max(1, Math.min(m.getLineCount(), Math.floor(line)));
      const c = column === undefined ? 1 : Math.max(1, Math.min(m.getLineMaxColumn(l), Math.floor(column)));
      const full = { startLineNumber: l, startColumn: 1, endLineNumber: l, endColumn: m.getLineMaxColumn(l) };
      revealRange(full, column === undefined ? full : { startLineNumber: l, startColumn: c, endLineNumber: l, endColumn: c });
    },
    revealText(needle) {
      if (pendingText !== undefined) {
        if (needle === '' || !pendingText.includes(needle)) return false;
        void queue.then(() => handle.revealText(needle));
        return true;
      }
      const m = editor.getModel();
      if (!m || needle === '') return false;
      const match = m.findNextMatch(needle, { lineNumber: 1, column: 1 }, false, true, null, false);
      if (!match) return false;
      revealRange(match.range);
      return true;
    },
    onDidChangeCursorLine(cb) {
      cursorListeners.add(cb);
      return () => cursorListeners.delete(cb);
    },
    onDidChangeText(cb) {
      textListeners.add(cb);
      return () => textListeners.delete(cb);
    },
    onCommand(cb) {
      const off = connection.onCommand((command, args, result) => {
        // several editors may share the connection: only the one showing
        // the document the lens belongs to answers
        const first = args[0] as { uri?: unknown } | undefined;
        const uri = typeof first?.uri === 'string' ? first.uri : undefined;
        if (uri !== undefined && model && uri !== model.uri.toString()) return;
        cb(command, result);
      });
      unsubscribes.push(off);
      return off;
    },
    lspState: () => connection.state,
    onLspState(cb) {
      const off = connection.onState(cb);
      unsubscribes.push(off);
      return off;
    },
    markers,
    onDidChangeMarkers(cb) {
      markerListeners.add(cb);
      return () => markerListeners.delete(cb);
    },
    dispose() {
      for (const d of disposables) d.dispose();
      for (const off of unsubscribes) off();
      cursorListeners.clear();
      textListeners.clear();
      markerListeners.clear();
      disposed = true;
      editor.dispose();
      modelRef?.dispose(); // didClose
      modelRef = undefined;
      model = undefined;
      releaseConnection(connection);
    },
  };
  return handle;
}
