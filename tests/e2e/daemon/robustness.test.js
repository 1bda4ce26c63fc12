// The daemon under hostile or careless clients: malformed JSON-RPC,
// oversized messages, bad models, 1,000 seeded random messages, clients
// that leave mid-job, cancellation and the per-connection job limit. After
// each test the daemon must still be healthy.
//   node --test tests/e2e/daemon/robustness.test.js
//   FUZZ_SEED=123 node --test ...   (another sequence of random messages)
'use strict';
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const WebSocket = require('ws');
const { RpcClient, benchModels } = require('./daemon');
const { check } = require('./schemas');
const { prng, encodeFrame, rawConnect } = require('./rawws');
const { startDaemon, waitFor, knownBug, childPids, sleep } = require('./testutil');

const tiny = fs.readFileSync(path.join(benchModels, 'tiny_conv_mm.onnx'));
const MiB = 1 << 20;
const TEXT = 0x1, CONTINUATION = 0x0;

const RPC_METHODS = ['server/info', 'model/import', 'model/list', 'model/get', 'model/graph', 'compile/start',
  'compile/get', 'compile/passes', 'compile/diff', 'compile/ir', 'run/start', 'profile/start', 'job/list',
  'job/get', 'job/cancel', 'artifact/get', 'token/create', 'token/list', 'token/revoke', 'audit/list'];

/** client.raw / client.request that fail (instead of hanging) if the connection closes first. */
const closedInstead = (client, what) => client.closed.then((c) => {
  throw new Error(`the connection closed (${c.code}) instead of answering ${what.slice(0, 120)}`);
});
const ask = (client, text) => Promise.race([client.raw(text), closedInstead(client, text)]);
const req = (client, method, params) => Promise.race([client.request(method, params), closedInstead(client, method)]);

/** Connects, sends one text message, resolves with the next reply (notifications skipped). */
async function oneShot(daemon, text) {
  const client = await RpcClient.connect(daemon.ws, daemon.token);
  try { return await ask(client, text); } finally { await client.close(); }
}

/**
 * Sends a message too large for the daemon over raw TCP (see
 * RawConnection.writePaced) and asserts the close code is 1009. Resolves
 * with the connection (bytesWritten tells how much the server took).
 *
 * After its close frame the server resets the connection (Beast's
 * teardown closes with unread data: see the known bug about a 100 MB
 * message). If our write fails on that reset before Node has read the
 * close frame, the attempt shows nothing: it is retried, at most 3 times.
 */
async function expectTooBig(t, daemon, chunks) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { status, conn } = await rawConnect(daemon.port, { token: daemon.token });
    assert.equal(status, 101);
    await conn.writePaced(chunks());
    const close = await conn.closeFrame();
    conn.destroy();
    if (close) {
      assert.equal(close.code, 1009, `close code (reason ${JSON.stringify(close.reason)})`);
      return conn;
    }
    assert.ok(['EPIPE', 'ECONNRESET'].includes(conn.error?.code),
      `the connection ended with neither a close frame nor a reset (${conn.error?.code})`);
    t.diagnostic(`attempt ${attempt}: the reset (${conn.error.code}) came before the close frame was read; again`);
  }
  assert.fail('3 attempts: each time the reset came before the close frame could be read');
}

/** Imports a model from a binary message (JSON text, NUL, bytes); resolves with { started, done }. */
async function importBinary(client, name, bytes) {
  const id = `bin-${client.nextId++}`;
  const request = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method: 'model/import', params: { name, binary: true } }));
  const reply = new Promise((resolve) => client.pending.set(id, resolve));
  client.socket.send(Buffer.concat([request, Buffer.from([0]), bytes]), { binary: true });
  const response = await reply;
  if (response.error) throw Object.assign(new Error(response.error.message), { rpc: response.error });
  return { started: response.result, done: await client.waitJob(response.result.job) };
}

function recipeWith({ threads = 1, m = 64, n = 256, k = 256 } = {}) {
  return JSON.stringify({
    name: `t${threads}-${m}x${n}x${k}`, target: { kind: 'cpu', threads, isa: 'auto' },
    graph: { passes: ['canonicalize', 'openopt-fold-batchnorm', 'openopt-dce', 'cse', 'openopt-fuse-ops'] },
    codegen: { vectorizeMatmul: true, matmulTiles: { m, n, k } },
    outputs: { passRecord: false, graphIR: false, llvmDialect: false, llvmIR: false, object: true },
  });
}

