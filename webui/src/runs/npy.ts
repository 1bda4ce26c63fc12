// Reads .npy files (NumPy format 1.0-3.0) the user uploads as run inputs.
import type { CommonDtype } from '../generated/schemas';

export interface NpyTensor {
  dtype: CommonDtype;
  shape: number[];
  /** Raw little-endian values, row-major. */
  data: Uint8Array;
}

const dtypes: Record<string, [CommonDtype, number]> = {
  '<f2': ['f16', 2], '<f4': ['f32', 4], '<f8': ['f64', 8],
  '|i1': ['i8', 1], '<i2': ['i16', 2], '<i4': ['i32', 4], '<i8': ['i64', 8],
  '|u1': ['u8', 1], '|b1': ['bool', 1],
};

export function parseNpy(bytes: Uint8Array, file = 'the .npy file'): NpyTensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new Error(`${file}: not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6]!;
  if (bytes.length < (major === 1 ? 10 : 12)) throw new Error(`${file}: the header runs past the end of the file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLen > bytes.length) throw new Error(`${file}: the header runs past the end of the file`);
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${file}: the header lacks descr, fortran_order or shape`);
  if (fortran === 'True') throw new Error(`${file}: Fortran-order arrays are not supported; save it C-ordered`);
  const type = dtypes[descr];
  if (!type) throw new Error(`${file}: element type ${descr} is not supported (${Object.keys(dtypes).join(', ')})`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${file}: bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLen;
  const need = count * type[1];
  if (bytes.length - start < need) throw new Error(`${file}: ${need} bytes of data expected, ${bytes.length - start} present`);
  return { dtype: type[0], shape, data: bytes.slice(start, start + need) };
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}
