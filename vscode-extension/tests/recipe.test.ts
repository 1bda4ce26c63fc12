import { describe, expect, it } from 'vitest';
import { parse } from 'jsonc-parser';
import { recipeFor } from '../src/core/recipe';

const commented = `// my recipe
{
  "name": "fast", // short
  "target": { "kind": "cpu", "threads": 1 },
  /* passes */ "graph": { "passes": ["canonicalize"] }
}
`;

describe('recipe', () => {
  it('the built-in recipe as it is', () => {
    expect(recipeFor(null, null, () => '')).toEqual({ text: null, name: null });
  });

  it('the built-in recipe with threads', () => {
    const r = recipeFor(null, 4, () => '');
    expect(JSON.parse(r.text!)).toEqual({ target: { kind: 'cpu', threads: 4 } });
  });

  it('a file as written', () => {
    expect(recipeFor('/ws/fast.recipe.json', null, () => commented)).toEqual({ text: commented, name: 'fast.recipe.json' });
  });

  it('threads go into target.threads and the comments stay', () => {
    const r = recipeFor('/ws/fast.recipe.json', 8, () => commented);
    expect(r.text).toContain('// my recipe');
    expect(r.text).toContain('/* passes */');
    expect(parse(r.text!)).toEqual({ name: 'fast', target: { kind: 'cpu', threads: 8 }, graph: { passes: ['canonicalize'] } });
  });

  it('a recipe that does not parse is sent unchanged (the daemon says where it is wrong)', () => {
    expect(recipeFor('/ws/bad.recipe.json', 8, () => '{ "target": ')).toEqual({ text: '{ "target": ', name: 'bad.recipe.json' });
  });

  it('an unreadable file names the setting', () => {
    expect(() => recipeFor('/ws/gone.recipe.json', null, () => {
      throw new Error('ENOENT');
    })).toThrow('openopt.recipe: /ws/gone.recipe.json could not be read: ENOENT');
  });
});
