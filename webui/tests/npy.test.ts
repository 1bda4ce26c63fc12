import { describe, expect, it } from 'vitest';
import { parseNpy, toBase64 } from '../src/runs/npy';

/** A NumPy format 1.0 file: magic, version, uint16 LE header length, dict padded with spaces to 64 bytes, '\n'. */
function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return npyWithHeader(`{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`, data);
}

function npyWithHeader(dict: string, data: Uint8Array): Uint8Array {
  const total = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(data, 10 + head.length);
  return out;
}

const bytesOf = (a: Float32Array | BigInt64Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('parseNpy', () => {
  it('builds test files the way NumPy does (64-byte aligned header ending in \\n)', () => {
    const file = npy('<f4', [2, 3], new Uint8Array(24));
    const headerLen = new DataView(file.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    expect(file[10 + headerLen - 1]).toBe(0x0a);
  });

  it('reads a little-endian float32 array', () => {
    const values = new Float32Array([1.5, -2, 3.25, 0, 1e-3, 42]);
    const t = parseNpy(npy('<f4', [2, 3], bytesOf(values)));
    expect(t.dtype).toBe('f32');
    expect(t.shape).toEqual([2, 3]);
    expect(t.data.length).toBe(24);
    expect(Array.from(new Float32Array(t.data.slice().buffer))).toEqual(Array.from(values));
  });

  it('reads an int64 vector', () => {
    const values = new BigInt64Array([1n, -5n, 9007199254740993n]);
    const t = parseNpy(npy('<i8', [3], bytesOf(values)));
    expect(t.dtype).toBe('i64');
    expect(t.shape).toEqual([3]);
    expect(Array.from(new BigInt64Array(t.data.slice().buffer))).toEqual([1n, -5n, 9007199254740993n]);
  });

  it('reads a scalar and an empty array', () => {
    const scalar = parseNpy(npy('<i4', [], bytesOf(new Int32Array([7]))));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(new Int32Array(scalar.data.slice().buffer))).toEqual([7]);
    const empty = parseNpy(npy('<f4', [0, 3], new Uint8Array(0)));
    expect(empty.shape).toEqual([0, 3]);
    expect(empty.data.length).toBe(0);
  });

  it('maps the supported element types', () => {
    const expected: [string, string, number][] = [
      ['<f2', 'f16', 2], ['<f8', 'f64', 8], ['|i1', 'i8', 1], ['<i2', 'i16', 2], ['|u1', 'u8', 1], ['|b1', 'bool', 1],
    ];
    for (const [descr, dtype, size] of expected) {
      const t = parseNpy(npy(descr, [2], new Uint8Array(2 * size)));
      expect(t.dtype).toBe(dtype);
      expect(t.data.length).toBe(2 * size);
    }
  });

  it('ignores trailing bytes and reads from a view inside a larger buffer', () => {
    const file = npy('<f4', [1], bytesOf(new Float32Array([2.5])));
    const big = new Uint8Array(file.length + 13);
    big.set(file, 5);
    const t = parseNpy(big.subarray(5, 5 + file.length + 4));
    expect(t.data.length).toBe(4);
    expect(new Float32Array(t.data.slice().buffer)[0]).toBe(2.5);
  });

  it('reads a version 2.0 header (uint32 length)', () => {
    const v1 = npy('<f4', [1], bytesOf(new Float32Array([3])));
    const headerLen = new DataView(v1.buffer).getUint16(8, true);
    const v2 = new Uint8Array(v1.length + 2);
    v2.set(v1.subarray(0, 8), 0);
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, headerLen, true);
    v2.set(v1.subarray(10), 12);
    expect(Array.from(new Float32Array(parseNpy(v2).data.slice().buffer))).toEqual([3]);
  });

  it('names the file when the magic is wrong', () => {
    const file = npy('<f4', [1], new Uint8Array(4));
    file[1] = 0x58;
    expect(() => parseNpy(file, 'input.npy')).toThrow('input.npy: not a .npy file');
    expect(() => parseNpy(new Uint8Array([0x93, 0x4e]), 'tiny.npy')).toThrow('tiny.npy: not a .npy file');
    expect(() => parseNpy(new Uint8Array(64))).toThrow('the .npy file: not a .npy file');
  });

  it('refuses Fortran order, naming the file', () => {
    expect(() => parseNpy(npy('<f4', [2, 2], new Uint8Array(16), true), 'x.npy')).toThrow('x.npy: Fortran-order arrays are not supported');
  });

  it('refuses unsupported element types, naming the file and the type', () => {
    expect(() => parseNpy(npy('<c8', [2], new Uint8Array(16)), 'complex.npy')).toThrow(/^complex\.npy: element type <c8 is not supported/);
    expect(() => parseNpy(npy('>f4', [2], new Uint8Array(8)), 'be.npy')).toThrow('be.npy: element type >f4 is not supported');
  });

  it('refuses truncated data, naming the file and the sizes', () => {
    expect(() => parseNpy(npy('<f4', [2, 3], new Uint8Array(20)), 'short.npy')).toThrow('short.npy: 24 bytes of data expected, 20 present');
    expect(() => parseNpy(npy('<i8', [4], new Uint8Array(0)), 'empty.npy')).toThrow('empty.npy: 32 bytes of data expected, 0 present');
  });

  it('refuses a header running past the end, or lacking fields', () => {
    const file = npy('<f4', [1], new Uint8Array(4));
    expect(() => parseNpy(file.subarray(0, 40), 'cut.npy')).toThrow('cut.npy: the header runs past the end of the file');
    const noShape = npyWithHeader("{'descr': '<f4', 'fortran_order': False, }", new Uint8Array(4));
    expect(() => parseNpy(noShape, 'bad.npy')).toThrow('bad.npy: the header lacks descr, fortran_order or shape');
    const badShape = npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", new Uint8Array(8));
    expect(() => parseNpy(badShape, 'neg.npy')).toThrow('neg.npy: bad shape (2, -1)');
  });
});

describe('parseNpy on a cut version 2.0 file', () => {
  // Versions 2/3 read a 4-byte header length at offset 8: a 10- or 11-byte file
  // must still get an error naming the file, not DataView's RangeError.
  it('names the file', () => {
    const cut = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0x10, 0]);
    expect(() => parseNpy(cut, 'v2.npy')).toThrow(/^v2\.npy: /);
  });
});

describe('toBase64', () => {
  it('encodes bytes, including large arrays', () => {
    expect(toBase64(new Uint8Array([]))).toBe('');
    expect(toBase64(new TextEncoder().encode('hello'))).toBe('aGVsbG8=');
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    const encoded = toBase64(big);
    expect(encoded.length).toBe(4 * Math.ceil(big.length / 3));
    const decoded = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(big);
  });
});
