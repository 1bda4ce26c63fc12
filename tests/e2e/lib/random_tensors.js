// random_tensors.js - fixed-seed input tensors for timing runs, where the values do not matter but must be
// valid and the same on every run: floats uniform [-1, 1), integers 0 (a valid index), bools false.
'use strict';
const { DTYPES, numElements } = require('./npy');

// mulberry32: a tiny PRNG that gives the same sequence on every machine.
function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// infos: [{ name, dtype, shape }] as from ort.inputInfo(); symbolic dims are an error.
function randomTensors(infos, seed) {
  const rand = mulberry32(seed);
  const out = {};
  for (const { name, dtype, shape } of infos) {
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`input ${name} has a symbolic shape [${shape}]; only static shapes are supported`);
    }
    if (!DTYPES[dtype]) throw new Error(`input ${name}: unsupported type ${dtype}`);
    const data = new DTYPES[dtype].Array(numElements(shape));
    if (dtype.startsWith('float')) for (let i = 0; i < data.length; i++) data[i] = rand() * 2 - 1;
    out[name] = { dtype, shape: shape.slice(), data };
  }
  return out;
}

module.exports = { mulberry32, randomTensors };
