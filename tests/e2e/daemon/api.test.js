// The API end to end: import -> compile -> passes -> diff -> IR -> run
// against the real daemon, checked against the CLI's results and the
// schemas; an identical second compile is a cache hit.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startDaemon, RpcClient, runCli, runCliAsync, benchModels } = require('./daemon');
const { check, ajv } = require('./schemas');
const { writeNpyF32, npyData, randomF32 } = require('./npy');

const tiny = path.join(benchModels, 'tiny_conv_mm.onnx');
const resnet = path.join(benchModels, 'resnet18w48.onnx');

test('import, compile, passes, diff, IR and run match the CLI; a second compile is a cache hit', async (t) => {
  const daemon = await startDaemon();
  t.after(() => daemon.stop());
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  t.after(() => client.close());

  const info = check('server/info', 'result', await client.call('server/info'));
  assert.equal(info.role, 'admin');
  assert.ok(info.methods.includes('compile/start'));

  // Import: base64 for the tiny model, a binary message for resnet.
  const tinyBytes = fs.readFileSync(tiny);
  const tinyImport = await client.job('model/import', { name: 'tiny_conv_mm.onnx', data: tinyBytes.toString('base64') });
  check('model/import', 'result', tinyImport.started);
  assert.equal(tinyImport.done.state, 'done', JSON.stringify(tinyImport.done.error));
  const tinyModel = check('model/import', 'jobResult', tinyImport.done.result).model;
  assert.deepEqual(tinyModel.inputs, [{ name: 'input', dtype: 'f32', shape: [1, 3, 8, 8] }]);
  assert.equal(tinyModel.opCount, 5);

  const resnetBytes = fs.readFileSync(resnet);
  const request = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 'bin', method: 'model/import', params: { name: 'resnet18w48.onnx', binary: true } }));
  const binaryReply = new Promise((resolve) => client.pending.set('bin', resolve));
  client.socket.send(Buffer.concat([request, Buffer.from([0]), resnetBytes]), { binary: true });
  const resnetStarted = (await binaryReply).result;
  const resnetDone = await client.waitJob(resnetStarted.job);
  assert.equal(resnetDone.state, 'done', JSON.stringify(resnetDone.error));
  const resnetModel = resnetDone.result.model;
  assert.equal(resnetModel.id, resnetStarted.model);

  // Importing the same bytes again finds the stored model.
  const again = await client.job('model/import', { name: 'again.onnx', data: tinyBytes.toString('base64') });
  assert.equal(again.done.result.existing, true);

  const list = check('model/list', 'result', await client.call('model/list'));
  assert.deepEqual(list.models.map((m) => m.id).sort(), [tinyModel.id, resnetModel.id].sort());
  check('model/get', 'result', await client.call('model/get', { model: tinyModel.id }));
  const graph = check('model/graph', 'result', await client.call('model/graph', { model: resnetModel.id }));
  assert.ok(graph.graph.nodes.some((n) => n.onnxOp === 'BatchNormalization'));

  // Compile resnet with the built-in recipe.
  const first = await client.job('compile/start', { model: resnetModel.id });
  check('compile/start', 'result', first.started);
  assert.equal(first.started.cache, 'miss');
  assert.equal(first.done.state, 'done', JSON.stringify(first.done.error));
  const compiled = check('compile/start', 'jobResult', first.done.result).compile;
  assert.equal(compiled.cache, 'miss');
  assert.ok(compiled.artifacts.object.bytes > 1000);
  assert.ok(compiled.opsAfterGraphPasses < compiled.opsBefore);

  // Passes and the BatchNormalization-folding diff.
  const passes = check('compile/passes', 'result', await client.call('compile/passes', { compile: compiled.id }));
  assert.equal(passes.passes.length, compiled.passCount);
  const fold = passes.passes.find((p) => p.argument === 'openopt-fold-batchnorm');
  assert.ok(fold && fold.changed, 'fold-batchnorm changed the IR');
  assert.ok(passes.passes.some((p) => p.argument.includes('convert-nn-to-linalg')), 'lowering passes are in the record');
  const changedOnly = await client.call('compile/passes', { compile: compiled.id, onlyChanged: true });
  assert.ok(changedOnly.passes.every((p) => p.changed) && changedOnly.passes.length < passes.passes.length);
  const diff = check('compile/diff', 'result', await client.call('compile/diff', { compile: compiled.id, pass: fold.index }));
  assert.equal(diff.functions.length, 1);
  assert.match(diff.functions[0].diff, /^-.*nn\.batch_norm/m);
  const folded = diff.functions[0].ops.filter((o) => o.kind === 'replaced');
  assert.equal(folded.length, 20);
  assert.ok(folded.every((o) => o.op === 'nn.conv' && o.from.some((f) => f.op === 'nn.batch_norm')));

  const graphAfter = check('model/graph', 'result', await client.call('model/graph', { model: resnetModel.id, compile: compiled.id }));
  assert.ok(!graphAfter.graph.nodes.some((n) => n.onnxOp === 'BatchNormalization'));
  assert.ok(graphAfter.graph.nodes.some((n) => /Conv\+.*BatchNormalization/.test(n.id)), 'folded nodes keep their ONNX names');

  // One graph pass at a time: after the fold, BatchNormalization is gone but nothing is fused yet.
  const afterFold = check('model/graph', 'result', await client.call('model/graph', { model: resnetModel.id, compile: compiled.id, after: 'openopt-fold-batchnorm' }));
  assert.equal(afterFold.graph.after, 'openopt-fold-batchnorm');
  assert.ok(!afterFold.graph.nodes.some((n) => n.onnxOp === 'BatchNormalization'));
  assert.ok(!afterFold.graph.nodes.some((n) => n.op === 'nn.fused'));
  assert.ok(graphAfter.graph.nodes.some((n) => n.op === 'nn.fused'));
  await assert.rejects(client.call('model/graph', { model: resnetModel.id, compile: compiled.id, after: 'openopt-no-such-pass' }),
    (e) => /has no such pass/.test(e.message));
  await assert.rejects(client.call('model/graph', { model: resnetModel.id, after: 'cse' }), (e) => e.rpc.code === -32602 && /\/after/.test(e.message));

  const before = check('compile/ir', 'result', await client.call('compile/ir', { compile: compiled.id, pass: -1 }));
  const after = check('compile/ir', 'result', await client.call('compile/ir', { compile: compiled.id, pass: fold.index }));
  assert.match(before.ir, /nn\.batch_norm/);
  assert.doesNotMatch(after.ir, /nn\.batch_norm/);
  // Every op comes with its line in the text: the browser links the IR with the graph by it.
  const irLines = after.ir.split('\n');
  const convs = after.ops.filter((o) => o.op === 'nn.conv');
  assert.equal(convs.length, 20);
  for (const o of after.ops.filter((x) => x.op.startsWith('nn.'))) assert.match(irLines[o.line - 1], new RegExp(`\\b${o.op.replace('.', '\\.')}\\b`), o.id);
  assert.ok(convs.some((o) => /Conv\+.*BatchNormalization/.test(o.id)), 'folded convs carry both ONNX names');

  // Run with a given input: the same outputs as `openopt run` on the CLI.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-run-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const inputSpec = resnetModel.inputs[0];
  const count = inputSpec.shape.reduce((a, b) => a * b, 1);
  const input = randomF32(count, 7);
  fs.writeFileSync(path.join(tmp, 'x.npy'), writeNpyF32(inputSpec.shape, input));
  const run = await client.job('run/start', {
    compile: compiled.id, iterations: 3,
    inputs: { [inputSpec.name]: { dtype: 'f32', shape: inputSpec.shape, data: Buffer.from(input.buffer).toString('base64') } },
  });
  assert.equal(run.done.state, 'done', JSON.stringify(run.done.error));
  const ran = check('run/start', 'jobResult', run.done.result);
  assert.equal(ran.iterations, 3);
  assert.ok(ran.latencyMs.median > 0);
  assert.equal(ran.samplesMs.length, 3, 'one latency per timed run');
  assert.equal([...ran.samplesMs].sort((a, b) => a - b)[1].toFixed(3), ran.latencyMs.median.toFixed(3));
  runCli(['run', resnet, '--input', `${inputSpec.name}=${path.join(tmp, 'x.npy')}`, '--output-dir', path.join(tmp, 'cli')]);
  for (const output of ran.outputs) {
    const cli = npyData(fs.readFileSync(path.join(tmp, 'cli', `${output.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.npy`)));
    assert.ok(Buffer.from(output.data, 'base64').equals(cli), `output ${output.name} equals the CLI's`);
    // The same bytes over HTTP, by content hash, with an ETag.
    const res = await daemon.get(`/artifacts/${output.npy.hash}`);
    assert.equal(res.status, 200);
    assert.ok(npyData(Buffer.from(await res.arrayBuffer())).equals(cli));
    const etag = res.headers.get('etag');
    const cached = await daemon.get(`/artifacts/${output.npy.hash}`, { Authorization: `Bearer ${daemon.token}`, 'If-None-Match': etag });
    assert.equal(cached.status, 304);
  }

  // The identical compile again: served from the cache.
  const second = await client.job('compile/start', { model: resnetModel.id });
  assert.equal(second.started.cache, 'hit');
  assert.equal(second.done.state, 'done');
  const hit = check('compile/start', 'jobResult', second.done.result).compile;
  assert.equal(hit.cache, 'hit');
  assert.notEqual(hit.id, compiled.id);
  assert.deepEqual(hit.artifacts, compiled.artifacts);
  // The hit's record is the same.
  const hitPasses = await client.call('compile/passes', { compile: hit.id });
  assert.equal(hitPasses.passes.length, passes.passes.length);

  // Only code generation changed: the graph passes are reused.
  const recipe = fs.readFileSync(path.join(__dirname, '../../../recipes/default.recipe.json'), 'utf8')
    .replace(/"threads"\s*:\s*\d+/, '"threads": 2');
  assert.match(recipe, /"threads": 2/);
  const codegenOnly = await client.job('compile/start', { model: resnetModel.id, recipe, recipeName: 'two-threads.recipe.json' });
  assert.equal(codegenOnly.started.cache, 'graph');
  assert.equal(codegenOnly.done.result.compile.cache, 'graph');

  // A bad recipe: invalid params with the recipe's line and column.
  const bad = await client.request('compile/start', { model: resnetModel.id, recipe: '{ "target": "cpu",\n  "graph": { "passes": ["openopt-fold-batchnrm"] } }', recipeName: 'bad.recipe.json' });
  assert.equal(bad.error.code, -32602);
  assert.equal(bad.error.data.pointer, '/recipe');
  assert.match(bad.error.data.diagnostics, /bad\.recipe\.json:2:\d+: error: .*did you mean 'openopt-fold-batchnorm'/);

  // Jobs and metrics.
  const jobs = check('job/list', 'result', await client.call('job/list', { kind: 'compile' }));
  assert.equal(jobs.jobs.length, 3);
  const job = check('job/get', 'result', await client.call('job/get', { job: first.started.job }));
  assert.equal(job.job.state, 'done');
  assert.equal(job.job.result.compile.id, compiled.id);
  const tooLarge = await client.request('artifact/get', { hash: compiled.artifacts.graphIR.hash });
  assert.equal(tooLarge.error.code, -32003);
  assert.match(tooLarge.error.message, /GET \/artifacts\//);
  const tinyCompile = await client.job('compile/start', { model: tinyModel.id });
  const tinyIR = tinyCompile.done.result.compile.artifacts.graphIR;
  const artifact = check('artifact/get', 'result', await client.call('artifact/get', { hash: tinyIR.hash }));

  // A profile: per-op table (schemas/profile.schema.json) and a Chrome trace.
  const profiled = await client.job('profile/start', { compile: tinyCompile.done.result.compile.id, iterations: 3 });
  assert.equal(profiled.done.state, 'done', JSON.stringify(profiled.done.error));
  const profile = check('profile/start', 'jobResult', profiled.done.result);
  const validateProfile = ajv.compile(JSON.parse(fs.readFileSync(path.join(__dirname, '../../../schemas/profile.schema.json'), 'utf8')));
  assert.ok(validateProfile(profile.profile), ajv.errorsText(validateProfile.errors));
  assert.ok(profile.profile.ops.some((op) => op.id.includes('/conv/Conv')), JSON.stringify(profile.profile.ops.map((op) => op.id)));
  const percent = profile.profile.ops.reduce((sum, op) => sum + op.percent, 0);
  assert.ok(Math.abs(percent - 100) < 1, `percentages sum to ${percent}`);
  const trace = await (await daemon.get(`/artifacts/${profile.trace.hash}`)).json();
  assert.ok(trace.traceEvents.some((e) => e.ph === 'X' && e.cat === 'op'));
  assert.equal(artifact.encoding, 'text');
  assert.match(artifact.content, /func\.func @main/);
  const metrics = await (await daemon.get('/metrics')).text();
  assert.match(metrics, /openopt_compile_cache_total\{outcome="hit"\} 1/);
  assert.match(metrics, /openopt_compile_cache_total\{outcome="graph"\} 1/);
  assert.match(metrics, /openopt_rpc_requests_total\{method="compile\/start",outcome="ok"\} 4/);
  assert.ok(await daemon.healthy());
});