describe('JSON-RPC errors', () => {
  let daemon, client;
  before(async () => {
    daemon = await startDaemon();
    client = await RpcClient.connect(daemon.ws, daemon.token);
  });
  after(async () => { await client?.close(); await daemon?.stop(); });

  test('invalid JSON: -32700 with id null and the byte offset', async () => {
    for (const text of ['{bad json', '{"jsonrpc":"2.0","id":1,', '', '{"jsonrpc":"2.0","id":1,"method":"server/info"} trailing',
      "{'single':'quotes'}", '\u0000', '{"a":"\\ud800"}']) {
      const reply = await ask(client, text);
      assert.equal(reply.jsonrpc, '2.0');
      assert.equal(reply.id, null, text);
      assert.equal(reply.error.code, -32700, `${JSON.stringify(text)}: ${reply.error.message}`);
      assert.match(reply.error.message, /^invalid JSON/);
    }
    const reply = await ask(client, '{"jsonrpc":"2.0", x}');
    assert.equal(reply.error.data.byte, 19);
    assert.ok(await daemon.healthy());
  });

  test('unknown method: -32601 with a did-you-mean, the id echoed', async () => {
    for (const [method, suggestion] of [['model/lst', 'model/list'], ['compile/strat', 'compile/start'],
      ['Server/Info', 'server/info'], ['job/cancle', 'job/cancel']]) {
      const reply = await req(client, method, {});
      assert.equal(reply.error.code, -32601, method);
      assert.equal(reply.error.message, `unknown method '${method}'; did you mean '${suggestion}'?`);
    }
    const far = await ask(client, JSON.stringify({ jsonrpc: '2.0', id: 'far-away', method: 'xyzzy/plugh' }));
    assert.equal(far.id, 'far-away');
    assert.equal(far.error.code, -32601);
    assert.equal(far.error.message, "unknown method 'xyzzy/plugh'");
    // A huge name is shortened in the message.
    const long = await req(client, 'x'.repeat(100000), {});
    assert.equal(long.error.code, -32601);
    assert.ok(long.error.message.length < 200);
    assert.ok(await daemon.healthy());
  });

  test('wrong param types: -32602 and data.pointer names the member', async () => {
    const model = 'a'.repeat(64), compile = 'b'.repeat(32);
    const cases = [
      ['model/get', { model: 5 }, '/model', /expected string, got integer/],
      ['compile/start', { model: 5 }, '/model', /expected string/],
      ['compile/start', { model, recipe: 7 }, '/recipe', /expected string/],
      ['model/get', { model: 'not-hex' }, '/model', /pattern/],
      ['model/get', {}, '', /missing required member 'model'/],
      ['model/get', { model, bogus: true }, '/bogus', /unknown member 'bogus'/],
      ['job/list', { limit: 'ten' }, '/limit', /expected integer, got string/],
      ['job/list', { limit: 0 }, '/limit', /at least 1/],
      ['job/list', { state: 'sleeping' }, '/state', /must be one of/],
      ['compile/diff', { compile, pass: 1.5 }, '/pass', /expected integer/],
      ['compile/passes', { compile, onlyChanged: 'yes' }, '/onlyChanged', /expected boolean/],
      ['run/start', { compile, inputs: { x: 5 } }, '/inputs/x', /expected object/],
      ['run/start', { compile, iterations: 0 }, '/iterations', /at least 1/],
      ['token/create', { name: 'x', role: 'root' }, '/role', /must be one of/],
      ['model/import', { name: 'x', data: '!!!' }, '/data', /not base64/],
      ['model/import', { name: 'x', data: '' }, '/data', /empty/],
      ['model/import', { name: 'x' }, '', /exactly one of data, binary or path/],
    ];
    for (const [method, params, pointer, message] of cases) {
      const reply = await req(client, method, params);
      assert.ok(reply.error, `${method} ${JSON.stringify(params)} is refused`);
      assert.equal(reply.error.code, -32602, `${method} ${JSON.stringify(params)}: ${reply.error.message}`);
      assert.equal(reply.error.data.pointer, pointer, `${method} ${JSON.stringify(params)}: ${reply.error.message}`);
      assert.match(reply.error.data.message, message);
    }
    // By-position params are not supported: the pointer is the params themselves.
    const positional = await ask(client, '{"jsonrpc":"2.0","id":9,"method":"model/get","params":["x"]}');
    assert.equal(positional.error.code, -32602);
    assert.equal(positional.error.data.pointer, '');
    assert.ok(await daemon.healthy());
  });

  test('invalid requests: -32600', async () => {
    for (const text of ['"just a string"', '42', 'null', '{}', '{"jsonrpc":"1.0","id":1,"method":"server/info"}',
      '{"jsonrpc":"2.0","id":1,"method":7}', '{"jsonrpc":"2.0","id":1.5,"method":"server/info"}',
      '{"jsonrpc":"2.0","id":{"a":1},"method":"server/info"}']) {
      const reply = await ask(client, text);
      assert.equal(reply.error.code, -32600, `${text}: ${reply.error.message}`);
    }
    assert.ok(await daemon.healthy());
  });

  test('a batch mixing valid, invalid and notification requests gets one response per request, none for notifications', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'server/info' },
      { jsonrpc: '2.0', id: 'two', method: 'model/lst' },
      5,
      { jsonrpc: '2.0', method: 'model/list' },                       // a notification
      { jsonrpc: '2.0', id: 3, method: 'model/get', params: { model: 1 } },
      { jsonrpc: '2.0', method: 'model/get', params: { model: 1 } },   // an invalid notification: still silent
      { jsonrpc: '2.0', id: 4, method: 'model/list' },
    ];
    const reply = await ask(client, JSON.stringify(batch));
    assert.ok(Array.isArray(reply));
    assert.equal(reply.length, 5, JSON.stringify(reply).slice(0, 500));
    const byId = new Map(reply.map((r) => [r.id, r]));
    check('server/info', 'result', byId.get(1).result);
    assert.equal(byId.get('two').error.code, -32601);
    assert.equal(byId.get(null).error.code, -32600);
    assert.equal(byId.get(3).error.code, -32602);
    assert.deepEqual(byId.get(4).result, { models: [] });

    const empty = await ask(client, '[]');
    assert.equal(empty.error.code, -32600);
    assert.equal(empty.id, null);

    // Only notifications: nothing at all comes back (the next reply is the next request's).
    const next = client.raw(JSON.stringify([{ jsonrpc: '2.0', method: 'server/info' }, { jsonrpc: '2.0', method: 'model/list' }]));
    client.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'after', method: 'model/list' }));
    assert.equal((await next).id, 'after');

    // Over the batch limit (64): one -32003 error.
    const big = await ask(client, JSON.stringify(Array.from({ length: 65 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'server/info' }))));
    assert.equal(big.error.code, -32003);
    const full = await ask(client, JSON.stringify(Array.from({ length: 64 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'server/info' }))));
    assert.equal(full.length, 64);
    assert.ok(await daemon.healthy());
  });

  test('a notification is never answered, even with an unknown method or by-position params', async () => {
    // Its own connection: a stray reply must not reach the other tests.
    const own = await RpcClient.connect(daemon.ws, daemon.token);
    const seen = [];
    own.socket.on('message', (data) => { const m = JSON.parse(String(data)); if (Array.isArray(m) || m.method === undefined) seen.push(m); });
    try {
      own.socket.send('{"jsonrpc":"2.0","method":"no/such-method"}');
      own.socket.send('{"jsonrpc":"2.0","method":"server/info","params":[1]}');
      own.socket.send('{"jsonrpc":"2.0","method":"server/info","params":{"extra":1}}');
      await own.call('model/list');
      await sleep(300); // requests run concurrently: give a stray reply time to arrive
    } finally {
      await own.close();
    }
    assert.deepEqual(seen.filter((m) => m.id === null), [], 'no replies to notifications');
    assert.ok(await daemon.healthy());
  });

  test('deep nesting (100k levels) is -32700, not a stack overflow', async () => {
    for (const text of ['['.repeat(100000), '{"a":'.repeat(100000), `{"jsonrpc":"2.0","id":1,"method":"server/info","params":{"x":${'['.repeat(100000)}${']'.repeat(100000)}}}`,
      `[${'['.repeat(200)}${']'.repeat(200)}]`]) {
      const reply = await ask(client, text);
      assert.equal(reply.error.code, -32700, reply.error.message);
      assert.match(reply.error.message, /nested deeper than 128 levels/);
    }
    // Within the limit it parses (and is then an invalid batch element).
    const ok = await ask(client, `[${'['.repeat(100)}${']'.repeat(100)}]`);
    assert.equal(ok.length, 1);
    assert.equal(ok[0].error.code, -32600);
    // Brackets inside strings do not count.
    const inString = await req(client, 'model/get', { model: '['.repeat(100000) });
    assert.equal(inString.error.code, -32602);
    assert.ok(await daemon.healthy());
  });
});

