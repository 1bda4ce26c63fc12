// One-time start of the monaco-vscode-api services that the language client
// needs. "classic" mode: Monarch colouring and standalone themes, no TextMate,
// no theme/extension bundles, no language packs, only the editor worker.
import * as monaco from '@codingame/monaco-vscode-editor-api';
import { MonacoVscodeApiWrapper, type MonacoVscodeApiConfig } from 'monaco-languageclient/vscodeApiWrapper';
import { useWorkerFactory, Worker as WorkerSpec } from 'monaco-languageclient/workerFactory';
import editorWorkerUrl from '@codingame/monaco-vscode-editor-api/esm/vs/editor/editor.worker.js?worker&url';
import { DARK_THEME, LIGHT_THEME, defineThemes, registerLanguages } from './languages';

export type EditorThemeKind = 'light' | 'dark';

let started: Promise<void> | undefined;
let themeKind: EditorThemeKind = 'light';
let ready = false;

/** True once initEditorServices() has resolved. */
export function editorServicesReady(): boolean {
  return ready;
}

const STYLE = `
.monaco-editor .openopt-line-highlight { background: rgba(255, 213, 79, 0.35); }
.monaco-editor.vs-dark .openopt-line-highlight { background: rgba(255, 213, 79, 0.16); }
.openopt-line-glyph { background: #b26a00; width: 4px !important; margin-left: 3px; }
`;

function installStyle(): void {
  if (document.getElementById('openopt-editor-style')) return;
  const style = document.createElement('style');
  style.id = 'openopt-editor-style';
  style.textContent = STYLE;
  document.head.appendChild(style);
}

export function themeName(): string {
  return themeKind === 'dark' ? DARK_THEME : LIGHT_THEME;
}

/** Whole-line highlight of revealLine / revealText / highlightText (styled per theme). */
export function highlightClass(): string {
  return 'openopt-line-highlight';
}

/** Switches every editor of the page between the light and dark theme (both WCAG AA). */
export function setEditorTheme(kind: EditorThemeKind): void {
  themeKind = kind;
  if (started) monaco.editor.setTheme(themeName());
}

/** Starts the editor services once per page; later calls return the same promise. */
export function initEditorServices(): Promise<void> {
  started ??= start();
  return started;
}

async function start(): Promise<void> {
  const config: MonacoVscodeApiConfig = {
    $type: 'classic',
    viewsConfig: { $type: 'EditorService' },
    userConfiguration: {
      json: JSON.stringify({
        'editor.wordBasedSuggestions': 'off',
        'editor.semanticHighlighting.enabled': true,
        'editor.inlayHints.enabled': 'on',
        'editor.codeLens': true,
      }),
    },
    monacoWorkerFactory: (logger) => {
      useWorkerFactory({
        workerLoaders: {
          editorWorkerService: () => new WorkerSpec(editorWorkerUrl, { type: 'module' }),
        },
        ...(logger ? { logger } : {}),
      });
    },
    advanced: { enableExtHostWorker: false, loadThemes: false },
  };
  const wrapper = new MonacoVscodeApiWrapper(config);
  await wrapper.start({ caller: 'openopt-editor' });
  registerLanguages();
  defineThemes();
  installStyle();
  monaco.editor.setTheme(themeName());
  // Monaco's icon font is otherwise fetched the first time an icon shows,
  // which may be while the daemon is down.
  await document.fonts.load('16px codicon').catch(() => undefined);
  ready = true;
}
