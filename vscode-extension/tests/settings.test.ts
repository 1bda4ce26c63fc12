import { describe, expect, it } from 'vitest';
import { allProblems, checkRemoteUrl, parseSettings, planConnections, type Environment, type RawSettings } from '../src/core/settings';

/** A machine with these executables and files. */
function env(executables: string[], files: string[] = [], workspaceFolder: string | null = '/ws'): Environment {
  return {
    isExecutable: (f) => executables.includes(f),
    isFile: (f) => executables.includes(f) || files.includes(f),
    pathDirs: ['/usr/local/bin', '/usr/bin'],
    workspaceFolder,
    home: '/home/u',
  };
}

const onPath = env(['/usr/bin/openopt', '/usr/bin/openoptd']);
const plan = (raw: RawSettings, e: Environment = onPath) => planConnections(parseSettings(raw, e));

describe('settings', () => {
  it('finds openopt on PATH and openoptd beside it', () => {
    const { settings, problems } = parseSettings({}, env(['/usr/local/bin/openopt', '/usr/local/bin/openoptd', '/usr/bin/openoptd']));
    expect(problems).toEqual([]);
    expect(settings.compilerPath).toBe('/usr/local/bin/openopt');
    expect(settings.daemonPath).toBe('/usr/local/bin/openoptd');
    expect(settings.lspMode).toBe('auto');
    expect(settings.iterations).toBe(10);
  });

  it('names the setting and the path when the compiler does not exist', () => {
    const { problems } = parseSettings({ compilerPath: '/opt/nope/openopt' }, onPath);
    expect(problems).toEqual([{ setting: 'openopt.compilerPath', message: 'openopt.compilerPath: /opt/nope/openopt does not exist' }]);
  });

  it('says when nothing is on PATH', () => {
    const { problems } = parseSettings({}, env([]));
    expect(problems.map((p) => p.setting)).toEqual(['openopt.compilerPath', 'openopt.daemonPath']);
    expect(problems[0]!.message).toMatch(/no openopt is on PATH/);
  });

  it('takes relative paths and ${workspaceFolder} from the workspace folder', () => {
    const e = env(['/ws/build/bin/openopt', '/ws/build/bin/openoptd'], ['/ws/r.recipe.json']);
    const { settings, problems } = parseSettings({ compilerPath: 'build/bin/openopt', daemonPath: '${workspaceFolder}/build/bin/openoptd', recipe: './r.recipe.json' }, e);
    expect(problems).toEqual([]);
    expect(settings.compilerPath).toBe('/ws/build/bin/openopt');
    expect(settings.daemonPath).toBe('/ws/build/bin/openoptd');
    expect(settings.recipe).toBe('/ws/r.recipe.json');
  });

  it('refuses a relative path without a workspace folder', () => {
    const { problems } = parseSettings({ compilerPath: 'bin/openopt' }, env(['/usr/bin/openopt'], [], null));
    expect(problems[0]!.message).toMatch(/relative but no folder is open/);
  });

  it('says a file that is not executable is not', () => {
    const { problems } = parseSettings({ compilerPath: '/ws/openopt' }, env([], ['/ws/openopt']));
    expect(problems[0]!.message).toBe('openopt.compilerPath: /ws/openopt is not executable');
  });

  it.each([
    [4, 4],
    ['8', 8],
    [null, null],
    ['', null],
  ])('threads %j is %j', (raw, expected) => {
    const { settings, problems } = parseSettings({ threads: raw }, onPath);
    expect(problems).toEqual([]);
    expect(settings.threads).toBe(expected);
  });

  it.each([0, -2, 1.5, 'four', 257, true])('threads %j is refused, naming the setting', (raw) => {
    const { problems, settings } = parseSettings({ threads: raw }, onPath);
    expect(settings.threads).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.setting).toBe('openopt.threads');
    expect(problems[0]!.message).toMatch(/^openopt\.threads must be a whole number from 1 to 256/);
  });

  it('refuses an unknown lsp mode and a bad iteration count', () => {
    const { problems } = parseSettings({ lspMode: 'tcp', iterations: 0 }, onPath);
    expect(problems.map((p) => p.setting)).toEqual(['openopt.run.iterations', 'openopt.lsp.mode']);
  });

  it('says a recipe file is missing', () => {
    const { problems } = parseSettings({ recipe: '/ws/missing.recipe.json' }, onPath);
    expect(problems).toEqual([{ setting: 'openopt.recipe', message: 'openopt.recipe: /ws/missing.recipe.json does not exist' }]);
  });
});

