// npy.js - read and write NumPy .npy files (format versions 1-3, little-endian, C order).
//
// A tensor here is { dtype, shape, data }: dtype is a NumPy name ('float32', 'int64', 'bool', ...),
// shape an array of numbers ([] for a scalar), data a typed array in C order (bool -> Uint8Array of 0/1,
// int64 -> BigInt64Array), which is also what onnxruntime-node takes and gives.
'use strict';
const fs = require('fs');

// descr (without the byte-order char) <-> dtype <-> typed array
const DTYPES = {
  float32: { descr: 'f4', Array: Float32Array },
  float64: { descr: 'f8', Array: Float64Array },
  int64: { descr: 'i8', Array: BigInt64Array },
  int32: { descr: 'i4', Array: Int32Array },
  int8: { descr: 'i1', Array: Int8Array },
  uint8: { descr: 'u1', Array: Uint8Array },
  bool: { descr: 'b1', Array: Uint8Array },
};
const BY_DESCR = Object.fromEntries(Object.entries(DTYPES).map(([name, d]) => [d.descr, name]));
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

function numElements(shape) {
  return shape.reduce((n, d) => n * d, 1);
}

// Pulls descr, fortran_order and shape out of the header's Python dict literal.
function parseHeader(text, where) {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new Error(`${where}: malformed .npy header: ${text.trim()}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!dims.every((s) => /^\d+$/.test(s))) throw new Error(`${where}: bad shape in .npy header: (${shape[1]})`);
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims.map(Number) };
}

function dtypeFromDescr(descr, where) {
  const order = descr[0];
  const code = descr.slice(1);
  const name = BY_DESCR[code];
  if (!'<|='.includes(order) || !name) {
    throw new Error(`${where}: unsupported dtype '${descr}' (supported: little-endian f4 f8 i8 i4 i1 u1 b1)`);
  }
  // '|' (not applicable) only makes sense for 1-byte types; '=' is native order, little-endian on our targets.
  if (order === '|' && DTYPES[name].Array.BYTES_PER_ELEMENT !== 1) {
    throw new Error(`${where}: dtype '${descr}' has no byte order`);
  }
  return name;
}

function parseNpy(buf, where = '<buffer>') {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error(`${where}: not a .npy file (bad magic)`);
  const major = buf[6];
  if (major < 1 || major > 3) throw new Error(`${where}: unsupported .npy format version ${major}.${buf[7]}`);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.length >= 12 ? buf.readUInt32LE(8) : -1;
  const dataStart = 8 + lenBytes + headerLen;
  if (headerLen < 0 || dataStart > buf.length) throw new Error(`${where}: truncated .npy header`);
  const header = buf.subarray(8 + lenBytes, dataStart).toString(major === 3 ? 'utf8' : 'latin1');
  const { descr, fortranOrder, shape } = parseHeader(header, where);
  const dtype = dtypeFromDescr(descr, where);
  const n = numElements(shape);
  if (fortranOrder && shape.filter((d) => d > 1).length > 1) {
    throw new Error(`${where}: Fortran-order arrays are not supported (save with np.ascontiguousarray)`);
  }
  const { Array: T } = DTYPES[dtype];
  const nbytes = n * T.BYTES_PER_ELEMENT;
  if (buf.length - dataStart !== nbytes) {
    throw new Error(`${where}: shape (${shape.join(', ')}) of ${dtype} needs ${nbytes} data bytes, file has ${buf.length - dataStart}`);
  }
  // Copy: the data offset in the file is not necessarily aligned for the typed array.
  const bytes = buf.buffer.slice(buf.byteOffset + dataStart, buf.byteOffset + dataStart + nbytes);
  const data = new T(bytes);
  if (dtype === 'bool' && data.some((v) => v > 1)) throw new Error(`${where}: bool array holds values other than 0/1`);
  return { dtype, shape, data };
}

function readNpy(file) {
  return parseNpy(fs.readFileSync(file), file);
}

function encodeNpy(tensor) {
  const { dtype, shape, data } = tensor;
  const d = DTYPES[dtype];
  if (!d) throw new Error(`cannot write dtype '${dtype}' to .npy (supported: ${Object.keys(DTYPES).join(', ')})`);
  if (data.length !== numElements(shape)) {
    throw new Error(`tensor of shape [${shape}] has ${data.length} elements, expected ${numElements(shape)}`);
  }
  const order = d.Array.BYTES_PER_ELEMENT === 1 ? '|' : '<';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${order}${d.descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary, as NumPy does; header ends in '\n'.
  const version = dict.length + 12 > 0xffff ? 2 : 1;
  const prefix = version === 1 ? 10 : 12;
  dict += ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const head = Buffer.alloc(prefix);
  MAGIC.copy(head);
  head[6] = version;
  head[7] = 0;
  if (version === 1) head.writeUInt16LE(dict.length, 8);
  else head.writeUInt32LE(dict.length, 8);
  const typed = data instanceof d.Array ? data : d.Array.from(data);
  const body = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), body]);
}

function writeNpy(file, tensor) {
  fs.writeFileSync(file, encodeNpy(tensor));
}

module.exports = { DTYPES, parseNpy, readNpy, encodeNpy, writeNpy, numElements };