describe('message size limits (--max-message-mib 1)', () => {
  let daemon;
  before(async () => { daemon = await startDaemon({ args: ['--max-message-mib', '1'] }); });
  after(() => daemon?.stop());

  test('a message just under the limit is answered', async () => {
    const text = JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'model/get', params: { model: 'x'.repeat(MiB - 200) } });
    assert.ok(text.length < MiB);
    const reply = await oneShot(daemon, text);
    assert.equal(reply.id, 'big');
    assert.equal(reply.error.code, -32602);
    assert.ok(await daemon.healthy());
  });

  test('a single 2 MiB frame: close 1009', async (t) => {
    // Raw TCP, reading between 64 KiB writes: the close frame arrives
    // before the client has sent the whole frame. (The npm ws client,
    // sending it in one write, often sees 1006 instead: see the known bug
    // about a 100 MB message below.)
    const size = 2 * MiB;
    const head = encodeFrame({ opcode: TEXT, length: size, maskKey: Buffer.alloc(4) });
    await expectTooBig(t, daemon, function* () { yield head; for (let i = 0; i < size / 65536; i++) yield Buffer.alloc(65536, 0x20); });
    assert.ok(await daemon.healthy());
  });

  test('a message of 64 KiB fragments adding up to more than 1 MiB: close 1009', async (t) => {
    const conn = await expectTooBig(t, daemon, function* () {
      yield encodeFrame({ opcode: TEXT, fin: false, payload: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"server/info","pad":"') });
      for (let i = 0; i < 40; i++) yield encodeFrame({ opcode: CONTINUATION, fin: false, payload: Buffer.alloc(65536, 0x20) });
      yield encodeFrame({ opcode: CONTINUATION, payload: Buffer.from('"}') });
    });
    assert.ok(conn.bytesWritten > MiB, 'the server took fragments up to its limit');
    assert.ok(await daemon.healthy());
  });
});

