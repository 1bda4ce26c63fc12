import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDaemon, daemonArgs, describeExit, parseListening } from '../src/core/localDaemon';
import { until } from './fakeDaemon';

const dirs: string[] = [];
const daemons: LocalDaemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop(500);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** An executable standing in for openoptd: writes the token file, prints the address, then does `behaviour`. */
function fakeOpenoptd(behaviour: string): { command: string; dataDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-ext-test-'));
  dirs.push(dir);
  const command = path.join(dir, 'openoptd');
  fs.writeFileSync(command, `#!${process.execPath}
const args = process.argv.slice(2);
const tokenFile = args[args.indexOf('--token-file') + 1];
require('node:fs').writeFileSync(tokenFile, 'tok3n\\n');
console.error('2026-01-01 info config settings="..."');
${behaviour}
`, { mode: 0o755 });
  return { command, dataDir: path.join(dir, 'data') };
}

describe('local daemon', () => {
  it('parses the address it prints', () => {
    expect(parseListening('openoptd listening on http://127.0.0.1:38783/')).toEqual({ base: 'http://127.0.0.1:38783' });
    expect(parseListening('openoptd listening on https://[::1]:8787/')).toEqual({ base: 'https://[::1]:8787' });
    expect(parseListening('something else')).toBeNull();
  });

  it('describes exits', () => {
    expect(describeExit(null, 'SIGKILL')).toBe('was killed (SIGKILL)');
    expect(describeExit(null, 'SIGSEGV')).toBe('ended by signal SIGSEGV');
    expect(describeExit(3, null)).toBe('exited with status 3');
  });

  it('passes its data dir, token file, a free port and the compiler', () => {
    expect(daemonArgs({ command: 'openoptd', dataDir: '/s/daemon', compilerPath: '/b/openopt', log: () => {} })).toEqual(['--data-dir', '/s/daemon/db', '--token-file', '/s/daemon/admin.token', '--port', '0', '--compiler', '/b/openopt']);
  });

  it('starts, reads the token, logs its output, reports an exit it did not ask for', async () => {
    const { command, dataDir } = fakeOpenoptd(`console.log('openoptd listening on http://127.0.0.1:4321/'); setInterval(() => {}, 1000);`);
    const lines: string[] = [];
    const d = new LocalDaemon({ command, dataDir, log: (l) => lines.push(l) });
    daemons.push(d);
    const running = await d.start();
    expect(running).toMatchObject({ base: 'http://127.0.0.1:4321', token: 'tok3n' });
    expect(lines).toContain('[openoptd] 2026-01-01 info config settings="..."');
    const exits: string[] = [];
    d.onExit((why) => exits.push(why));
    process.kill(running.pid, 'SIGKILL');
    await until(() => exits.length === 1);
    expect(exits).toEqual(['openoptd was killed (SIGKILL)']);
  });

  it('stop() is not reported as a crash', async () => {
    const { command, dataDir } = fakeOpenoptd(`console.log('openoptd listening on http://127.0.0.1:4321/'); setInterval(() => {}, 1000);`);
    const d = new LocalDaemon({ command, dataDir, log: () => {} });
    const exits: string[] = [];
    d.onExit((why) => exits.push(why));
    await d.start();
    await d.stop();
    expect(exits).toEqual([]);
    expect(d.pid).toBeUndefined();
  });

  it('an exit during start-up fails the start with its last lines', async () => {
    const { command, dataDir } = fakeOpenoptd(`console.error('error: cannot open database'); process.exit(2);`);
    const d = new LocalDaemon({ command, dataDir, log: () => {} });
    await expect(d.start()).rejects.toThrow(/openoptd exited with status 2\n[^]*error: cannot open database/);
  });

  it('a daemon that never says where it listens is given up on', async () => {
    const { command, dataDir } = fakeOpenoptd(`setInterval(() => {}, 1000);`);
    const d = new LocalDaemon({ command, dataDir, log: () => {}, startTimeoutMs: 300 });
    daemons.push(d);
    await expect(d.start()).rejects.toThrow(/did not start within 0 s/);
  });

  it('a missing executable is said plainly', async () => {
    const d = new LocalDaemon({ command: '/nonexistent/openoptd', dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-ext-test-')), log: () => {} });
    await expect(d.start()).rejects.toThrow(/could not start \/nonexistent\/openoptd: spawn \/nonexistent\/openoptd ENOENT/);
  });
});
