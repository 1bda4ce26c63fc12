// Crash durability: kill -9 the daemon 20 times at seeded random moments
// during a stream of compiles. After every kill the database must pass
// PRAGMA integrity_check, every job the client saw done must still be done
// with the same result (and its compile and artifact readable), and no job
// from before the restart may be left queued or running: they are
// 'interrupted'.
//   node --test tests/e2e/daemon/durability.test.js
//   DURABILITY_SEED=7 DURABILITY_LIVES=40 node --test ...
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RpcClient, benchModels } = require('./daemon');
const { check } = require('./schemas');
const { prng } = require('./rawws');
const { startDaemon, sleep, waitFor, sqliteIntegrity, knownBug } = require('./testutil');

const tiny = fs.readFileSync(path.join(benchModels, 'tiny_conv_mm.onnx'));

function randomRecipe(rng) {
  const passes = ['canonicalize', 'openopt-fold-batchnorm', 'openopt-dce', 'cse', 'canonicalize', 'openopt-fuse-ops'];
  // Mostly the same graph passes (then only code generation runs), sometimes others (a full miss).
  if (rng.next() < 0.25) passes.splice(rng.int(0, passes.length - 1), 1);
  return JSON.stringify({
    target: { kind: 'cpu', threads: rng.int(1, 4), isa: 'auto' },
    graph: { passes },
    codegen: { vectorizeMatmul: rng.next() < 0.8, matmulTiles: { m: rng.pick([8, 16, 32, 64]), n: rng.pick([16, 32, 64, 128, 256]), k: rng.pick([16, 32, 64, 128, 256]) } },
    outputs: { passRecord: false, graphIR: false, llvmDialect: false, llvmIR: false, object: true },
  });
}

/** Processes whose working directory is under `dir` (a job's compiler). */
function processesUnder(dir) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try { if (fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(Number(pid)); } catch { /* gone or not ours */ }
  }
  return found;
}

/** `PRAGMA integrity_check` on a copy of the database as the crash left it (file and WAL), so the daemon still recovers the original itself. */
function integrityOfCrashImage(dbDir, scratch) {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch);
  for (const f of fs.readdirSync(dbDir).filter((n) => n === 'openopt.db' || n === 'openopt.db-wal'))
    fs.copyFileSync(path.join(dbDir, f), path.join(scratch, f));
  return sqliteIntegrity(path.join(scratch, 'openopt.db'));
}

