// Dev page for the editor layer (editor-dev.html): not part of the app build.
// Load it from openoptd: /editor-dev.html?token=TOKEN
import { createDiffView, createIrEditor, initEditorServices, setEditorTheme, type DiffViewHandle, type IrEditorHandle } from './editor';

const SAMPLE_MLIR = `module {
  func.func @main(%arg0: tensor<1x256xf32>, %arg1: tensor<256x10xf32>) -> tensor<1x10xf32> {
    %0 = nn.matmul %arg0, %arg1 : (tensor<1x256xf32>, tensor<256x10xf32>) -> tensor<1x10xf32>
    %1 = nn.relu %0 : tensor<1x10xf32>
    return %1 : tensor<1x10xf32>
  }
}
`;

const SAMPLE_RECIPE = `{
  // the passes to run
  "passes": ["openopt-fold-batchnorm", "cse"]
}
`;

declare global {
  interface Window {
    openoptEditor?: IrEditorHandle;
    openoptDiff?: DiffViewHandle;
    openoptLog?: string[];
    openoptCreate?: typeof createIrEditor;
  }
}

const log: string[] = [];
window.openoptLog = log;
function say(line: string): void {
  log.push(line);
  const el = document.getElementById('log')!;
  el.textContent = log.slice(-20).join('\n');
  el.scrollTop = el.scrollHeight;
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? '';
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${proto}//${location.host}/lsp${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  await initEditorServices();
  const editor = await createIrEditor(document.getElementById('editor')!, { url });
  window.openoptEditor = editor;
  window.openoptCreate = createIrEditor; // for scripted tests
  const state = document.getElementById('state')!;
  state.textContent = editor.lspState();
  editor.onLspState((s) => {
    state.textContent = s;
    say(`lsp: ${s}`);
  });
  editor.onCommand((command, result) => say(`command ${command}: ${JSON.stringify(result).slice(0, 120)}`));
  editor.onDidChangeCursorLine((line, text) => say(`cursor line ${line}: ${text.trim().slice(0, 80)}`));
  editor.onDidChangeMarkers((m) => say(`markers: ${m.map((x) => `${x.startLineNumber}:${x.message}`).join(' | ')}`));
  await editor.setDocument('file:///openopt/model.mlir', SAMPLE_MLIR, 'mlir');

  const diff = createDiffView(document.getElementById('diff')!);
  window.openoptDiff = diff;
  diff.show(SAMPLE_MLIR, SAMPLE_MLIR.replace('nn.relu %0', 'nn.sigmoid %0'));
  diff.onDidSelectLine((side, text) => say(`diff ${side}: ${text.trim().slice(0, 80)}`));

  document.getElementById('mlir')!.onclick = () => editor.setDocument('file:///openopt/model.mlir', SAMPLE_MLIR, 'mlir');
  document.getElementById('recipe')!.onclick = () =>
    editor.setDocument('file:///openopt/default.recipe.json', SAMPLE_RECIPE, 'recipe');
  document.getElementById('dark')!.onclick = () => setEditorTheme('dark');
  document.getElementById('light')!.onclick = () => setEditorTheme('light');
}

main().catch((e: unknown) => say(`failed: ${String(e)}`));
