// The editor layer of the web UI: Monaco + monaco-languageclient talking to
// openoptd's language server over `WS /lsp`, and a read-only IR diff view.
export { initEditorServices, editorServicesReady, setEditorTheme, type EditorThemeKind } from './services';
export { type LspConnectionOptions, type LspState } from './lspConnection';
export { createIrEditor, type IrEditorHandle, type DocumentLanguage, type EditorMarker } from './irEditor';
export { createDiffView, type DiffViewHandle } from './diffView';
export { MLIR_LANGUAGE_ID, RECIPE_LANGUAGE_ID } from './languages';