test('openopt remote compiles on the daemon and reports the cache', async (t) => {
  const daemon = await startDaemon();
  t.after(() => daemon.stop());
  const recipe = path.join(__dirname, '../../../recipes/examples/two-threads.recipe.json');
  const args = ['remote', '--url', `ws://127.0.0.1:${daemon.port}`, '--token', daemon.token, 'compile', tiny, '--recipe', recipe];
  const first = await runCliAsync(args);
  assert.match(first, /compiled tiny_conv_mm\.onnx on ws:\/\/127\.0\.0\.1:\d+: compile [0-9a-f]{32}, cache miss/);
  assert.match(first, /object\s+\d+ bytes\s+\/artifacts\/[0-9a-f]{64}/);
  const second = await runCliAsync(args);
  assert.match(second, /cache hit/);
  const info = JSON.parse(await runCliAsync(['remote', '--url', `ws://127.0.0.1:${daemon.port}`, '--token', daemon.token, 'info']));
  assert.equal(info.name, 'openoptd');
  await assert.rejects(runCliAsync(['remote', '--url', `ws://127.0.0.1:${daemon.port}`, '--token', 'not-the-token', 'info']),
    /refused the connection \(HTTP 401\): the token is not valid/);
});

test('TLS: HTTPS and WSS with --tls-cert/--tls-key', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openoptd-tls-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  require('node:child_process').execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const daemon = await startDaemon({ args: ['--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')] });
  t.after(() => daemon.stop());
  assert.equal(daemon.scheme, 'https');
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  t.after(() => client.close());
  assert.equal((await client.call('server/info')).name, 'openoptd');
  const info = JSON.parse(await runCliAsync(['remote', '--url', `wss://127.0.0.1:${daemon.port}`, '--token', daemon.token, '--insecure', 'info']));
  assert.equal(info.role, 'admin');
  // Without --insecure the self-signed certificate does not verify.
  await assert.rejects(runCliAsync(['remote', '--url', `wss://127.0.0.1:${daemon.port}`, '--token', daemon.token, 'info']), /certificate/);
});

