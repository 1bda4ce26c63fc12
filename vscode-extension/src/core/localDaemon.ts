// A local openoptd started by the extension: on a free port, with its data
// and token file in the extension's storage; its output goes to the log line
// by line. Start-up has a time limit; an exit is described in words.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LocalDaemonOptions {
  command: string;
  /** The daemon's database and token live here. */
  dataDir: string;
  /** The openopt whose language server WS /lsp runs (openoptd --compiler). */
  compilerPath?: string | null;
  log: (line: string) => void;
  startTimeoutMs?: number;
  extraArgs?: string[];
}

export interface RunningDaemon {
  /** http://127.0.0.1:PORT */
  base: string;
  token: string;
  pid: number;
}

/** The port of `openoptd listening on http://127.0.0.1:PORT/`, or null. */
export function parseListening(text: string): { base: string } | null {
  const m = /openoptd listening on (https?):\/\/([^\s/]+)\/?/.exec(text);
  return m ? { base: `${m[1]}://${m[2]}` } : null;
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGKILL') return 'was killed (SIGKILL)';
  if (signal) return `ended by signal ${signal}`;
  return code === 0 ? 'exited' : `exited with status ${code}`;
}

export function daemonArgs(options: LocalDaemonOptions): string[] {
  const args = ['--data-dir', path.join(options.dataDir, 'db'), '--token-file', path.join(options.dataDir, 'admin.token'), '--port', '0'];
  if (options.compilerPath) args.push('--compiler', options.compilerPath);
  return [...args, ...(options.extraArgs ?? [])];
}

export class LocalDaemon {
  private proc: ChildProcess | null = null;
  private exitListeners = new Set<(description: string) => void>();
  private stopping = false;

  constructor(private readonly options: LocalDaemonOptions) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Called when the daemon ends without stop() (crash, kill, exit). */
  onExit(listener: (description: string) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  start(): Promise<RunningDaemon> {
    if (this.proc) return Promise.reject(new Error('openoptd is already running'));
    const { options } = this;
    fs.mkdirSync(options.dataDir, { recursive: true });
    const args = daemonArgs(options);
    options.log(`starting ${options.command} ${args.join(' ')}`);
    this.stopping = false;
    const proc = spawn(options.command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    // Should the extension host end without stopping it, the daemon ends too.
    const orphanGuard = () => proc.kill('SIGTERM');
    process.once('exit', orphanGuard);
    const tail: string[] = [];
    const lines = (prefix: string, onLine?: (line: string) => void) => {
      let rest = '';
      return (chunk: Buffer) => {
        rest += chunk.toString('utf8');
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) {
          options.log(`${prefix}${line}`);
          tail.push(line);
          if (tail.length > 20) tail.shift();
          onLine?.(line);
        }
      };
    };
    return new Promise<RunningDaemon>((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(message + (tail.length ? `\n${tail.slice(-8).join('\n')}` : '')));
      };
      const timer = setTimeout(() => {
        fail(`openoptd did not start within ${Math.round((options.startTimeoutMs ?? 20_000) / 1000)} s`);
        proc.kill('SIGKILL');
      }, options.startTimeoutMs ?? 20_000);
      proc.stdout!.on('data', lines('[openoptd] ', (line) => {
        const listening = parseListening(line);
        if (!listening || settled) return;
        let token: string;
        try {
          token = fs.readFileSync(path.join(options.dataDir, 'admin.token'), 'utf8').trim();
        } catch (e) {
          fail(`openoptd started but its token file could not be read: ${(e as Error).message}`);
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ base: listening.base, token, pid: proc.pid ?? 0 });
      }));
      proc.stderr!.on('data', lines('[openoptd] '));
      proc.on('error', (e) => {
        process.removeListener('exit', orphanGuard);
        this.proc = null;
        fail(`could not start ${options.command}: ${e.message}`);
      });
      proc.on('exit', (code, signal) => {
        process.removeListener('exit', orphanGuard);
        if (this.proc === proc) this.proc = null;
        const description = `openoptd ${describeExit(code, signal)}`;
        options.log(description);
        if (!settled) {
          fail(description);
          return;
        }
        if (!this.stopping) for (const l of [...this.exitListeners]) l(description);
      });
    });
  }

  /** SIGTERM, then SIGKILL if it has not ended after graceMs. */
  async stop(graceMs = 3000): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.stopping = true;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
