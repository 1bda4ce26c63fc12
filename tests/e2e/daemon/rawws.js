// A WebSocket client on raw TCP (node:net) for tests that must send what
// a well-behaved client library never would: hand-made frames, bad
// handshakes, messages larger than the server accepts.
'use strict';
const net = require('node:net');
const crypto = require('node:crypto');

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Seeded PRNG (mulberry32): the same seed gives the same sequence. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    pick: (array) => array[Math.floor(next() * array.length)],
    bytes: (n) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256); return b; },
  };
  return rng;
}

/**
 * Encodes one frame. A client frame is masked unless mask: false; rsv is
 * the three reserved bits as a number 0-7 (RSV1 = 4). `length` declares a
 * payload length other than payload's (its bytes then follow separately,
 * masked with maskKey: an all-zero key leaves them as they are).
 */
function encodeFrame({ opcode, payload = Buffer.alloc(0), fin = true, rsv = 0, mask = true, maskKey, length }) {
  payload = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const declared = length ?? payload.length;
  let head;
  if (declared < 126) {
    head = Buffer.alloc(2);
    head[1] = declared;
  } else if (declared < 65536) {
    head = Buffer.alloc(4);
    head[1] = 126;
    head.writeUInt16BE(declared, 2);
  } else {
    head = Buffer.alloc(10);
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(declared), 2);
  }
  head[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([head, payload]);
  head[1] |= 0x80;
  const key = maskKey || crypto.randomBytes(4);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ key[i & 3];
  return Buffer.concat([head, key, masked]);
}

/** A close frame's payload: the code, then the reason. */
function closePayload(code, reason = '') {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return Buffer.concat([b, Buffer.isBuffer(reason) ? reason : Buffer.from(reason)]);
}

/**
 * Opens a TCP connection and sends an HTTP/1.1 GET (a WebSocket upgrade
 * unless upgrade: false). Resolves with the response status and headers;
 * on 101, `conn` reads the server's frames.
 */
async function rawConnect(port, { path = '/api', token, headers = {}, upgrade = true } = {}) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const key = crypto.randomBytes(16).toString('base64');
  const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
  if (upgrade)
    lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13');
  else
    lines.push('Connection: close');
  if (token) lines.push(`Authorization: Bearer ${token}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
  return new RawConnection(socket, key).response();
}

class RawConnection {
  constructor(socket, key) {
    this.socket = socket;
    this.key = key;
    this.buffer = Buffer.alloc(0);
    this.head = null;
    this.frames = [];
    this.waiters = [];
    this.error = null;
    this.ended = false;
    this.bytesWritten = 0;
    this.closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('data', (data) => { this.buffer = Buffer.concat([this.buffer, data]); this.parse(); this.wake(); });
    socket.on('error', (e) => { this.error = e; });
    socket.on('end', () => { this.ended = true; });
    socket.on('close', () => { this.ended = true; this.wake(); });
  }

  response() {
    return new Promise((resolve, reject) => {
      this.onHead = resolve;
      this.socket.once('close', () => { if (!this.head) reject(new Error('the connection closed before an HTTP response')); });
      this.parse();
    });
  }

  parse() {
    if (!this.head) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...headerLines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.head = { status: Number(statusLine.split(' ')[1]), statusLine, headers };
      this.buffer = this.buffer.subarray(end + 4);
      if (this.head.status === 101) {
        const expected = crypto.createHash('sha1').update(this.key + GUID).digest('base64');
        this.head.acceptValid = headers['sec-websocket-accept'] === expected;
      }
      this.onHead({ ...this.head, conn: this });
      if (this.head.status !== 101) return; // the body stays in this.buffer
    }
    if (this.head.status !== 101) return;
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      let length = b[1] & 0x7f;
      let offset = 2;
      if (length === 126) { if (b.length < 4) break; length = b.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (b.length < 10) break; length = Number(b.readBigUInt64BE(2)); offset = 10; }
      const masked = (b[1] & 0x80) !== 0;
      if (masked) offset += 4;
      if (b.length < offset + length) break;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[offset - 4 + (i & 3)];
      this.frames.push({ fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 7, opcode: b[0] & 0x0f, masked, payload });
      this.buffer = b.subarray(offset + length);
    }
    this.wake();
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the next frame from the server, or null once the connection ends. */
  async nextFrame(timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.ended) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame from the server within ${timeoutMs} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    return this.frames.shift();
  }

  /** Skips data frames until a close frame: resolves with { code, reason } or null if none came. */
  async closeFrame(timeoutMs = 10000) {
    for (;;) {
      const frame = await this.nextFrame(timeoutMs);
      if (!frame) return null;
      if (frame.opcode === 0x8) {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        return { code, reason: frame.payload.subarray(2).toString('utf8'), frame };
      }
    }
  }

  /** Resolves with the next text message (a single unfragmented frame) parsed as JSON. */
  async nextJson(timeoutMs = 10000) {
    for (;;) {
      const frame = await this.nextFrame(timeoutMs);
      if (!frame) throw new Error('the connection ended before a reply');
      if (frame.opcode === 0x1) return JSON.parse(frame.payload.toString('utf8'));
      if (frame.opcode === 0x8) throw new Error(`the server closed with ${frame.payload.readUInt16BE(0)}`);
    }
  }

  /** Writes bytes; resolves once they are handed to the kernel (false if the socket failed). */
  write(bytes) {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve(false);
      this.socket.write(bytes, (err) => { if (!err) this.bytesWritten += bytes.length; resolve(!err); });
    });
  }

  sendFrame(options) { return this.write(encodeFrame(options)); }

  /**
   * Writes the chunks in pieces of at most 64 KiB, letting the event loop
   * read between pieces, and stops once the server has sent a close frame
   * (as a client that reads while it writes would). Small pieces matter:
   * when the server closes with unread data the kernel resets the
   * connection, and Node drops what it has not read yet as soon as a
   * pending write fails.
   */
  async writePaced(chunks, { pause = () => new Promise((resolve) => setTimeout(resolve, 1)) } = {}) {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length || (at === 0 && chunk.length === 0); at += 65536) {
        if (this.frames.some((f) => f.opcode === 0x8) || this.ended || this.socket.destroyed) return false;
        if (!(await this.write(chunk.subarray(at, at + 65536)))) return false;
        await pause();
        if (chunk.length === 0) break;
      }
    }
    return true;
  }

  /** Answers a close (as the protocol asks) and ends the TCP connection. */
  async finish() {
    if (!this.socket.destroyed) {
      await this.write(encodeFrame({ opcode: 0x8, payload: closePayload(1000) })).catch(() => {});
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 2000);
      await this.closed;
      clearTimeout(timer);
    }
  }

  /** Resolves true if the server ends the TCP connection within timeoutMs. */
  serverEnds(timeoutMs = 5000) {
    if (this.ended) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const done = () => { clearTimeout(timer); resolve(true); };
      this.socket.once('end', done);
      this.socket.once('close', done);
    });
  }

  /** The body of a non-101 response (by its Content-Length). */
  async body(timeoutMs = 5000) {
    const length = Number(this.head.headers['content-length'] || 0);
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length < length && !this.ended && Date.now() < deadline)
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    return this.buffer.subarray(0, length).toString('utf8');
  }

  destroy() { this.socket.destroy(); }
}

module.exports = { prng, encodeFrame, closePayload, rawConnect, RawConnection };