test('a job over the time or memory limit fails cleanly', async (t) => {
  for (const [args, code, pattern] of [
    [['--job-timeout', '1'], -32012, /exceeded the job time limit of 1 s/],
    // 700 MiB: the import of resnet18w48 fits, its compile does not (per-kernel code
    // generation brought its peak under 900).
    [['--job-memory-mib', '700'], -32013, /exceeded the job memory limit of 700 MiB/],
  ]) {
    const daemon = await startDaemon({ args });
    t.after(() => daemon.stop());
    const client = await RpcClient.connect(daemon.ws, daemon.token);
    t.after(() => client.close());
    const imported = await client.job('model/import', { name: 'resnet.onnx', data: fs.readFileSync(resnet).toString('base64') });
    if (imported.done.state !== 'done') {
      // The memory limit may already stop the import; it must say so.
      assert.equal(imported.done.error.code, code, JSON.stringify(imported.done.error));
      continue;
    }
    const compiled = await client.job('compile/start', { model: imported.done.result.model.id });
    assert.equal(compiled.done.state, 'failed', `${args.join(" ")}: ${JSON.stringify(compiled.done).slice(0, 300)}`);
    assert.equal(compiled.done.error.code, code, compiled.done.error.message);
    assert.match(compiled.done.error.message, pattern);
    assert.ok(await daemon.healthy());
  }
});

