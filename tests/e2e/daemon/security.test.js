// Authentication, the Origin check, roles, token revocation, the audit
// log, and tokens at rest (only their hashes are stored).
//   node --test tests/e2e/daemon/security.test.js
'use strict';
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { RpcClient, benchModels } = require('./daemon');
const { check } = require('./schemas');
const { rawConnect } = require('./rawws');
const { startDaemon, knownBug } = require('./testutil');

const tiny = fs.readFileSync(path.join(benchModels, 'tiny_conv_mm.onnx'));
const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');

/** A raw WebSocket upgrade; resolves with { status, headers, body } (or the open connection on 101). */
async function upgrade(daemon, { token, path: urlPath = '/api', headers = {} } = {}) {
  const response = await rawConnect(daemon.port, { token, path: urlPath, headers });
  const body = response.status === 101 ? '' : await response.conn.body();
  response.conn.destroy();
  return { ...response, body };
}

describe('authentication and origin', () => {
  let daemon, artifactHash;
  before(async () => {
    daemon = await startDaemon();
    const client = await RpcClient.connect(daemon.ws, daemon.token);
    // The stored ONNX bytes are an artifact named by their SHA-256 (the model id).
    artifactHash = (await client.job('model/import', { name: 'tiny.onnx', data: tiny.toString('base64') })).done.result.model.id;
    await client.close();
  });
  after(() => daemon?.stop());

  const routes = () => ['/healthz', '/metrics', `/artifacts/${artifactHash}`];

  test('with the token: the HTTP routes answer 200', async () => {
    for (const route of routes()) assert.equal((await daemon.get(route)).status, 200, route);
    const artifact = await daemon.get(`/artifacts/${artifactHash}`);
    assert.ok(Buffer.from(await artifact.arrayBuffer()).equals(tiny));
    assert.ok(await daemon.healthy());
  });

  test('no token: 401 with WWW-Authenticate for every route, and no WebSocket upgrade', async () => {
    for (const route of [...routes(), '/api', '/lsp']) {
      const res = await daemon.get(route, {});
      assert.equal(res.status, 401, route);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      const body = await res.text();
      assert.match(body, /a token is required/);
      assert.ok(!body.includes('openopt_compile') && !body.includes('ONNX'), 'nothing of the resource leaks');
    }
    const refused = await upgrade(daemon);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['www-authenticate'], 'Bearer');
    assert.equal(refused.headers.upgrade, undefined, 'no Upgrade header: the connection stays HTTP');
    await assert.rejects(RpcClient.connect(daemon.ws, undefined), (e) => e.status === 401);
    assert.ok(await daemon.healthy());
  });

  test('the web UI shell loads without a token (it holds no data and asks for one), and sets no cookie', async () => {
    for (const route of ['/', '/index.html']) {
      const res = await daemon.get(route, {});
      assert.equal(res.status, 200, route);
      assert.match(res.headers.get('content-type'), /text\/html/);
      assert.equal(res.headers.get('set-cookie'), null, route);
    }
    const wrongToken = await daemon.get('/?token=' + 'z'.repeat(40), {});
    assert.equal(wrongToken.status, 200);
    assert.equal(wrongToken.headers.get('set-cookie'), null, 'a wrong token sets no cookie');
  });

  test('a wrong token: 401 for HTTP and WebSocket', async () => {
    for (const wrong of [daemon.token.slice(0, -1) + (daemon.token.endsWith('0') ? '1' : '0'), 'x'.repeat(40), 'y'.repeat(10000)]) {
      for (const route of routes()) {
        const res = await daemon.get(route, { Authorization: `Bearer ${wrong}` });
        assert.equal(res.status, 401, route);
        assert.match(await res.text(), /the token is not valid/);
      }
      assert.equal((await upgrade(daemon, { token: wrong })).status, 401);
      assert.equal((await daemon.get(`/healthz?token=${wrong}`, {})).status, 401);
      await assert.rejects(RpcClient.connect(daemon.ws, wrong), (e) => e.status === 401);
    }
    // Another scheme is not a token.
    assert.equal((await daemon.get('/healthz', { Authorization: `Basic ${daemon.token}` })).status, 401);
    assert.ok(await daemon.healthy());
  });

  test('the token in ?token= works for HTTP and the WebSocket, and sets an HttpOnly SameSite=Strict cookie', async () => {
    const res = await daemon.get(`/healthz?token=${daemon.token}`, {});
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie');
    assert.match(cookie, /^openopt_token=[0-9a-f]+; HttpOnly; SameSite=Strict; Path=\/$/);
    assert.equal((await daemon.get('/metrics', { Cookie: cookie.split(';')[0] })).status, 200, 'the cookie authenticates');
    assert.equal((await daemon.get(`/artifacts/${artifactHash}?token=${daemon.token}`, {})).status, 200);

    const client = await RpcClient.connect(`${daemon.ws}?token=${daemon.token}`, undefined);
    assert.equal((await client.call('server/info')).role, 'admin');
    await client.close();
    assert.ok(await daemon.healthy());
  });

  test('a foreign Origin is refused with 403; the server\'s own origin and no Origin are accepted', async () => {
    for (const origin of ['http://evil.example', 'null', `http://localhost:${daemon.port}`, `https://127.0.0.1:${daemon.port}`, 'http://127.0.0.1']) {
      const refused = await upgrade(daemon, { token: daemon.token, headers: { Origin: origin } });
      assert.equal(refused.status, 403, origin);
      assert.equal(refused.headers.upgrade, undefined);
      assert.match(refused.body, /is not allowed \(see --allow-origin\)/);
    }
    await assert.rejects(RpcClient.connect(daemon.ws, daemon.token, { origin: 'http://evil.example' }), (e) => e.status === 403);
    const own = await upgrade(daemon, { token: daemon.token, headers: { Origin: `http://127.0.0.1:${daemon.port}` } });
    assert.equal(own.status, 101);
    assert.ok(own.acceptValid);
    const client = await RpcClient.connect(daemon.ws, daemon.token, { origin: `http://127.0.0.1:${daemon.port}` });
    assert.equal((await client.call('server/info')).name, 'openoptd');
    await client.close();
    assert.equal((await upgrade(daemon, { token: daemon.token })).status, 101, 'no Origin (not a browser)');
    assert.ok(await daemon.healthy());
  });

  test('--allow-origin X accepts X and nothing else', async () => {
    const allowing = await startDaemon({ args: ['--allow-origin', 'http://evil.example', '--allow-origin', 'http://localhost:5173'] });
    try {
      for (const origin of ['http://evil.example', 'http://localhost:5173', `http://127.0.0.1:${allowing.port}`])
        assert.equal((await upgrade(allowing, { token: allowing.token, headers: { Origin: origin } })).status, 101, origin);
      for (const origin of ['http://evil.example.com', 'https://evil.example', 'http://localhost:5174'])
        assert.equal((await upgrade(allowing, { token: allowing.token, headers: { Origin: origin } })).status, 403, origin);
      // The Origin check comes after authentication: an allowed origin is no substitute for a token.
      assert.equal((await upgrade(allowing, { headers: { Origin: 'http://evil.example' } })).status, 401);
      assert.ok(await allowing.healthy());
    } finally {
      await allowing.stop();
    }
    assert.ok(await daemon.healthy());
  });
});