test('kill -9 twenty times during compiles: done stays done, nothing stays running, the database stays intact', async (t) => {
  const seed = Number(process.env.DURABILITY_SEED || 4242);
  const lives = Number(process.env.DURABILITY_LIVES || 20);
  t.diagnostic(`DURABILITY_SEED=${seed} DURABILITY_LIVES=${lives}`);
  const rng = prng(seed);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openoptd-durability-'));
  const dbDir = path.join(dataDir, 'db');
  const scratch = path.join(dataDir, 'integrity-copy');
  let daemon = await startDaemon({ dataDir });
  t.after(async () => {
    await daemon.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const seenDone = new Map();   // job id -> result, as job/done reported it
  const verified = new Set();   // job ids whose compile and artifact were checked after a restart
  const startedIds = new Set(); // jobs whose compile/start reply we saw
  const stats = { started: 0, done: 0, interruptedSeen: 0, cacheHits: 0, lives: [] };

  let client = await RpcClient.connect(daemon.ws, daemon.token);
  const imported = await client.job('model/import', { name: 'tiny_conv_mm.onnx', data: tiny.toString('base64') });
  assert.equal(imported.done.state, 'done');
  const model = imported.started.model;

  for (let life = 0; life < lives; life++) {
    if (life > 0) {
      // The daemon is dead: check the database as the crash left it, then restart on it.
      const integrity = integrityOfCrashImage(dbDir, scratch);
      assert.equal(integrity, 'ok', `life ${life}: PRAGMA integrity_check after kill -9`);
      daemon = await startDaemon({ dataDir });
      client = await RpcClient.connect(daemon.ws, daemon.token);
      await verifyAfterRestart(life);
    }

    // A stream of compiles, up to three in flight, until the kill.
    const lifeStats = { started: 0, done: 0 };
    let inFlight = 0;
    let dead = false;
    client.socket.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.method !== 'job/done') return;
      inFlight--;
      assert.notEqual(m.params.state, 'failed', `a compile failed: ${JSON.stringify(m.params.error)}`);
      if (m.params.state === 'done') {
        check('compile/start', 'jobResult', m.params.result);
        seenDone.set(m.params.job, m.params.result);
        lifeStats.done++;
      }
    });
    const stream = (async () => {
      while (!dead) {
        if (inFlight >= 3) { await sleep(10); continue; }
        inFlight++;
        const reply = await Promise.race([client.request('compile/start', { model, recipe: randomRecipe(rng) }), client.closed]);
        if (!reply || !reply.result) { if (!dead) assert.fail(`compile/start: ${JSON.stringify(reply)}`); break; }
        startedIds.add(reply.result.job);
        lifeStats.started++;
        if (reply.result.cache === 'hit') stats.cacheHits++;
      }
    })();
    // Seeded kill moment: sometimes almost at once, mostly within 2.5 s.
    const killAfter = rng.next() < 0.2 ? rng.int(0, 100) : rng.int(100, 2500);
    await sleep(killAfter);
    dead = true;
    await daemon.kill9();
    await client.closed;
    await stream;
    stats.started += lifeStats.started;
    stats.done += lifeStats.done;
    stats.lives.push(`${killAfter}ms:${lifeStats.started}/${lifeStats.done}`);
    // The daemon's compilers die with it (PR_SET_PDEATHSIG).
    await waitFor(() => processesUnder(dataDir).length === 0, { timeoutMs: 5000, what: 'no compiler left running after kill -9' });
  }

  // A last restart and check, then a clean stop and an integrity check of the real file.
  assert.equal(integrityOfCrashImage(dbDir, scratch), 'ok');
  daemon = await startDaemon({ dataDir });
  client = await RpcClient.connect(daemon.ws, daemon.token);
  await verifyAfterRestart(lives);
  assert.ok(await daemon.healthy());
  await client.close();
  await daemon.stop();
  assert.equal(sqliteIntegrity(path.join(dbDir, 'openopt.db')), 'ok');

  t.diagnostic(`compiles started ${stats.started}, seen done ${stats.done} (${stats.cacheHits} cache hits), ` +
    `interrupted ${stats.interruptedSeen}; per life killAfter:started/done ${stats.lives.join(' ')}`);
  // The run must have exercised both sides: results that survived, and jobs the kills cut short.
  assert.ok(seenDone.size >= Math.min(10, lives), `compiles seen done (${seenDone.size})`);
  assert.ok(stats.interruptedSeen >= 3, `kills interrupted running compiles (${stats.interruptedSeen})`);

  async function verifyAfterRestart(life) {
    const where = `after restart ${life}`;
    // No job from before the restart is queued or running.
    const { jobs } = check('job/list', 'result', await client.call('job/list', { limit: 1000 }));
    const live = jobs.filter((j) => j.state === 'queued' || j.state === 'running');
    assert.deepEqual(live, [], `${where}: jobs left ${live.map((j) => j.state).join(', ')}`);
    const states = new Map(jobs.map((j) => [j.id, j]));
    stats.interruptedSeen = 0;
    for (const job of jobs) {
      assert.ok(['done', 'interrupted'].includes(job.state), `${where}: job ${job.id} is ${job.state} ${JSON.stringify(job.error)}`);
      if (job.state === 'interrupted') {
        stats.interruptedSeen++;
        assert.equal(job.error.code, -32010);
        assert.ok(!seenDone.has(job.id), `${where}: job ${job.id} was seen done but is interrupted`);
      }
    }
    for (const id of startedIds) assert.ok(states.has(id), `${where}: job ${id} whose start was acknowledged is listed`);
    // Every job seen done is still done, with the same result.
    const ids = [...seenDone.keys()];
    for (let i = 0; i < ids.length; i += 32) {
      await Promise.all(ids.slice(i, i + 32).map(async (id) => {
        const { job } = await client.call('job/get', { job: id });
        assert.equal(job.state, 'done', `${where}: job ${id} was seen done`);
        assert.deepEqual(job.result, seenDone.get(id), `${where}: job ${id} has the result job/done reported`);
        if (verified.has(id)) return;
        // Its compile and object file were stored too.
        const compile = seenDone.get(id).compile;
        assert.deepEqual((await client.call('compile/get', { compile: compile.id })).compile, compile);
        const object = await daemon.get(`/artifacts/${compile.artifacts.object.hash}`);
        assert.equal(object.status, 200, `${where}: the object file of compile ${compile.id}`);
        const bytes = Buffer.from(await object.arrayBuffer());
        assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), compile.artifacts.object.hash);
        verified.add(id);
      }));
    }
    assert.equal((await client.call('model/get', { model })).model.id, model);
    assert.ok(await daemon.healthy(), `${where}: healthy`);
  }
});

test('after kill -9 and a restart, the scratch directories of interrupted jobs are gone', async (t) => {
  let daemon = await startDaemon();
  const dataDir = daemon.dataDir;
  t.after(async () => { await daemon.stop(); fs.rmSync(dataDir, { recursive: true, force: true }); });
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  const model = (await client.job('model/import', { name: 'tiny.onnx', data: tiny.toString('base64') })).done.result.model.id;
  const started = await client.call('compile/start', { model });
  await waitFor(() => client.notifications.some((n) => n.method === 'job/progress' && n.params.job === started.job && n.params.progress > 0),
    { timeoutMs: 10000, intervalMs: 5, what: 'the compile to run' });
  const jobsDir = path.join(daemon.dataDir, 'db', 'jobs');
  assert.ok(fs.readdirSync(jobsDir).includes(started.job), 'the running job has its directory');
  await daemon.kill9();
  daemon = await startDaemon({ dataDir: daemon.dataDir });
  const again = await RpcClient.connect(daemon.ws, daemon.token);
  assert.equal((await again.call('job/get', { job: started.job })).job.state, 'interrupted');
  await again.close();
  assert.ok(await daemon.healthy());
  assert.deepEqual(fs.existsSync(jobsDir) ? fs.readdirSync(jobsDir) : [], [], 'no scratch directory is left behind');
});