describe('a 100 MB message (the default limit, 64 MiB)', () => {
  let daemon;
  before(async () => { daemon = await startDaemon(); });
  after(() => daemon?.stop());

  const request100 = function* (size) {
    // One 100 MB text frame holding a real request: {"jsonrpc":..., "pad":"   ...   "}.
    const start = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"server/info","pad":"');
    const end = Buffer.from('"}');
    yield encodeFrame({ opcode: TEXT, length: size, maskKey: Buffer.alloc(4) });
    yield start;
    let left = size - start.length - end.length;
    const spaces = Buffer.alloc(MiB, 0x20);
    while (left > 0) { const n = Math.min(left, MiB); yield spaces.subarray(0, n); left -= n; }
    yield end;
  };

  test('one 100 MB frame: close 1009, refused on its declared length', async (t) => {
    const conn = await expectTooBig(t, daemon, () => request100(100e6));
    assert.ok(conn.bytesWritten < 64 * MiB, `the server did not read ${conn.bytesWritten} bytes before refusing`);
    await waitFor(() => /ws\.read_ended .*exceeded the locally configured limit/.test(daemon.stderr()),
      { timeoutMs: 5000, what: 'the daemon to log why it closed' });
    assert.ok(await daemon.healthy());
  });

  test('a 100 MB message in 1 MiB fragments: close 1009 once it passes 64 MiB', async (t) => {
    const conn = await expectTooBig(t, daemon, function* () {
      yield encodeFrame({ opcode: TEXT, fin: false, payload: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"server/info","pad":"') });
      const spaces = Buffer.alloc(MiB, 0x20);
      for (let i = 0; i < 100; i++) yield encodeFrame({ opcode: CONTINUATION, fin: false, payload: spaces });
      yield encodeFrame({ opcode: CONTINUATION, payload: Buffer.from('"}') });
    });
    // Refused at the header of the fragment that would pass 64 MiB.
    assert.ok(conn.bytesWritten > 62 * MiB && conn.bytesWritten < 66 * MiB, `${conn.bytesWritten} bytes sent`);
    assert.ok(await daemon.healthy());
    // And the daemon still answers on a new connection.
    const reply = await oneShot(daemon, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/info' }));
    assert.equal(reply.result.limits.maxMessageBytes, 64 * MiB);
  });

  test('a 100 MB message from the ws client (one send): the client sees close 1009', knownBug(
    'the server sends close 1009, but Beast 1.81\'s teardown (websocket/impl/teardown.hpp, teardown_tcp_op) reads at most ' +
    'one 2 KiB chunk of what the client is still sending and then closes the socket with unread data, so the kernel ' +
    'sends RST; a client still writing (npm ws, Node net) fails with EPIPE/ECONNRESET before it reads the close frame ' +
    'and reports 1006 (cf. boostorg/beast#802)'), async () => {
    const client = await RpcClient.connect(daemon.ws, daemon.token);
    client.socket.send(Buffer.alloc(100e6, 0x20), { binary: false });
    const closed = await client.closed;
    assert.ok(await daemon.healthy());
    assert.equal(closed.code, 1009);
  });
});

describe('bad models', () => {
  let daemon, client;
  before(async () => {
    daemon = await startDaemon();
    client = await RpcClient.connect(daemon.ws, daemon.token);
  });
  after(async () => { await client?.close(); await daemon?.stop(); });

  for (const [name, bytes] of [['truncated.onnx', tiny.subarray(0, Math.floor(tiny.length / 2))],
    ['garbage.onnx', Buffer.from(prng(7).bytes(5000))], ['text.onnx', Buffer.from('this is not a model\n'.repeat(50))],
    ['one-byte.onnx', Buffer.from([0x08])]]) {
    test(`${name}: the import job fails with a clear error`, async () => {
      const { started, done } = await client.job('model/import', { name, data: bytes.toString('base64') });
      check('model/import', 'result', started);
      assert.equal(done.state, 'failed', JSON.stringify(done));
      assert.equal(done.error.code, -32014);
      assert.match(done.error.message, new RegExp(`importing '${name}' failed:\\n.*not a valid ONNX model`));
      const job = (await client.call('job/get', { job: started.job })).job;
      assert.equal(job.state, 'failed');
      assert.deepEqual(job.error, done.error);
      assert.equal((await client.request('model/get', { model: started.model })).error.code, -32002);
      assert.ok(await daemon.healthy());
    });
  }

  test('a truncated model sent as a binary message fails the same way', async () => {
    const { done } = await importBinary(client, 'cut.onnx', tiny.subarray(0, tiny.length - 100));
    assert.equal(done.state, 'failed');
    assert.match(done.error.message, /not a valid ONNX model/);
    const noPayload = await client.request('model/import', { name: 'x.onnx', binary: true });
    assert.equal(noPayload.error.code, -32602);
    assert.equal(noPayload.error.data.pointer, '/binary');
    const models = await client.call('model/list');
    assert.deepEqual(models.models, []);
    assert.ok(await daemon.healthy());
  });
});

// ---------------------------------------------------------------------------
// 1,000 seeded random messages.

const ALLOWED_ERRORS = new Set([-32602, -32002, -32003, -32004]);

function fuzzer(rng, ids) {
  const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(0, 15)]).join('');
  const ints = [0, 1, -1, 2, 3, 7, 10, 100, 1000, 10001, 2147483647, -2147483648, 2 ** 53, -(2 ** 53)];
  // compile/diff with pass in [2^31, 2^32) crashes the daemon (its own
  // test below); these values join the pool once that is fixed.
  if (process.env.OPENOPT_STRICT_KNOWN_BUGS) ints.push(2 ** 31, 2 ** 32 - 1);
  const string = () => {
    switch (rng.int(0, 7)) {
      case 0: return '';
      case 1: return hex(rng.pick([32, 64]));
      case 2: return rng.pick([ids.model, ids.compile, ids.job, ids.hash]);
      case 3: return String.fromCodePoint(...Array.from({ length: rng.int(1, 20) }, () => rng.int(0x20, 0x2fff)));
      case 4: return rng.pick(['viewer', 'editor', 'admin', 'text', 'base64', 'done', 'queued', 'compile', 'import', 'x.onnx']);
      case 5: return 'A'.repeat(rng.int(1, 5000));
      case 6: return rng.bytes(rng.int(1, 30)).toString('base64');
      default: return rng.next().toString(36).slice(2, 10);
    }
  };
  const value = (depth = 0) => {
    switch (rng.int(0, depth > 2 ? 5 : 7)) {
      case 0: return null;
      case 1: return rng.next() < 0.5;
      case 2: return rng.pick(ints);
      case 3: return rng.next() * 1e6 - 5e5;
      case 4: case 5: return string();
      case 6: return Array.from({ length: rng.int(0, 4) }, () => value(depth + 1));
      default: return object(depth + 1);
    }
  };
  const keys = ['model', 'compile', 'job', 'id', 'name', 'role', 'data', 'binary', 'path', 'recipe', 'recipeName', 'pass',
    'onlyChanged', 'inputs', 'seed', 'iterations', 'state', 'kind', 'limit', 'hash', 'encoding', 'x', '', 'jsonrpc', 'params', 'result'];
  const object = (depth = 0) => Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.pick(keys), value(depth)]));
  // Roughly valid params for each method, then mutated.
  const templates = {
    'server/info': () => ({}), 'model/list': () => ({}), 'token/list': () => ({}),
    'model/get': () => ({ model: ids.model }), 'model/graph': () => ({ model: ids.model, compile: ids.compile }),
    'model/import': () => rng.pick([{ name: string(), data: rng.bytes(rng.int(1, 200)).toString('base64') }, { name: 'p.onnx', path: '/etc/hostname' }, { name: 'b.onnx', binary: true }]),
    'compile/start': () => ({ model: ids.model, recipe: recipeWith({ threads: rng.int(1, 4), m: rng.pick([8, 16, 64]), n: 32, k: 32 }) }),
    'compile/get': () => ({ compile: ids.compile }), 'compile/passes': () => ({ compile: ids.compile, onlyChanged: rng.next() < 0.5 }),
    'compile/diff': () => ({ compile: ids.compile, pass: rng.pick(ints) }), 'compile/ir': () => ({ compile: ids.compile, pass: rng.pick(ints) }),
    'run/start': () => ({ compile: ids.compile, iterations: rng.int(1, 3), seed: rng.int(0, 100) }),
    'profile/start': () => ({ compile: ids.compile, iterations: 1 }),
    'job/list': () => ({ limit: rng.int(1, 5), kind: rng.pick(['import', 'compile', 'run']) }), 'job/get': () => ({ job: ids.job }),
    'job/cancel': () => ({ job: ids.job }), 'artifact/get': () => ({ hash: ids.hash, encoding: rng.pick(['text', 'base64']) }),
    'token/create': () => ({ name: string().slice(0, 100) || 'n', role: 'viewer' }), 'token/revoke': () => ({ id: hex(32) }),
    'audit/list': () => ({ limit: rng.int(1, 20) }),
  };
  const mutate = (params) => {
    const names = Object.keys(params);
    const r = rng.int(0, 3);
    if (r === 0 && names.length) params[rng.pick(names)] = value(1);
    else if (r === 1 && names.length) delete params[rng.pick(names)];
    else if (r === 2) params[rng.pick(keys)] = value(1);
    return params;
  };

  let nextId = 1;
  /** One random message: { data, binary, expect } (expect checks the reply). */
  return () => {
    const kind = rng.pick(['text-bytes', 'text-bytes', 'binary-bytes', 'json', 'json', 'nested', 'method', 'method', 'real', 'real', 'real']);
    if (kind === 'text-bytes' || kind === 'binary-bytes') {
      // Raw random bytes; JSON-ish ASCII (valid UTF-8); JSON-ish with stray UTF-8 lead/continuation bytes.
      const ascii = [0x5b, 0x7b, 0x22, 0x3a, 0x2c, 0x7d, 0x5d, 0x20, 0x31, 0x61, 0x00, 0x5c, 0x6e, 0x74];
      const r = rng.next();
      const bytes = r < 0.34 ? rng.bytes(rng.int(0, 300))
        : Buffer.from(Array.from({ length: rng.int(0, 300) }, () => rng.pick(r < 0.67 ? ascii : [...ascii, 0xc3, 0xa9, 0xe2, 0x82, 0xac])));
      if (kind === 'binary-bytes') return { kind, data: bytes, binary: true, expect: 'error' };
      let utf8 = true;
      try { new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { utf8 = false; }
      return { kind, data: bytes, binary: false, expect: utf8 ? 'error' : 'close1007' };
    }
    if (kind === 'json') {
      const message = rng.next() < 0.3 ? Array.from({ length: rng.int(0, 5) }, () => value(1)) : value(0);
      const expect = Array.isArray(message) ? (message.length ? { batch: message.length } : -32600) : -32600;
      return { kind, data: JSON.stringify(message), binary: false, expect };
    }
    if (kind === 'nested') {
      const depth = rng.int(1, 300);
      return { kind, data: '['.repeat(depth) + ']'.repeat(depth), binary: false, expect: depth > 128 ? -32700 : depth === 1 ? -32600 : { batch: 1 } };
    }
    const id = rng.next() < 0.8 ? nextId++ : `s-${nextId++}`;
    if (kind === 'method') {
      const real = rng.pick(RPC_METHODS);
      const method = rng.next() < 0.5 ? real.slice(0, rng.int(0, real.length - 1)) + string().slice(0, 3) + real.slice(rng.int(1, real.length)) : string();
      const params = rng.next() < 0.9 ? object() : value();
      if (RPC_METHODS.includes(method)) return { kind, data: JSON.stringify({ jsonrpc: '2.0', id, method, params: {} }), binary: false, expect: { id, any: true } };
      const paramsOk = params === undefined || (params !== null && typeof params === 'object' && !Array.isArray(params));
      return { kind, data: JSON.stringify({ jsonrpc: '2.0', id, method, params }), binary: false, expect: { id, code: paramsOk ? -32601 : -32602 } };
    }
    const method = rng.pick(RPC_METHODS);
    const params = rng.next() < 0.6 ? mutate(templates[method]()) : object();
    return { kind, method, data: JSON.stringify({ jsonrpc: '2.0', id, method, params }), binary: false, expect: { id, any: true } };
  };
}

