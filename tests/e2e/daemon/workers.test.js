// Jobs run in warm openopt-worker processes. A cold compile is one worker
// request (the model through the graph passes to the object file, no IR text
// between processes) with the recipe parsed once, by the daemon; a worker
// killed mid-job fails that job with the signal named, the daemon stays
// healthy and the next job runs on a fresh worker.
//   node --test tests/e2e/daemon/workers.test.js
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { RpcClient, benchModels } = require('./daemon');
const { startDaemon, waitFor, childPids, endlessLoopModel } = require('./testutil');

/** name{labels} value lines of GET /metrics, as a map. */
async function metrics(daemon) {
  const text = await (await daemon.get('/metrics')).text();
  const out = new Map();
  for (const line of text.split('\n'))
    if (line && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  return out;
}

function delta(before, after, key) {
  return (after.get(key) || 0) - (before.get(key) || 0);
}

async function importModel(client, name, bytes) {
  const imported = await client.job('model/import', { name, data: bytes.toString('base64') });
  assert.equal(imported.done.state, 'done', JSON.stringify(imported.done.error));
  return imported.done.result.model.id;
}

test('a cold resnet18w48 compile is one worker round trip with the recipe parsed once', async (t) => {
  const daemon = await startDaemon();
  t.after(() => daemon.stop());
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  t.after(() => client.close());
  const model = await importModel(client, 'resnet18w48.onnx', fs.readFileSync(path.join(benchModels, 'resnet18w48.onnx')));
  const before = await metrics(daemon);
  const compiled = await client.job('compile/start', { model });
  assert.equal(compiled.done.state, 'done', JSON.stringify(compiled.done.error));
  assert.equal(compiled.done.result.compile.cache, 'miss');
  const after = await metrics(daemon);
  let calls = 0;
  for (const [key, value] of after)
    if (key.startsWith('openopt_worker_calls_total')) calls += value - (before.get(key) || 0);
  assert.equal(calls, 1, 'worker requests during the compile');
  assert.equal(delta(before, after, 'openopt_worker_calls_total{method="compile",outcome="ok"}'), 1);
  assert.equal(delta(before, after, 'openopt_recipe_parses_total'), 1, 'recipe parses during the compile');
  assert.equal(delta(before, after, 'openopt_workers_started_total'), 0, 'the import\'s worker stayed warm');
  const summary = compiled.done.result.compile;
  assert.ok(summary.artifacts.object && summary.artifacts.graphIR && summary.artifacts.record);
  assert.ok(summary.passCount > 5 && summary.opsAfterGraphPasses < summary.opsBefore);
});

for (const signal of ['SIGKILL', 'SIGSEGV']) {
  test(`a worker killed with ${signal} mid-job fails that job, and the next job gets a fresh worker`, async (t) => {
    const daemon = await startDaemon();
    t.after(() => daemon.stop());
    const client = await RpcClient.connect(daemon.ws, daemon.token);
    t.after(() => client.close());
    const endless = await importModel(client, 'endless.onnx', endlessLoopModel());
    const compiled = await client.job('compile/start', { model: endless });
    assert.equal(compiled.done.state, 'done', JSON.stringify(compiled.done.error));
    const started = await client.call('run/start', { compile: compiled.done.result.compile.id, iterations: 1 });
    await waitFor(() => client.notifications.some((n) => n.method === 'job/progress' && n.params.job === started.job &&
                                                       n.params.progress > 0),
    { timeoutMs: 30000, intervalMs: 20, what: 'the run to start' });
    const workers = childPids(daemon.proc.pid) || [];
    assert.equal(workers.length, 1, `one worker (children: ${workers})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await metrics(daemon);
    process.kill(workers[0], signal);
    const done = await client.waitJob(started.job, 20000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error.code, -32014, done.error.message);
    assert.match(done.error.message, new RegExp(`killed by signal ${signal}`));
    assert.ok(await daemon.healthy());

    const tiny = await importModel(client, 'tiny.onnx', fs.readFileSync(path.join(benchModels, 'tiny_conv_mm.onnx')));
    const next = await client.job('compile/start', { model: tiny });
    assert.equal(next.done.state, 'done', JSON.stringify(next.done.error));
    const after = await metrics(daemon);
    assert.equal(delta(before, after, 'openopt_worker_calls_total{method="run",outcome="crashed"}'), 1);
    assert.equal(delta(before, after, 'openopt_workers_started_total'), 1, 'a fresh worker replaced the killed one');
    assert.ok(!(childPids(daemon.proc.pid) || []).includes(workers[0]));
  });
}

test('a worker that has grown past --worker-retire-mib is replaced between jobs', async (t) => {
  const daemon = await startDaemon({ args: ['--worker-retire-mib', '1'] });
  t.after(() => daemon.stop());
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  t.after(() => client.close());
  const before = await metrics(daemon);
  const tiny = fs.readFileSync(path.join(benchModels, 'tiny_conv_mm.onnx'));
  const model = await importModel(client, 'tiny.onnx', tiny);
  const compiled = await client.job('compile/start', { model });
  assert.equal(compiled.done.state, 'done', JSON.stringify(compiled.done.error));
  const after = await metrics(daemon);
  // Every worker is over 1 MiB after its first request: each job got a new one.
  assert.equal(delta(before, after, 'openopt_workers_started_total'), 2);
  assert.equal(delta(before, after, 'openopt_worker_calls_total{method="compile",outcome="ok"}'), 1);
  await waitFor(() => (childPids(daemon.proc.pid) || []).length === 0, { timeoutMs: 10000, what: 'retired workers reaped' });
});
