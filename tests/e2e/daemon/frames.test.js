// WebSocket framing (RFC 6455) at the byte level: the upgrade handshake
// and hand-made frames over raw TCP. Every protocol violation must end
// the connection with the close code the RFC names, and the daemon must
// keep serving.
//   node --test tests/e2e/daemon/frames.test.js
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startDaemon } = require('./testutil');
const { rawConnect, closePayload } = require('./rawws');

let daemon;
before(async () => { daemon = await startDaemon(); });
after(() => daemon && daemon.stop());

const TEXT = 0x1, BINARY = 0x2, CONTINUATION = 0x0, CLOSE = 0x8, PING = 0x9;
const request = (id, method = 'server/info') => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method }));

async function open() {
  const response = await rawConnect(daemon.port, { token: daemon.token });
  assert.equal(response.status, 101, response.statusLine);
  assert.ok(response.acceptValid, 'Sec-WebSocket-Accept is the hash of our key');
  assert.equal(response.headers.upgrade.toLowerCase(), 'websocket');
  return response.conn;
}

/** Sends the frames and asserts the server closes with `code` and ends the connection. */
async function expectClose(frames, code) {
  const conn = await open();
  try {
    for (const frame of frames) await conn.sendFrame(frame);
    const close = await conn.closeFrame();
    assert.ok(close, 'the server sent a close frame before ending the connection');
    assert.ok(!close.frame.masked && close.frame.fin, 'a server frame is unmasked and final');
    if (Array.isArray(code)) assert.ok(code.includes(close.code), `close code ${close.code} is one of ${code}`);
    else assert.equal(close.code, code, `close code (reason: ${JSON.stringify(close.reason)})`);
    assert.ok(await conn.serverEnds(5000), 'the server ends the TCP connection after the close');
  } finally {
    conn.destroy();
  }
  assert.ok(await daemon.healthy(), 'the daemon is healthy afterwards');
}

test('control: a valid masked text frame is answered, a ping gets its pong, a fragmented message with a ping inside is reassembled', async () => {
  const conn = await open();
  try {
    await conn.sendFrame({ opcode: TEXT, payload: request(1) });
    const reply = await conn.nextJson();
    assert.equal(reply.id, 1);
    assert.equal(reply.result.name, 'openoptd');

    await conn.sendFrame({ opcode: PING, payload: Buffer.from('are you there') });
    const pong = await conn.nextFrame();
    assert.equal(pong.opcode, 0xA);
    assert.equal(pong.payload.toString(), 'are you there');

    // Three fragments, a multi-byte character split across two of them, a
    // ping between fragments (control frames may interleave).
    const text = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 'frag-é€😀', method: 'model/lst' }));
    const euro = text.indexOf(Buffer.from('€'));
    await conn.sendFrame({ opcode: TEXT, fin: false, payload: text.subarray(0, euro + 1) });
    await conn.sendFrame({ opcode: PING, payload: Buffer.from('mid') });
    await conn.sendFrame({ opcode: CONTINUATION, fin: false, payload: text.subarray(euro + 1, euro + 5) });
    await conn.sendFrame({ opcode: CONTINUATION, payload: text.subarray(euro + 5) });
    const midPong = await conn.nextFrame();
    assert.equal(midPong.opcode, 0xA);
    assert.equal(midPong.payload.toString(), 'mid');
    const fragReply = await conn.nextJson();
    assert.equal(fragReply.id, 'frag-é€😀');
    assert.equal(fragReply.error.code, -32601);

    // A clean close is echoed with the same code.
    await conn.sendFrame({ opcode: CLOSE, payload: closePayload(1000, 'bye') });
    const close = await conn.closeFrame();
    assert.equal(close.code, 1000);
    assert.ok(await conn.serverEnds());
  } finally {
    conn.destroy();
  }
  assert.ok(await daemon.healthy());
});

for (const [name, rsv] of [['RSV1', 4], ['RSV2', 2], ['RSV3', 1]])
  test(`${name} set without a negotiated extension: 1002`, () =>
    expectClose([{ opcode: TEXT, rsv, payload: request(2) }], 1002));

test('RSV1 on a control frame: 1002', () => expectClose([{ opcode: PING, rsv: 4 }], 1002));

for (const opcode of [0x3, 0x7, 0xB, 0xF])
  test(`reserved opcode 0x${opcode.toString(16).toUpperCase()}: 1002`, () =>
    expectClose([{ opcode, payload: Buffer.from('x') }], 1002));

test('a text frame that is not UTF-8: 1007', () =>
  expectClose([{ opcode: TEXT, payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }], 1007));

test('a text frame with a UTF-16 surrogate encoded in UTF-8 (CESU): 1007', () =>
  expectClose([{ opcode: TEXT, payload: Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]) }], 1007));

test('a text frame with an overlong encoding: 1007', () =>
  expectClose([{ opcode: TEXT, payload: Buffer.from([0x22, 0xc0, 0xaf, 0x22]) }], 1007));

test('invalid UTF-8 in a continuation frame of a text message: 1007', () =>
  expectClose([{ opcode: TEXT, fin: false, payload: Buffer.from('"ab') },
    { opcode: CONTINUATION, payload: Buffer.from([0xf8, 0x88, 0x22]) }], 1007));

test('an unmasked client frame: 1002', () =>
  expectClose([{ opcode: TEXT, mask: false, payload: request(3) }], 1002));

test('a fragmented control frame (ping with FIN=0): 1002', () =>
  expectClose([{ opcode: PING, fin: false, payload: Buffer.from('hi') }], 1002));

test('a ping with a 126-byte payload (control frames carry at most 125): 1002', () =>
  expectClose([{ opcode: PING, payload: Buffer.alloc(126, 0x61) }], 1002));

test('a close frame with a 126-byte payload: 1002', () =>
  expectClose([{ opcode: CLOSE, payload: Buffer.concat([closePayload(1000), Buffer.alloc(124, 0x61)]) }], 1002));

test('a continuation frame with no message to continue: 1002', () =>
  expectClose([{ opcode: CONTINUATION, payload: Buffer.from('x') }], 1002));

test('a new text frame while a fragmented message is open: 1002', () =>
  expectClose([{ opcode: TEXT, fin: false, payload: Buffer.from('[') }, { opcode: TEXT, payload: Buffer.from(']') }], 1002));

for (const [name, payload] of [['code 1005 (reserved, never sent)', closePayload(1005)], ['code 999', closePayload(999)],
  ['a one-byte payload', Buffer.from([3])]])
  test(`a close frame with ${name}: 1002`, () => expectClose([{ opcode: CLOSE, payload }], 1002));

test('a close frame whose reason is not UTF-8: 1002 or 1007', () =>
  expectClose([{ opcode: CLOSE, payload: closePayload(1000, Buffer.from([0xff])) }], [1002, 1007]));

test('an application close code (4000) is echoed', () =>
  expectClose([{ opcode: CLOSE, payload: closePayload(4000) }], 4000));

test('a 64-bit length with the most significant bit set: 1002 or 1009', () =>
  expectClose([{ opcode: BINARY, length: 2 ** 63 }], [1002, 1009]));
