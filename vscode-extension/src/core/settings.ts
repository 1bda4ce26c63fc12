// The extension's settings: read raw from the configuration, checked here,
// and turned into the connections to make. Every problem names its setting
// and says what is wrong, so the user can fix it; nothing here touches VS Code.
import * as path from 'node:path';

export type LspMode = 'auto' | 'stdio' | 'daemon';

/** Settings as the configuration holds them (any JSON a user may have typed). */
export interface RawSettings {
  compilerPath?: unknown;
  daemonPath?: unknown;
  remoteUrl?: unknown;
  threads?: unknown;
  recipe?: unknown;
  lspMode?: unknown;
  iterations?: unknown;
}

export interface Settings {
  /** `openopt` to run the language server from; null when it was not found. */
  compilerPath: string | null;
  /** `openoptd` to start a local daemon from; null when it was not found. */
  daemonPath: string | null;
  /** ws:// or wss:// address of a remote daemon (no trailing slash); null: a local daemon. */
  remoteUrl: string | null;
  /** Threads for matmuls and convolutions put into the recipe; null: the recipe's own. */
  threads: number | null;
  /** Absolute path of the recipe to compile with; null: the daemon's built-in recipe. */
  recipe: string | null;
  lspMode: LspMode;
  /** Timed runs of Run. */
  iterations: number;
}

export interface SettingProblem {
  /** The setting's full name, e.g. openopt.remoteUrl. */
  setting: string;
  message: string;
}

/** What the checks may ask of the machine (injected: tests give a fake file system). */
export interface Environment {
  /** Whether the path is a file that may be executed. */
  isExecutable(file: string): boolean;
  isFile(file: string): boolean;
  /** Directories of $PATH. */
  pathDirs: string[];
  /** The first workspace folder, for relative paths and ${workspaceFolder}. */
  workspaceFolder: string | null;
  home: string;
}

export const SETTING = {
  compilerPath: 'openopt.compilerPath',
  daemonPath: 'openopt.daemonPath',
  remoteUrl: 'openopt.remoteUrl',
  threads: 'openopt.threads',
  recipe: 'openopt.recipe',
  lspMode: 'openopt.lsp.mode',
  iterations: 'openopt.run.iterations',
} as const;

export interface ParsedSettings {
  settings: Settings;
  /** Problems with settings as given; see problemsFor() for the ones that matter now. */
  problems: SettingProblem[];
}

