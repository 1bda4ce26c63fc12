// The device picker of the web UI against a real openoptd with a real
// openopt-agent (--agent gpu1=URL) and one that is down: the picker lists the
// daemon's CPU, the agent's devices and the unreachable agent (not offered);
// a run on the agent's CPU goes through the daemon to the agent and back; its
// profile is refused with the daemon's reason, shown in the panel. (A GPU
// agent is the same path with a cuda compile; this machine has no GPU.)
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startDaemon, RpcClient, benchModels, repo } = require('../daemon/daemon.js');
const { launch, watchConsole, artefactDir } = require('./browser.js');

const tiny = path.join(benchModels, 'tiny_conv_mm.onnx');

async function startAgent(dir) {
  const tokenFile = path.join(dir, 'agent.token');
  fs.writeFileSync(tokenFile, `agent-${Math.random().toString(16).slice(2)}-${Date.now()}\n`);
  const proc = spawn('/usr/bin/python3', ['-m', 'openopt.agent', '--port', '0', '--token-file', tokenFile,
    '--data', path.join(dir, 'agent-data')], {
    env: { ...process.env, PYTHONPATH: path.join(repo, 'python') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the agent did not start')), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the agent exited (${code})`)); });
  });
  return { proc, url, tokenFile };
}

test('the device picker runs on an agent through the daemon', { timeout: 600_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-devices-'));
  const agent = await startAgent(dir);
  const daemon = await startDaemon({
    dataDir: path.join(dir, 'daemon'),
    args: ['--agent', `gpu1=${agent.url}`, '--agent-token-file', `gpu1=${agent.tokenFile}`,
      '--agent', 'down=http://127.0.0.1:1', '--agent-token-file', `down=${agent.tokenFile}`],
  });
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await daemon.stop();
    agent.proc.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The model and a compile with a model library (what an agent runs), made
  // through the API as a script would.
  const rpc = await RpcClient.connect(daemon.ws, daemon.token);
  const imported = await rpc.call('model/import', { name: 'tiny_conv_mm.onnx', data: fs.readFileSync(tiny).toString('base64') });
  await rpc.waitJob(imported.job);
  const started = await rpc.call('compile/start', {
    model: imported.model, recipeName: 'library.recipe.json',
    recipe: JSON.stringify({ target: { kind: 'cpu' }, outputs: { sharedLibrary: true } }),
  });
  await rpc.waitJob(started.job);

  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  const consoleWatch = watchConsole(page);
  await page.goto(`${daemon.http}/?token=${daemon.token}&model=tiny_conv_mm.onnx`);
  await page.waitForSelector('body[data-ready=true]');
  await page.click('[role=tab]:has-text("Run & profile")');
  await page.waitForFunction(() => document.querySelectorAll('#run-device option').length >= 3);
  const options = await page.$$eval('#run-device option', (os) => os.map((o) => ({ value: o.value, text: o.textContent, disabled: o.disabled })));
  const byId = Object.fromEntries(options.map((o) => [o.value, o]));
  assert.match(byId.cpu.text, /^cpu: .* \(this daemon\)$/);
  assert.match(byId['gpu1/cpu'].text, /^gpu1\/cpu: x86_64 \(agent gpu1\)$/);
  assert.ok(byId['down/'].disabled && /unreachable: cannot reach the agent/.test(byId['down/'].text), byId['down/'].text);

  await page.waitForFunction(() => !document.querySelector('.runs button.primary').disabled);
  await page.selectOption('#run-device', 'gpu1/cpu');
  await page.fill('#run-iterations', '3');
  await page.click('button:has-text("Run and profile")');
  await page.waitForFunction(() => /Profile failed/.test(document.querySelector('.runs .message').textContent), null, { timeout: 120_000 });
  assert.match(await page.textContent('.run-summary'), /^On gpu1\/cpu: latency median [\d.]+ ms/);
  assert.equal(await page.getAttribute('.runs', 'data-samples'), '3');
  assert.match(await page.textContent('.runs .message'), /an agent's CPU times whole runs only/);
  await page.screenshot({ path: path.join(artefactDir(), 'devices-agent-run.png') });
  assert.deepEqual(consoleWatch.errors, []);
});
