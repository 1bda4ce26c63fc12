// Syntax colouring for the two document kinds the language server knows: MLIR
// IR (a small Monarch tokenizer) and recipes (JSON with comments). Semantic
// tokens from the server refine the MLIR colouring once it has analysed a file.
import * as monaco from '@codingame/monaco-vscode-editor-api';

export const MLIR_LANGUAGE_ID = 'mlir';
export const RECIPE_LANGUAGE_ID = 'openopt-recipe';

const mlirLanguage: monaco.languages.IMonarchLanguage = {
  defaultToken: '',
  tokenPostfix: '.mlir',
  keywords: [
    'module', 'func', 'return', 'to', 'step', 'iter_args', 'ins', 'outs', 'attributes', 'loc',
    'private', 'public', 'nested', 'true', 'false', 'unit', 'dense', 'dense_resource', 'array',
    'affine_map', 'affine_set', 'sparse', 'strided', 'offset', 'fused', 'callsite', 'unknown',
  ],
  typeWords: ['tensor', 'memref', 'vector', 'tuple', 'complex', 'none', 'index'],
  tokenizer: {
    root: [
      [/\/\/.*$/, 'comment'],
      [/\{-#/, { token: 'comment.doc', next: '@resources' }],
      [/"/, { token: 'string.quote', next: '@string' }],
      [/%[\w$.\-]+(#\d+)?/, 'variable'],
      [/\^[\w$.\-]+/, 'type.identifier'],
      [/@[\w$.\-]+|@"[^"]*"/, 'function'],
      [/#[\w$.\-]+/, 'annotation'],
      [/![\w$.\-]+/, 'type'],
      [/\b[su]?i\d+\b|\b[bt]?f\d+(E\d+M\d+\w*)?\b|\bbf16\b/, 'type'],
      [/[a-z_][\w$]*(\.[\w$]+)+/, 'keyword.operation'],
      [/\b(0x[0-9a-fA-F]+|-?\d+(\.\d+)?([eE][-+]?\d+)?)\b/, 'number'],
      [/\d+(?=x)/, 'number'],
      [/[a-zA-Z_][\w$]*/, { cases: { '@keywords': 'keyword', '@typeWords': 'type', '@default': 'identifier' } }],
      [/->|=|:|,/, 'delimiter'],
      [/[{}()[\]]/, '@brackets'],
      [/[<>]/, 'delimiter'],
    ],
    string: [
      [/[^\\"]+/, 'string'],
      [/\\./, 'string.escape'],
      [/"/, { token: 'string.quote', next: '@pop' }],
    ],
    resources: [
      [/#-\}/, { token: 'comment.doc', next: '@pop' }],
      [/"0x[0-9A-Fa-f]*"/, 'comment'],
      [/[^#"]+|["#]/, 'comment'],
    ],
  },
};

const mlirConfiguration: monaco.languages.LanguageConfiguration = {
  comments: { lineComment: '//' },
  // no <> pair: `->` would count as an unbalanced bracket
  brackets: [['{', '}'], ['[', ']'], ['(', ')']],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"', notIn: ['string'] },
  ],
  surroundingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '(', close: ')' },
    { open: '"', close: '"' },
  ],
  wordPattern: /(-?\d*\.\d\w*)|([%^@#!]?[\w$.\-]+)/,
};

const recipeLanguage: monaco.languages.IMonarchLanguage = {
  defaultToken: '',
  tokenPostfix: '.recipe',
  tokenizer: {
    root: [
      [/\/\/.*$/, 'comment'],
      [/\/\*/, { token: 'comment', next: '@comment' }],
      [/"(?:[^"\\]|\\.)*"(?=\s*:)/, 'type'],
      [/"/, { token: 'string.quote', next: '@string' }],
      [/-?\d+(\.\d+)?([eE][-+]?\d+)?/, 'number'],
      [/\b(true|false|null)\b/, 'keyword'],
      [/[{}[\]]/, '@brackets'],
      [/[,:]/, 'delimiter'],
    ],
    comment: [
      [/\*\//, { token: 'comment', next: '@pop' }],
      [/[^*]+|\*/, 'comment'],
    ],
    string: [
      [/[^\\"]+/, 'string'],
      [/\\./, 'string.escape'],
      [/"/, { token: 'string.quote', next: '@pop' }],
    ],
  },
};

const recipeConfiguration: monaco.languages.LanguageConfiguration = {
  comments: { lineComment: '//', blockComment: ['/*', '*/'] },
  brackets: [['{', '}'], ['[', ']']],
  autoClosingPairs: [
    { open: '{', close: '}' },
    { open: '[', close: ']' },
    { open: '"', close: '"', notIn: ['string'] },
  ],
};

let registered = false;

export function registerLanguages(): void {
  if (registered) return;
  registered = true;
  monaco.languages.register({ id: MLIR_LANGUAGE_ID, extensions: ['.mlir'], aliases: ['MLIR'] });
  monaco.languages.setMonarchTokensProvider(MLIR_LANGUAGE_ID, mlirLanguage);
  monaco.languages.setLanguageConfiguration(MLIR_LANGUAGE_ID, mlirConfiguration);
  monaco.languages.register({
    id: RECIPE_LANGUAGE_ID,
    filenamePatterns: ['*.recipe.json'],
    aliases: ['OpenOptimizer recipe'],
  });
  monaco.languages.setMonarchTokensProvider(RECIPE_LANGUAGE_ID, recipeLanguage);
  monaco.languages.setLanguageConfiguration(RECIPE_LANGUAGE_ID, recipeConfiguration);
}

// Colours checked against the background for WCAG AA (>= 4.5:1 for text).
// Light: background #ffffff. Dark: background #1e1e1e.
const lightRules: monaco.editor.ITokenThemeRule[] = [
  { token: 'comment', foreground: '3b6e28' }, // 5.9:1
  { token: 'comment.doc', foreground: '3b6e28' },
  { token: 'string', foreground: 'a31515' }, // 7.1:1
  { token: 'string.escape', foreground: '8a1111' },
  { token: 'keyword', foreground: '0000c0' }, // 11:1
  { token: 'keyword.operation', foreground: '7a3e9d', fontStyle: 'bold' }, // 7.2:1
  { token: 'variable', foreground: '005a8c' }, // 7.3:1
  { token: 'type', foreground: '1d6b6b' }, // 6.2:1
  { token: 'type.identifier', foreground: '8a4b00' }, // 6.7:1
  { token: 'function', foreground: '795e26' }, // 5.9:1
  { token: 'annotation', foreground: '6b5300' }, // 6.9:1
  { token: 'number', foreground: '0b6b45' }, // 6.4:1
  { token: 'delimiter', foreground: '333333' },
  { token: 'identifier', foreground: '1f1f1f' },
  // semantic token types from the server's legend
  { token: 'parameter', foreground: '005a8c', fontStyle: 'italic' },
  { token: 'label', foreground: '8a4b00' },
  { token: 'namespace', foreground: '1d6b6b' },
  { token: 'operator', foreground: '7a3e9d', fontStyle: 'bold' },
  { token: 'property', foreground: '6b5300' },
];

const darkRules: monaco.editor.ITokenThemeRule[] = [
  { token: 'comment', foreground: '8fbf7f' }, // 8.3:1
  { token: 'comment.doc', foreground: '8fbf7f' },
  { token: 'string', foreground: 'e6a07c' }, // 8.2:1
  { token: 'string.escape', foreground: 'f0c0a0' },
  { token: 'keyword', foreground: '79b8ff' }, // 8.3:1
  { token: 'keyword.operation', foreground: 'd7a6f5', fontStyle: 'bold' }, // 8.9:1
  { token: 'variable', foreground: '9cdcfe' }, // 11:1
  { token: 'type', foreground: '5fd7c5' }, // 9.9:1
  { token: 'type.identifier', foreground: 'f0b060' },
  { token: 'function', foreground: 'e8e0a0' },
  { token: 'annotation', foreground: 'e0c060' },
  { token: 'number', foreground: 'b5cea8' }, // 10:1
  { token: 'delimiter', foreground: 'd4d4d4' },
  { token: 'identifier', foreground: 'e0e0e0' },
  { token: 'parameter', foreground: '9cdcfe', fontStyle: 'italic' },
  { token: 'label', foreground: 'f0b060' },
  { token: 'namespace', foreground: '5fd7c5' },
  { token: 'operator', foreground: 'd7a6f5', fontStyle: 'bold' },
  { token: 'property', foreground: 'e0c060' },
];

export const LIGHT_THEME = 'openopt-light';
export const DARK_THEME = 'openopt-dark';

export function defineThemes(): void {
  monaco.editor.defineTheme(LIGHT_THEME, {
    base: 'vs',
    inherit: true,
    rules: lightRules,
    colors: {
      'editor.foreground': '#1f1f1f',
      'editor.background': '#ffffff',
      'editorLineNumber.foreground': '#5f6368', // 6.0:1
      'editorLineNumber.activeForeground': '#1f1f1f',
      'editorCodeLens.foreground': '#4d4d4d', // 8.5:1
      'editorInlayHint.foreground': '#4a4a4a',
      'editorInlayHint.background': '#f0f0f0', // 8.1:1
      'editorInlayHint.typeForeground': '#4a4a4a',
      'editorInlayHint.typeBackground': '#f0f0f0',
      'editorInlayHint.parameterForeground': '#4a4a4a',
      'editorInlayHint.parameterBackground': '#f0f0f0',
      'editorGhostText.foreground': '#595959',
      // bracket pair colours (the default green is 3.9:1 on white)
      'editorBracketHighlight.foreground1': '#0431fa',
      'editorBracketHighlight.foreground2': '#1e6b1e',
      'editorBracketHighlight.foreground3': '#7b3814',
      'editorBracketHighlight.unexpectedBracket.foreground': '#c00000',
    },
  });
  monaco.editor.defineTheme(DARK_THEME, {
    base: 'vs-dark',
    inherit: true,
    rules: darkRules,
    colors: {
      'editor.foreground': '#e0e0e0',
      'editor.background': '#1e1e1e',
      'editorLineNumber.foreground': '#a0a0a0', // 6.6:1
      'editorLineNumber.activeForeground': '#e0e0e0',
      'editorCodeLens.foreground': '#b0b0b0', // 8:1
      'editorInlayHint.foreground': '#c8c8c8',
      'editorInlayHint.background': '#2d2d2d', // 9:1
      'editorInlayHint.typeForeground': '#c8c8c8',
      'editorInlayHint.typeBackground': '#2d2d2d',
      'editorInlayHint.parameterForeground': '#c8c8c8',
      'editorInlayHint.parameterBackground': '#2d2d2d',
    },
  });
}