export function parseSettings(raw: RawSettings, env: Environment): ParsedSettings {
  const problems: SettingProblem[] = [];
  const problem = (setting: string, message: string) => problems.push({ setting, message });

  const text = (value: unknown, setting: string): string => {
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') {
      problem(setting, `${setting} must be a string, not ${JSON.stringify(value)}`);
      return '';
    }
    return value.trim();
  };

  // The compiler: as given, else `openopt` on PATH.
  let compilerPath: string | null = null;
  const compilerText = text(raw.compilerPath, SETTING.compilerPath);
  if (compilerText) {
    const file = expandPath(compilerText, env);
    if (file === null) problem(SETTING.compilerPath, `${SETTING.compilerPath}: "${compilerText}" is relative but no folder is open; give an absolute path`);
    else if (!env.isFile(file)) problem(SETTING.compilerPath, `${SETTING.compilerPath}: ${file} does not exist`);
    else if (!env.isExecutable(file)) problem(SETTING.compilerPath, `${SETTING.compilerPath}: ${file} is not executable`);
    else compilerPath = file;
  } else {
    compilerPath = findOnPath('openopt', env);
    if (!compilerPath) problem(SETTING.compilerPath, `${SETTING.compilerPath} is empty and no openopt is on PATH; set it to the openopt executable (e.g. build/bin/openopt)`);
  }

  // The daemon: as given, else beside the compiler, else on PATH.
  let daemonPath: string | null = null;
  const daemonText = text(raw.daemonPath, SETTING.daemonPath);
  if (daemonText) {
    const file = expandPath(daemonText, env);
    if (file === null) problem(SETTING.daemonPath, `${SETTING.daemonPath}: "${daemonText}" is relative but no folder is open; give an absolute path`);
    else if (!env.isFile(file)) problem(SETTING.daemonPath, `${SETTING.daemonPath}: ${file} does not exist`);
    else if (!env.isExecutable(file)) problem(SETTING.daemonPath, `${SETTING.daemonPath}: ${file} is not executable`);
    else daemonPath = file;
  } else {
    const beside = compilerPath ? path.join(path.dirname(compilerPath), 'openoptd') : null;
    daemonPath = beside && env.isExecutable(beside) ? beside : findOnPath('openoptd', env);
    if (!daemonPath) problem(SETTING.daemonPath, `${SETTING.daemonPath} is empty and no openoptd is beside openopt or on PATH; set it to the openoptd executable (e.g. build/bin/openoptd)`);
  }

  const remoteText = text(raw.remoteUrl, SETTING.remoteUrl);
  let remoteUrl: string | null = null;
  if (remoteText) {
    const checked = checkRemoteUrl(remoteText);
    if ('problem' in checked) problem(SETTING.remoteUrl, `${SETTING.remoteUrl}: ${checked.problem}`);
    else remoteUrl = checked.url;
  }

  let threads: number | null = null;
  if (raw.threads !== undefined && raw.threads !== null && raw.threads !== '') {
    const n = typeof raw.threads === 'string' && /^\s*\d+\s*$/.test(raw.threads) ? Number(raw.threads) : raw.threads;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 256)
      problem(SETTING.threads, `${SETTING.threads} must be a whole number from 1 to 256 (or empty for the recipe's own), not ${JSON.stringify(raw.threads)}`);
    else threads = n;
  }

  let iterations = 10;
  if (raw.iterations !== undefined && raw.iterations !== null) {
    const n = raw.iterations;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10000)
      problem(SETTING.iterations, `${SETTING.iterations} must be a whole number from 1 to 10000, not ${JSON.stringify(n)}`);
    else iterations = n;
  }

  let recipe: string | null = null;
  const recipeText = text(raw.recipe, SETTING.recipe);
  if (recipeText) {
    const file = expandPath(recipeText, env);
    if (file === null) problem(SETTING.recipe, `${SETTING.recipe}: "${recipeText}" is relative but no folder is open; give an absolute path`);
    else if (!env.isFile(file)) problem(SETTING.recipe, `${SETTING.recipe}: ${file} does not exist`);
    else recipe = file;
  }

  let lspMode: LspMode = 'auto';
  if (raw.lspMode !== undefined && raw.lspMode !== null && raw.lspMode !== '') {
    if (raw.lspMode === 'auto' || raw.lspMode === 'stdio' || raw.lspMode === 'daemon') lspMode = raw.lspMode;
    else problem(SETTING.lspMode, `${SETTING.lspMode} must be "auto", "stdio" or "daemon", not ${JSON.stringify(raw.lspMode)}`);
  }

  return { settings: { compilerPath, daemonPath, remoteUrl, threads, recipe, lspMode, iterations }, problems };
}

/** ws://host:port[/prefix] with nothing after; the token is kept elsewhere. */
export function checkRemoteUrl(text: string): { url: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `"${text}" is not a URL; write it like ws://host:8787 or wss://host:8787` };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    return { problem: `"${text}" starts with ${url.protocol}// but the daemon is reached over WebSocket: use ws:// (or wss:// with TLS), e.g. ws://${url.host || 'host:8787'}` };
  if (!url.hostname) return { problem: `"${text}" names no host` };
  if (url.searchParams.has('token'))
    return { problem: `leave the token out of the address (settings are plain text); set it with the command "OpenOptimizer: Set remote token"` };
  if (url.search || url.hash) return { problem: `"${text}" has a query or fragment; give only ws://host:port` };
  if (url.username || url.password) return { problem: `"${text}" has a user name or password; the daemon takes a token instead` };
  // A path is kept as a prefix (a daemon behind a proxy); /api and /lsp are appended.
  const prefix = url.pathname.replace(/\/+$/, '');
  if (prefix.endsWith('/api') || prefix.endsWith('/lsp'))
    return { problem: `"${text}" ends in ${prefix.slice(-4)}; give the daemon's address without it (ws://host:port)` };
  return { url: `${url.protocol}//${url.host}${prefix}` };
}

