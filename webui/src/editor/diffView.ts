// Read-only side-by-side diff of two IR texts (a pass's before and after).
// The models live under their own scheme, so the language client never sees them.
import { getService, ITextModelService } from '@codingame/monaco-vscode-api/services';
import * as monaco from '@codingame/monaco-vscode-editor-api';
import { MLIR_LANGUAGE_ID } from './languages';
import { editorServicesReady, highlightClass, themeName } from './services';

export interface DiffViewHandle {
  show(before: string, after: string): void;
  /** Reveals the first line containing `needle` (modified side first, then original) and decorates every line with it. */
  highlightText(needle: string): boolean;
  /** Cursor moves / clicks in either side. */
  onDidSelectLine(cb: (side: 'original' | 'modified', lineText: string, lineNumber: number) => void): () => void;
  /** Marks whole lines (1-based) on each side and reveals the first. */
  highlightLines(original: number[], modified: number[]): void;
  readonly editor: monaco.editor.IStandaloneDiffEditor;
  dispose(): void;
}

let counter = 0;

/** Call after initEditorServices() has resolved. */
let providerRegistered = false;

/** Editor services may ask for a diff model by URI (e.g. on a click): answer with the live model. */
function registerDiffScheme(): void {
  if (providerRegistered) return;
  providerRegistered = true;
  void getService(ITextModelService).then((service) =>
    service.registerTextModelContentProvider('openopt-diff', {
      provideTextContent: async (uri) => monaco.editor.getModel(uri as unknown as monaco.Uri) as never,
    }),
  );
}

export function createDiffView(container: HTMLElement): DiffViewHandle {
  registerDiffScheme();
  if (!editorServicesReady()) throw new Error('createDiffView: await initEditorServices() first');
  const newModels = () => {
    const id = ++counter;
    return {
      original: monaco.editor.createModel('', MLIR_LANGUAGE_ID, monaco.Uri.parse(`openopt-diff:/${id}/before.mlir`)),
      modified: monaco.editor.createModel('', MLIR_LANGUAGE_ID, monaco.Uri.parse(`openopt-diff:/${id}/after.mlir`)),
    };
  };
  let models = newModels();
  const editor = monaco.editor.createDiffEditor(container, {
    theme: themeName(),
    readOnly: true,
    originalEditable: false,
    automaticLayout: true,
    renderSideBySide: true,
    useInlineViewWhenSpaceIsLimited: false,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 13,
    renderOverviewRuler: true,
    ignoreTrimWhitespace: false,
    hideUnchangedRegions: { enabled: false },
    diffAlgorithm: 'advanced',
    maxComputationTime: 5000,
    fixedOverflowWidgets: true,
    originalAriaLabel: 'IR before the pass',
    modifiedAriaLabel: 'IR after the pass',
  });
  editor.setModel(models);
  let computing = false;
  let queued: { before: string; after: string } | null = null;
  let safety: ReturnType<typeof setTimeout> | undefined;
  const settle = () => {
    computing = false;
    clearTimeout(safety);
    const next = queued;
    queued = null;
    if (next) apply(next.before, next.after);
  };
  const apply = (before: string, after: string) => {
    // The editor services dispose a model whose last reference they release
    // (a click can take one through the content provider above): then the
    // diff gets new models instead of failing on the old ones.
    if (models.original.isDisposed() || models.modified.isDisposed()) {
      if (!models.original.isDisposed()) models.original.dispose();
      if (!models.modified.isDisposed()) models.modified.dispose();
      models = newModels();
      editor.setModel(models);
    }
    if (models.original.getValue() === before && models.modified.getValue() === after) return;
    computing = true;
    // No update comes when nothing needs comparing; do not wait for ever.
    safety = setTimeout(settle, 10_000);
    models.original.setValue(before);
    models.modified.setValue(after);
  };
  editor.onDidUpdateDiff(settle);
  const origEditor = editor.getOriginalEditor();
  const modEditor = editor.getModifiedEditor();
  const origMarks = origEditor.createDecorationsCollection();
  const modMarks = modEditor.createDecorationsCollection();
  const listeners = new Set<(side: 'original' | 'modified', lineText: string, lineNumber: number) => void>();
  const disposables: monaco.IDisposable[] = [];

  for (const [side, ed] of [['original', origEditor], ['modified', modEditor]] as const) {
    disposables.push(
      ed.onDidChangeCursorPosition((e) => {
        // only user moves: setValue and reveal do not count
        if (e.source !== 'mouse' && e.source !== 'keyboard') return;
        const m = ed.getModel();
        if (!m) return;
        const text = m.getLineContent(e.position.lineNumber);
        for (const cb of [...listeners]) cb(side, text, e.position.lineNumber);
      }),
    );
  }

  const mark = (ed: monaco.editor.ICodeEditor, coll: monaco.editor.IEditorDecorationsCollection, needle: string, reveal: boolean): number => {
    const m = ed.getModel();
    if (!m) return 0;
    const matches = m.findMatches(needle, false, false, true, null, false, 200);
    coll.set(
      matches.map((f) => ({
        range: f.range,
        options: { isWholeLine: true, className: highlightClass(), linesDecorationsClassName: 'openopt-line-glyph' },
      })),
    );
    const first = matches[0];
    if (first && reveal) {
      ed.revealRangeInCenter(first.range, monaco.editor.ScrollType.Immediate);
      ed.setSelection(first.range);
    }
    return matches.length;
  };

  return {
    editor,
    show(before, after) {
      origMarks.clear();
      modMarks.clear();
      // One diff at a time: new text waits until the running computation is
      // done, or Monaco applies a stale result to the new text.
      if (computing) queued = { before, after };
      else apply(before, after);
    },
    highlightText(needle) {
      origMarks.clear();
      modMarks.clear();
      if (needle === '') return false;
      const inModified = mark(modEditor, modMarks, needle, true);
      // the original side is only scrolled to when the text is gone after the pass
      const inOriginal = mark(origEditor, origMarks, needle, inModified === 0);
      return inModified + inOriginal > 0;
    },
    highlightLines(originalLines, modifiedLines) {
      const mk = (ed: monaco.editor.ICodeEditor, coll: monaco.editor.IEditorDecorationsCollection, lines: number[]) => {
        coll.set(lines.map((l) => ({ range: new monaco.Range(l, 1, l, 1), options: { isWholeLine: true, className: highlightClass(), linesDecorationsClassName: 'openopt-line-glyph' } })));
        if (lines[0]) ed.revealLineInCenterIfOutsideViewport(lines[0], monaco.editor.ScrollType.Immediate);
      };
      mk(origEditor, origMarks, originalLines);
      mk(modEditor, modMarks, modifiedLines);
    },
    onDidSelectLine(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    dispose() {
      for (const d of disposables) d.dispose();
      listeners.clear();
      editor.dispose();
      if (!models.original.isDisposed()) models.original.dispose();
      if (!models.modified.isDisposed()) models.modified.dispose();
    },
  };
}