test('an .mlir model (the IR an editor shows) imports, compiles and runs like its ONNX; bad IR names its line', async (t) => {
  const daemon = await startDaemon();
  t.after(() => daemon.stop());
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  t.after(() => client.close());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-mlir-import-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const irFile = path.join(tmp, 'tiny.mlir');
  runCli(['import', tiny, '-o', irFile]);
  const irText = fs.readFileSync(irFile, 'utf8');

  const results = {};
  for (const [name, bytes] of [['tiny_conv_mm.onnx', fs.readFileSync(tiny)], ['tiny.mlir', Buffer.from(irText)]]) {
    const imported = await client.job('model/import', { name, data: bytes.toString('base64') });
    assert.equal(imported.done.state, 'done', `${name}: ${JSON.stringify(imported.done.error)}`);
    const model = check('model/import', 'jobResult', imported.done.result).model;
    assert.deepEqual(model.inputs, [{ name: 'input', dtype: 'f32', shape: [1, 3, 8, 8] }], name);
    const compiled = await client.job('compile/start', { model: model.id });
    assert.equal(compiled.done.state, 'done', `${name}: ${JSON.stringify(compiled.done.error)}`);
    // The graph after one graph pass re-runs the passes on the stored model (ONNX or IR).
    const after = check('model/graph', 'result', await client.call('model/graph', { model: model.id, compile: compiled.done.result.compile.id, after: 'openopt-fold-constants' }));
    assert.ok(after.graph.nodes.some((n) => n.op === 'nn.conv' || n.op === 'conv'), `${name}: ${JSON.stringify(after.graph.nodes.map((n) => n.op))}`);
    const run = await client.job('run/start', { compile: compiled.done.result.compile.id, iterations: 2, seed: 7 });
    assert.equal(run.done.state, 'done', `${name}: ${JSON.stringify(run.done.error)}`);
    results[name] = check('run/start', 'jobResult', run.done.result);
  }
  const [fromOnnx, fromIr] = [results['tiny_conv_mm.onnx'], results['tiny.mlir']];
  assert.deepEqual(fromIr.outputs.map((o) => [o.name, o.shape]), fromOnnx.outputs.map((o) => [o.name, o.shape]));
  for (const [i, output] of fromIr.outputs.entries())
    assert.ok(Buffer.from(output.data, 'base64').equals(Buffer.from(fromOnnx.outputs[i].data, 'base64')), `output ${output.name} is the ONNX model's`);

  // IR with an error: the import fails with the parser's message and line.
  const lines = irText.split('\n');
  const at = lines.findIndex((l) => l.includes('nn.conv'));
  assert.ok(at > 0, 'the tiny model has an nn.conv');
  lines[at] = lines[at].replace(/%\w+ = /, '%broken = %%%');
  const bad = await client.job('model/import', { name: 'broken.mlir', data: Buffer.from(lines.join('\n')).toString('base64') });
  assert.equal(bad.done.state, 'failed');
  assert.match(bad.done.error.message, new RegExp(`broken\\.mlir:${at + 1}:`), bad.done.error.message);
  // The daemon is still there.
  check('server/info', 'result', await client.call('server/info'));
});