/** Opens a plain ws connection whose replies (not notifications) queue up. */
async function fuzzSocket(daemon) {
  const socket = new WebSocket(daemon.ws, { headers: { Authorization: `Bearer ${daemon.token}` }, maxPayload: 256 * MiB });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  const state = { socket, replies: [], waiter: null, close: null };
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (!Array.isArray(message) && message.method !== undefined) return; // job/progress, job/done
    state.replies.push(message);
    state.waiter?.();
  });
  socket.on('close', (code) => { state.close = code; state.waiter?.(); });
  socket.on('error', () => {});
  return state;
}

async function nextEvent(state, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!state.replies.length && state.close === null) {
    if (Date.now() > deadline) return { timeout: true };
    await new Promise((resolve) => { state.waiter = resolve; setTimeout(resolve, 100); });
  }
  if (state.replies.length) return { reply: state.replies.shift() };
  return { close: state.close };
}

function checkReply(message, reply, where) {
  const { expect } = message;
  const show = `${where} ${message.kind} ${String(message.data).slice(0, 200)} -> ${JSON.stringify(reply).slice(0, 300)}`;
  const isError = (r, code) => r && r.jsonrpc === '2.0' && r.error && Number.isInteger(r.error.code) &&
    typeof r.error.message === 'string' && (code === undefined || r.error.code === code);
  if (expect === 'error') {
    assert.ok(isError(reply) && [-32700, -32600, -32003].includes(reply.error.code) ||
      (Array.isArray(reply) && reply.every((r) => isError(r))), show);
  } else if (typeof expect === 'number') {
    assert.ok(isError(reply, expect), show);
  } else if (expect.batch) {
    assert.ok(Array.isArray(reply) && reply.length === expect.batch && reply.every((r) => isError(r, -32600)), show);
  } else {
    assert.equal(reply.id, expect.id, show);
    if (expect.code !== undefined) assert.ok(isError(reply, expect.code), show);
    else assert.ok(reply.result !== undefined || (isError(reply) && ALLOWED_ERRORS.has(reply.error.code)), show);
  }
}