describe('remote URL', () => {
  it('accepts ws and wss, drops a trailing slash, keeps a path prefix', () => {
    expect(checkRemoteUrl('ws://gpu-box:8787')).toEqual({ url: 'ws://gpu-box:8787' });
    expect(checkRemoteUrl('wss://gpu-box:8787/')).toEqual({ url: 'wss://gpu-box:8787' });
    expect(checkRemoteUrl('ws://proxy/openopt/')).toEqual({ url: 'ws://proxy/openopt' });
    expect(checkRemoteUrl('ws://[::1]:8787')).toEqual({ url: 'ws://[::1]:8787' });
  });

  it.each([
    ['http://gpu-box:8787', /starts with http:\/\/ but .* use ws:\/\/.*ws:\/\/gpu-box:8787/],
    ['gpu-box:8787', /starts with gpu-box:/],
    ['not a url', /is not a URL/],
    ['ws://gpu-box:8787/?token=abc', /leave the token out of the address/],
    ['ws://gpu-box:8787/api', /ends in \/api/],
    ['ws://me:pw@gpu-box:8787', /user name or password/],
  ])('refuses %s', (text, message) => {
    const r = checkRemoteUrl(text);
    expect('problem' in r && r.problem).toMatch(message);
  });
});

describe('connection plan', () => {
  it('local: the language server over stdio, a local daemon', () => {
    const p = plan({});
    expect(p.lsp).toEqual({ kind: 'stdio', command: '/usr/bin/openopt' });
    expect(p.daemon).toEqual({ kind: 'local', command: '/usr/bin/openoptd' });
    expect(allProblems(p)).toEqual([]);
  });

  it('remote: both through the remote daemon, no local executables needed', () => {
    const p = plan({ remoteUrl: 'ws://gpu-box:8787' }, env([]));
    expect(p.lsp).toEqual({ kind: 'daemon' });
    expect(p.daemon).toEqual({ kind: 'remote', url: 'ws://gpu-box:8787' });
    expect(allProblems(p)).toEqual([]);
  });

  it('remote with lsp.mode stdio keeps the local language server', () => {
    const p = plan({ remoteUrl: 'ws://gpu-box:8787', lspMode: 'stdio' });
    expect(p.lsp).toEqual({ kind: 'stdio', command: '/usr/bin/openopt' });
    expect(p.daemon?.kind).toBe('remote');
  });

  it('lsp.mode daemon uses the local daemon\'s WS /lsp', () => {
    const p = plan({ lspMode: 'daemon' });
    expect(p.lsp).toEqual({ kind: 'daemon' });
    expect(p.daemon).toEqual({ kind: 'local', command: '/usr/bin/openoptd' });
  });

  it('a broken remote URL stops the daemon commands, does not fall back to a local daemon, and leaves the language server local', () => {
    const p = plan({ remoteUrl: 'http://gpu-box:8787' });
    expect(p.daemon).toBeNull();
    expect(p.lsp).toEqual({ kind: 'stdio', command: '/usr/bin/openopt' });
    expect(p.daemonProblems.map((x) => x.setting)).toEqual(['openopt.remoteUrl']);
    expect(p.lspProblems).toEqual([]);
    expect(allProblems(p)).toHaveLength(1);
  });

  it('a broken remote URL with lsp.mode daemon stops the language server too', () => {
    const p = plan({ remoteUrl: 'http://gpu-box:8787', lspMode: 'daemon' });
    expect(p.lsp).toBeNull();
    expect(p.lspProblems.map((x) => x.setting)).toEqual(['openopt.remoteUrl']);
  });

  it('a missing compiler stops only the language server', () => {
    const p = plan({ compilerPath: '/nope/openopt' }, env(['/usr/bin/openoptd']));
    expect(p.lsp).toBeNull();
    expect(p.daemon).toEqual({ kind: 'local', command: '/usr/bin/openoptd' });
    expect(p.lspProblems.map((x) => x.setting)).toEqual(['openopt.compilerPath']);
    expect(p.daemonProblems).toEqual([]);
  });

  it('a bad threads value stops the daemon commands, not the language server', () => {
    const p = plan({ threads: 0 });
    expect(p.lsp?.kind).toBe('stdio');
    expect(p.daemonProblems.map((x) => x.setting)).toEqual(['openopt.threads']);
    expect(p.lspProblems).toEqual([]);
  });
});
