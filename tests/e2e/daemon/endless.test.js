// A model that runs (nearly) forever: a Loop of 10^15 trips. Through the
// daemon its run can be cancelled, and --job-timeout ends it; either way the
// job ends cleanly, no compiler process stays behind and the daemon stays
// healthy.
//   node --test tests/e2e/daemon/endless.test.js
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { RpcClient } = require('./daemon');
const { check } = require('./schemas');
const { startDaemon, waitFor, childPids, endlessLoopModel } = require('./testutil');

async function compiledOn(client, bytes) {
  const imported = await client.job('model/import', { name: 'endless.onnx', data: bytes.toString('base64') });
  assert.equal(imported.done.state, 'done', JSON.stringify(imported.done.error));
  const compiled = await client.job('compile/start', { model: imported.done.result.model.id });
  assert.equal(compiled.done.state, 'done', JSON.stringify(compiled.done.error));
  return compiled.done.result.compile.id;
}

test('a run that loops for ever is cancelled through job/cancel', async (t) => {
  const daemon = await startDaemon();
  t.after(() => daemon.stop());
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  t.after(() => client.close());
  const compile = await compiledOn(client, endlessLoopModel());
  const started = await client.call('run/start', { compile, iterations: 1 });
  await waitFor(() => client.notifications.some((n) => n.method === 'job/progress' && n.params.job === started.job &&
                                                     n.params.progress > 0),
  { timeoutMs: 30000, intervalMs: 20, what: 'the run to start' });
  // Let the compiled loop spin for a moment, then stop it.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const cancelled = check('job/cancel', 'result', await client.call('job/cancel', { job: started.job }));
  assert.equal(cancelled.job.state, 'cancelled');
  assert.equal(cancelled.job.error.code, -32011);
  assert.equal((await client.waitJob(started.job, 10000)).state, 'cancelled');
  await waitFor(() => (childPids(daemon.proc.pid) || []).length === 0, { timeoutMs: 5000, what: 'no process left' });
  assert.ok(await daemon.healthy());
});

test('a run that loops for ever ends at --job-timeout', async (t) => {
  const daemon = await startDaemon({ args: ['--job-timeout', '3'] });
  t.after(() => daemon.stop());
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  t.after(() => client.close());
  const compile = await compiledOn(client, endlessLoopModel());
  const t0 = Date.now();
  const run = await client.job('run/start', { compile, iterations: 1 });
  assert.equal(run.done.state, 'failed');
  assert.equal(run.done.error.code, -32012, run.done.error.message);
  assert.match(run.done.error.message, /exceeded the job time limit of 3 s/);
  assert.ok(Date.now() - t0 < 30000, `ended after ${Date.now() - t0} ms`);
  await waitFor(() => (childPids(daemon.proc.pid) || []).length === 0, { timeoutMs: 5000, what: 'no process left' });
  assert.ok(await daemon.healthy());
});