/** Absolute path with ~ and ${workspaceFolder} expanded; relative paths are taken from the workspace folder. */
export function expandPath(text: string, env: Environment): string | null {
  let p = text;
  if (p.includes('${workspaceFolder}')) {
    if (!env.workspaceFolder) return null;
    p = p.split('${workspaceFolder}').join(env.workspaceFolder);
  }
  if (p === '~' || p.startsWith('~/')) p = path.join(env.home, p.slice(1));
  if (path.isAbsolute(p)) return path.normalize(p);
  return env.workspaceFolder ? path.join(env.workspaceFolder, p) : null;
}

export function findOnPath(name: string, env: Environment): string | null {
  for (const dir of env.pathDirs) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (env.isExecutable(file)) return file;
  }
  return null;
}

// ---------------------------------------------------------------- connections

/** How the language server is reached. */
export type LspPlan = { kind: 'stdio'; command: string } | { kind: 'daemon' };
/** Which daemon runs jobs. */
export type DaemonPlan = { kind: 'local'; command: string } | { kind: 'remote'; url: string };

export interface ConnectionPlan {
  lsp: LspPlan | null;
  daemon: DaemonPlan | null;
  /** What stops the language server (shown at once). */
  lspProblems: SettingProblem[];
  /** What stops daemon commands: Run, Show graph, Show passes, Profile (shown when one is used). */
  daemonProblems: SettingProblem[];
}

/**
 * The connections the settings ask for: a remote daemon when remoteUrl is set,
 * else a local one started on demand; the language server over stdio (auto,
 * without a remote) or through the daemon's WS /lsp.
 */
export function planConnections(parsed: ParsedSettings): ConnectionPlan {
  const { settings, problems } = parsed;
  const about = (...settings: string[]) => problems.filter((p) => settings.includes(p.setting));
  const remoteBroken = about(SETTING.remoteUrl).length > 0;

  let daemon: DaemonPlan | null = null;
  const daemonProblems: SettingProblem[] = [...about(SETTING.remoteUrl)];
  if (settings.remoteUrl) daemon = { kind: 'remote', url: settings.remoteUrl };
  else if (!remoteBroken) {
    if (settings.daemonPath) daemon = { kind: 'local', command: settings.daemonPath };
    else daemonProblems.push(...about(SETTING.daemonPath));
  }
  // Settings that only shape jobs stop the daemon commands too.
  daemonProblems.push(...about(SETTING.threads, SETTING.recipe, SETTING.iterations));

  const lspProblems: SettingProblem[] = [...about(SETTING.lspMode)];
  // A remote address that does not work leaves the language server local (it
  // needs no daemon); the daemon commands say what is wrong with the address.
  const throughDaemon = settings.lspMode === 'daemon' || (settings.lspMode === 'auto' && settings.remoteUrl !== null);
  let lsp: LspPlan | null = null;
  if (throughDaemon) {
    if (daemon) lsp = { kind: 'daemon' };
    else lspProblems.push(...daemonProblems.filter((p) => p.setting === SETTING.remoteUrl || p.setting === SETTING.daemonPath));
  } else if (settings.compilerPath) {
    lsp = { kind: 'stdio', command: settings.compilerPath };
  } else {
    lspProblems.push(...about(SETTING.compilerPath));
  }
  return { lsp, daemon, lspProblems, daemonProblems };
}

/** Every problem of a plan once, for a single message. */
export function allProblems(plan: ConnectionPlan): SettingProblem[] {
  const seen = new Set<string>();
  return [...plan.lspProblems, ...plan.daemonProblems].filter((p) => (seen.has(p.message) ? false : (seen.add(p.message), true)));
}