describe('1,000 random messages', () => {
  let daemon;
  before(async () => { daemon = await startDaemon(); });
  after(() => daemon?.stop());

  test('every text message gets a JSON-RPC reply (or close 1007 for invalid UTF-8) and the daemon stays healthy', async (t) => {
    const seed = Number(process.env.FUZZ_SEED || 20261121);
    t.diagnostic(`FUZZ_SEED=${seed}`);
    // Real ids to aim at: a model, a finished compile, its job and an artifact.
    const setup = await RpcClient.connect(daemon.ws, daemon.token);
    const model = (await setup.job('model/import', { name: 'tiny.onnx', data: tiny.toString('base64') })).done.result.model.id;
    const compiled = await setup.job('compile/start', { model });
    assert.equal(compiled.done.state, 'done');
    const ids = { model, compile: compiled.done.result.compile.id, job: compiled.started.job, hash: compiled.done.result.compile.artifacts.object.hash };
    await setup.close();

    const connections = 4, perConnection = 250;
    const tally = {}, outcomes = {};
    await Promise.all(Array.from({ length: connections }, async (_, c) => {
      const next = fuzzer(prng(seed + c), ids);
      let state = await fuzzSocket(daemon);
      for (let i = 0; i < perConnection; i++) {
        const message = next();
        const where = `seed ${seed + c} message ${i}:`;
        tally[message.kind] = (tally[message.kind] || 0) + 1;
        state.socket.send(message.data, { binary: message.binary });
        const event = await nextEvent(state, 15000);
        assert.ok(!event.timeout, `${where} no reply to ${message.kind} ${String(message.data).slice(0, 200)}`);
        if (message.expect === 'close1007') {
          outcomes.close1007 = (outcomes.close1007 || 0) + 1;
          assert.equal(event.close, 1007, `${where} invalid UTF-8 text is closed with 1007, got ${JSON.stringify(event)}`);
          state = await fuzzSocket(daemon);
          continue;
        }
        if (event.reply === undefined) {
          await sleep(200);
          assert.fail(`${where} the connection closed (${event.close}) after ${message.kind} ${String(message.data).slice(0, 200)}` +
            (daemon.proc.signalCode || daemon.proc.exitCode !== null ? `; the daemon died (${daemon.proc.signalCode || daemon.proc.exitCode}):\n${daemon.stderr().slice(-2000)}` : ''));
        }
        checkReply(message, event.reply, where);
        const outcome = Array.isArray(event.reply) ? 'batch' : event.reply.error ? String(event.reply.error.code) : 'result';
        outcomes[outcome] = (outcomes[outcome] || 0) + 1;
      }
      state.socket.close();
    }));
    t.diagnostic(`messages by kind: ${JSON.stringify(tally)}`);
    t.diagnostic(`replies: ${JSON.stringify(outcomes)}`);
    assert.equal(Object.values(tally).reduce((a, b) => a + b, 0), 1000);
    assert.ok(await daemon.healthy());
    // Whatever jobs the messages started end.
    await waitFor(async () => (await (await daemon.get('/healthz')).json()).liveJobs === 0, { what: 'no live jobs' });
    const after = await oneShot(daemon, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/info' }));
    check('server/info', 'result', after.result);
  });
});

describe('numbers out of range', () => {
  test('a JSON number too large for a double is -32700, not a crash', async () => {
    const daemon = await startDaemon();
    try {
      const client = await RpcClient.connect(daemon.ws, daemon.token);
      const reply = await ask(client, '{"jsonrpc":"2.0","id":1,"method":"server/info","params":{"a":1e999999}}');
      assert.equal(reply.error.code, -32700);
      assert.equal((await ask(client, '[-1e400]')).error.code, -32700);
      await client.close();
      assert.ok(await daemon.healthy());
    } finally {
      await daemon.stop();
    }
  });
});

describe('out-of-range integers', () => {
  let daemon, client, compile;
  before(async () => {
    daemon = await startDaemon();
    client = await RpcClient.connect(daemon.ws, daemon.token);
    const model = (await client.job('model/import', { name: 'tiny.onnx', data: tiny.toString('base64') })).done.result.model.id;
    compile = (await client.job('compile/start', { model })).done.result.compile;
  });
  after(async () => { await client?.close(); await daemon?.stop(); });

  test('compile/diff and compile/ir with a pass index past int32 are refused (-32602), not a crash', async () => {
    for (const [method, pass] of [['compile/diff', 2 ** 31], ['compile/diff', 2 ** 32 - 1], ['compile/diff', 2 ** 32], ['compile/ir', 2 ** 32 - 2]]) {
      const reply = await req(client, method, { compile: compile.id, pass });
      assert.ok(reply.error, `${method} pass=${pass}: ${JSON.stringify(reply).slice(0, 200)}`);
      assert.equal(reply.error.code, -32602);
      assert.equal(reply.error.data.pointer, '/pass');
    }
    assert.ok(await daemon.healthy());
  });
});

describe('jobs (--max-jobs-per-client 1)', () => {
  let daemon, admin, model;
  before(async () => {
    daemon = await startDaemon({ args: ['--max-jobs-per-client', '1'] });
    admin = await RpcClient.connect(daemon.ws, daemon.token);
    const imported = await importBinary(admin, 'resnet18w48.onnx', fs.readFileSync(path.join(benchModels, 'resnet18w48.onnx')));
    assert.equal(imported.done.state, 'done', JSON.stringify(imported.done.error));
    model = imported.started.model;
  });
  after(async () => { await admin?.close(); await daemon?.stop(); });

  test('a client that disconnects mid-compile: the job still finishes and its result is stored', async () => {
    const socket = new WebSocket(daemon.ws, { headers: { Authorization: `Bearer ${daemon.token}` } });
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    // Send the request and drop the connection at once, without waiting for the reply.
    await new Promise((resolve) => socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'compile/start', params: { model } }), resolve));
    socket.terminate();

    const client = await RpcClient.connect(daemon.ws, daemon.token);
    try {
      const listed = await waitFor(async () => (await client.call('job/list', { kind: 'compile' })).jobs[0],
        { timeoutMs: 10000, what: 'the compile job' });
      const job = await waitFor(async () => {
        const { job } = await client.call('job/get', { job: listed.id });
        return ['done', 'failed', 'cancelled', 'interrupted'].includes(job.state) && job;
      }, { timeoutMs: 180000, intervalMs: 250, what: 'the compile to finish' });
      assert.equal(job.state, 'done', JSON.stringify(job.error));
      check('compile/start', 'jobResult', job.result);
      assert.equal(job.result.compile.model, model);
      assert.equal(job.result.compile.id, job.params.compile);
      const stored = await client.call('compile/get', { compile: job.result.compile.id });
      assert.deepEqual(stored.compile, job.result.compile);
      const object = await daemon.get(`/artifacts/${job.result.compile.artifacts.object.hash}`);
      assert.equal(object.status, 200);
    } finally {
      await client.close();
    }
    assert.ok(await daemon.healthy());
  });

  test('job/cancel of a running compile: state cancelled, no compile stored, no compiler left running', async () => {
    const client = await RpcClient.connect(daemon.ws, daemon.token);
    try {
      const started = await client.call('compile/start', { model, recipe: recipeWith({ threads: 2, m: 32 }) });
      assert.notEqual(started.cache, 'hit');
      // Wait until it runs (a progress notification after "started").
      await waitFor(() => client.notifications.some((n) => n.method === 'job/progress' && n.params.job === started.job && n.params.progress > 0),
        { timeoutMs: 30000, intervalMs: 20, what: 'the compile to run' });
      const t0 = Date.now();
      const cancelled = check('job/cancel', 'result', await client.call('job/cancel', { job: started.job }));
      assert.ok(Date.now() - t0 < 5000, 'job/cancel waits only briefly');
      assert.equal(cancelled.job.state, 'cancelled');
      assert.equal(cancelled.job.error.code, -32011);
      assert.match(cancelled.job.error.message, /cancelled/);
      const done = await client.waitJob(started.job, 10000);
      assert.equal(done.state, 'cancelled');
      assert.equal((await client.call('job/get', { job: started.job })).job.state, 'cancelled');
      assert.equal((await client.request('compile/get', { compile: started.compile })).error.code, -32002);
      // Cancelling again, or a finished job, answers its final state.
      assert.equal((await client.call('job/cancel', { job: started.job })).job.state, 'cancelled');
      const children = childPids(daemon.proc.pid);
      if (children) await waitFor(() => childPids(daemon.proc.pid).length === 0, { timeoutMs: 5000, what: 'no compiler process left' });
      assert.equal((await (await daemon.get('/healthz')).json()).liveJobs, 0);
    } finally {
      await client.close();
    }
    assert.ok(await daemon.healthy());
  });

  test('per-connection job limit: a second job on the same connection gets -32003, another connection may start one', async () => {
    const first = await RpcClient.connect(daemon.ws, daemon.token);
    const second = await RpcClient.connect(daemon.ws, daemon.token);
    try {
      const one = await first.call('compile/start', { model, recipe: recipeWith({ threads: 3, m: 16 }) });
      const refused = await first.request('compile/start', { model, recipe: recipeWith({ threads: 4, m: 16 }) });
      assert.equal(refused.error?.code, -32003, JSON.stringify(refused));
      assert.match(refused.error.message, /this connection has 1 jobs queued or running; the limit is 1/);
      const refusedImport = await first.request('model/import', { name: 't.onnx', data: tiny.toString('base64') });
      assert.equal(refusedImport.error?.code, -32003);
      // Even a cache hit counts against the limit while the first runs.
      const refusedHit = await first.request('compile/start', { model });
      assert.equal(refusedHit.error?.code, -32003);
      const two = await second.call('compile/start', { model, recipe: recipeWith({ threads: 4, m: 16 }) });
      for (const [client, job] of [[first, one.job], [second, two.job]]) {
        const state = (await client.call('job/cancel', { job })).job.state;
        assert.ok(['cancelled', 'done'].includes(state), state);
      }
      // With its job ended the connection may start another (a cache hit of the first test's compile).
      const again = await first.call('compile/start', { model });
      assert.equal(again.cache, 'hit');
      assert.equal((await first.waitJob(again.job, 10000)).state, 'done');
    } finally {
      await first.close();
      await second.close();
    }
    assert.ok(await daemon.healthy());
  });
});