describe('roles, revocation, audit and tokens at rest', () => {
  // The tests run in order and share these.
  let daemon, admin, viewer, editor, model, compile;
  before(async () => {
    daemon = await startDaemon();
    admin = await RpcClient.connect(daemon.ws, daemon.token);
  });
  after(async () => {
    for (const client of [admin, viewer?.client, editor?.client]) await client?.close();
    await daemon?.stop();
  });

  test('token/create (admin) makes viewer and editor tokens; the secret is shown once', async () => {
    viewer = check('token/create', 'result', await admin.call('token/create', { name: 'viewer-token', role: 'viewer' }));
    editor = check('token/create', 'result', await admin.call('token/create', { name: 'editor-token', role: 'editor' }));
    assert.equal(viewer.info.role, 'viewer');
    assert.equal(editor.info.role, 'editor');
    assert.notEqual(viewer.token, editor.token);
    const list = check('token/list', 'result', await admin.call('token/list'));
    assert.deepEqual(list.tokens.map((t) => t.name).sort(), ['editor-token', 'token-file', 'viewer-token']);
    assert.ok(!JSON.stringify(list).includes(viewer.token) && !JSON.stringify(list).includes(editor.token), 'token/list has no secrets');
    viewer.client = await RpcClient.connect(daemon.ws, viewer.token);
    editor.client = await RpcClient.connect(daemon.ws, editor.token);
    assert.ok(await daemon.healthy());
  });

  test('an editor may import, compile, run and cancel, but not manage tokens or read the audit log (-32001)', async () => {
    const info = await editor.client.call('server/info');
    assert.equal(info.role, 'editor');
    assert.ok(info.methods.includes('compile/start') && !info.methods.includes('token/create'));
    const imported = await editor.client.job('model/import', { name: 'tiny.onnx', data: tiny.toString('base64') });
    assert.equal(imported.done.state, 'done');
    model = imported.started.model;
    const compiled = await editor.client.job('compile/start', { model });
    assert.equal(compiled.done.state, 'done');
    compile = compiled.done.result.compile.id;
    const ran = await editor.client.job('run/start', { compile, iterations: 1 });
    assert.equal(ran.done.state, 'done', JSON.stringify(ran.done.error));
    assert.equal((await editor.client.call('job/cancel', { job: ran.started.job })).job.state, 'done');
    for (const [method, params] of [['token/create', { name: 'mine', role: 'admin' }], ['token/list', {}],
      ['token/revoke', { id: viewer.info.id }], ['audit/list', {}]]) {
      const reply = await editor.client.request(method, params);
      assert.equal(reply.error?.code, -32001, `${method}: ${JSON.stringify(reply)}`);
      assert.equal(reply.error.message, `${method} needs the admin role; this token is editor`);
    }
    assert.ok(await daemon.healthy());
  });

  test('a viewer may read, but compile/start, model/import, run/start and the rest get -32001', async () => {
    const info = await viewer.client.call('server/info');
    assert.equal(info.role, 'viewer');
    assert.ok(!info.methods.includes('compile/start') && info.methods.includes('model/list'));
    assert.deepEqual((await viewer.client.call('model/list')).models.map((m) => m.id), [model]);
    assert.equal((await viewer.client.call('compile/get', { compile })).compile.id, compile);
    assert.ok((await viewer.client.call('job/list')).jobs.length >= 3);
    for (const [method, params, role] of [
      ['compile/start', { model }, 'editor'],
      ['model/import', { name: 'v.onnx', data: tiny.toString('base64') }, 'editor'],
      ['run/start', { compile }, 'editor'],
      ['profile/start', { compile }, 'editor'],
      ['job/cancel', { job: 'a'.repeat(32) }, 'editor'],
      ['token/create', { name: 'escalate', role: 'admin' }, 'admin'],
      ['audit/list', {}, 'admin'],
      ['compile/start', {}, 'editor'], // refused before its params are even checked
    ]) {
      const reply = await viewer.client.request(method, params);
      assert.equal(reply.error?.code, -32001, `${method}: ${JSON.stringify(reply)}`);
      assert.equal(reply.error.message, `${method} needs the ${role} role; this token is viewer`);
    }
    // Refused imports start no job.
    assert.equal((await admin.call('job/list', { kind: 'import' })).jobs.length, 1);
    assert.ok(await daemon.healthy());
  });

  test('token/revoke: the token stops working for new connections and HTTP', async () => {
    const revoked = check('token/revoke', 'result', await admin.call('token/revoke', { id: editor.info.id }));
    assert.equal(revoked.revoked, true);
    assert.equal((await admin.call('token/revoke', { id: editor.info.id })).revoked, false, 'revoking twice');
    await assert.rejects(RpcClient.connect(daemon.ws, editor.token), (e) => e.status === 401);
    assert.equal((await upgrade(daemon, { token: editor.token })).status, 401);
    assert.equal((await daemon.get('/healthz', { Authorization: `Bearer ${editor.token}` })).status, 401);
    const listed = (await admin.call('token/list')).tokens.find((t) => t.id === editor.info.id);
    assert.ok(listed.revokedAt, 'token/list shows when it was revoked');
    // The others still work.
    const again = await RpcClient.connect(daemon.ws, viewer.token);
    assert.equal((await again.call('server/info')).role, 'viewer');
    await again.close();
    assert.ok(await daemon.healthy());
  });

  test('token/revoke also ends what an open connection of that token may do', async () => {
    // editor.client was opened before the revocation above.
    const reply = await editor.client.request('model/import', { name: 'after-revoke.onnx', data: tiny.subarray(0, 100).toString('base64') });
    assert.ok(reply.error, `a revoked token's connection was allowed: ${JSON.stringify(reply)}`);
    assert.equal(reply.error.code, -32001);
    assert.ok(await daemon.healthy());
  });

  test('audit/list shows every mutating call, allowed or refused, with method, role, token and outcome', async () => {
    const { entries } = check('audit/list', 'result', await admin.call('audit/list', { limit: 1000 }));
    const adminId = (await admin.call('token/list')).tokens.find((t) => t.name === 'token-file').id;
    const has = (what, method, role, tokenId, outcome, target) => {
      const row = entries.find((e) => e.method === method && e.role === role && e.tokenId === tokenId &&
        (outcome instanceof RegExp ? outcome.test(e.outcome) : e.outcome === outcome) && (target === undefined || e.target === target));
      assert.ok(row, `an audit row for ${what}:\n${JSON.stringify(entries, null, 1).slice(0, 3000)}`);
      assert.match(row.remote, /^127\.0\.0\.1:\d+$/);
      assert.match(row.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    };
    const refused = (method, role) => new RegExp(`^error -32001: ${method} needs the \\w+ role; this token is ${role}$`);
    has('the admin creating the viewer token', 'token/create', 'admin', adminId, 'ok', 'viewer-token');
    has('the admin revoking the editor', 'token/revoke', 'admin', adminId, 'ok', editor.info.id);
    has('the editor importing', 'model/import', 'editor', editor.info.id, 'ok', 'tiny.onnx');
    has('the editor compiling', 'compile/start', 'editor', editor.info.id, 'ok', model);
    has('the editor running', 'run/start', 'editor', editor.info.id, 'ok', compile);
    has('the editor refused token/create', 'token/create', 'editor', editor.info.id, refused('token/create', 'editor'));
    has('the editor refused token/revoke', 'token/revoke', 'editor', editor.info.id, refused('token/revoke', 'editor'));
    has('the viewer refused compile/start', 'compile/start', 'viewer', viewer.info.id, refused('compile/start', 'viewer'), model);
    has('the viewer refused model/import', 'model/import', 'viewer', viewer.info.id, refused('model/import', 'viewer'));
    has('the viewer refused run/start', 'run/start', 'viewer', viewer.info.id, refused('run/start', 'viewer'));
    has('the viewer refused token/create', 'token/create', 'viewer', viewer.info.id, refused('token/create', 'viewer'));
    // Reads are not audited, allowed or not.
    const reads = new Set(['server/info', 'model/list', 'model/get', 'compile/get', 'job/list', 'job/get', 'token/list', 'audit/list']);
    assert.deepEqual(entries.filter((e) => reads.has(e.method)), []);
    // Newest first.
    assert.ok(entries.every((e, i) => i === 0 || entries[i - 1].id > e.id));
    assert.ok(await daemon.healthy());
  });

  test('the database holds token hashes, never token text', async () => {
    const dbDir = path.join(daemon.dataDir, 'db');
    const files = fs.readdirSync(dbDir).filter((f) => f.startsWith('openopt.db'));
    assert.ok(files.includes('openopt.db'), files.join(', '));
    // WAL mode: recent rows may still be in openopt.db-wal.
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(dbDir, f))));
    for (const [name, token] of [['admin', daemon.token], ['viewer', viewer.token], ['editor', editor.token]]) {
      assert.ok(!bytes.includes(Buffer.from(token)), `the ${name} token's text is not in ${files.join(', ')}`);
      assert.ok(!bytes.includes(Buffer.from(token.toUpperCase())), `nor in upper case`);
      assert.ok(bytes.includes(Buffer.from(sha256(token))), `the ${name} token's SHA-256 is (we looked in the right place)`);
    }
    // Nor in the daemon's log.
    for (const token of [daemon.token, viewer.token, editor.token]) assert.ok(!daemon.stderr().includes(token), 'no token in the log');
    assert.ok(await daemon.healthy());
  });
});
