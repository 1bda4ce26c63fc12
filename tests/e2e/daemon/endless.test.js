// A model that runs (nearly) forever: a Loop of 10^15 trips. Through the
// daemon its run can be cancelled, and --job-timeout ends it; either way the
// job ends cleanly, no compiler process stays behind and the daemon stays
// healthy.
//   node --test tests/e2e/daemon/endless.test.js
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RpcClient } = require('./daemon');
const { check } = require('./schemas');
const { startDaemon, waitFor, childPids } = require('./testutil');

/** v = v + 1, 10^15 times: correct, and longer than anyone waits. */
function endlessLoopModel() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-endless-'));
  const file = path.join(dir, 'endless.onnx');
  execFileSync('/usr/bin/python3', ['-c', `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto as T
one = helper.make_node("Constant", [], ["one"], value=numpy_helper.from_array(np.array([1.0], np.float32)))
body = helper.make_graph(
    [one, helper.make_node("Add", ["v_in", "one"], ["v_out"]), helper.make_node("Identity", ["c_in"], ["c_out"])],
    "body", [helper.make_tensor_value_info("i", T.INT64, []), helper.make_tensor_value_info("c_in", T.BOOL, []),
             helper.make_tensor_value_info("v_in", T.FLOAT, [1])],
    [helper.make_tensor_value_info("c_out", T.BOOL, []), helper.make_tensor_value_info("v_out", T.FLOAT, [1])])
trips = numpy_helper.from_array(np.array(10**15, np.int64), "trips")
start = numpy_helper.from_array(np.array([0.0], np.float32), "start")
graph = helper.make_graph([helper.make_node("Loop", ["trips", "", "start"], ["v"], body=body, name="forever")],
                          "endless", [], [helper.make_tensor_value_info("v", T.FLOAT, [1])], initializer=[trips, start])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, sys.argv[1])
`, file]);
  const bytes = fs.readFileSync(file);
  fs.rmSync(dir, { recursive: true, force: true });
  return bytes;
}

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
