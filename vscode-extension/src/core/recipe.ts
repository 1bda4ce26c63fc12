// The recipe a command compiles with: the openopt.recipe file (or the daemon's
// built-in recipe), with openopt.threads written into target.threads. Recipes
// are JSON with comments, so the edit goes through jsonc-parser and keeps them.
import * as path from 'node:path';
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';

export interface RecipeChoice {
  /** The recipe's text; null: the daemon's built-in recipe as it is. */
  text: string | null;
  /** A file name for the daemon's error messages. */
  name: string | null;
}

export function recipeFor(file: string | null, threads: number | null, readFile: (file: string) => string): RecipeChoice {
  if (!file) {
    // Members left out take the built-in recipe's values.
    if (threads === null) return { text: null, name: null };
    return { text: JSON.stringify({ target: { kind: 'cpu', threads } }, null, 2), name: 'built-in (openopt.threads)' };
  }
  let text: string;
  try {
    text = readFile(file);
  } catch (e) {
    throw new Error(`openopt.recipe: ${file} could not be read: ${(e as Error).message}`);
  }
  if (threads === null) return { text, name: path.basename(file) };
  const errors: ParseError[] = [];
  const tree = parse(text, errors, { allowTrailingComma: false, disallowComments: false });
  if (errors.length > 0 || typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    // The daemon says what is wrong, with positions; send it unchanged.
    return { text, name: path.basename(file) };
  }
  const edits = modify(text, ['target', 'threads'], threads, { formattingOptions: { insertSpaces: true, tabSize: 2 } });
  return { text: applyEdits(text, edits), name: path.basename(file) };
}
