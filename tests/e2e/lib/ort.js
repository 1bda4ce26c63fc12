// ort.js - run an ONNX model in ONNX Runtime (CPU, onnxruntime-node): the numeric reference for tests and the
// peer for benchmarks. Tensors in and out are npy.js tensors: { dtype, shape, data }.
//
// onnxruntime-node comes from the repo's package.json (`ONNXRUNTIME_NODE_INSTALL=skip npm install` at the repo
// root); $ORT_NODE may point at another copy of the package folder.
'use strict';
const path = require('path');

let cached = null;
function loadOrt() {
  if (cached) return cached;
  const tries = [];
  if (process.env.ORT_NODE) tries.push(path.resolve(process.env.ORT_NODE));
  tries.push('onnxruntime-node');
  for (const t of tries) {
    try {
      cached = require(t);
      return cached;
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  throw new Error('onnxruntime-node not found: run `ONNXRUNTIME_NODE_INSTALL=skip npm install` at the repo root ' +
                  'or set ORT_NODE=/path/to/node_modules/onnxruntime-node');
}

// Options match the benchmark baselines in shared/bench (ort_bench.js) so that numbers are comparable.
async function createSession(modelPath, { threads = 1, optLevel = 'all' } = {}) {
  const ort = loadOrt();
  return ort.InferenceSession.create(path.resolve(modelPath), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: optLevel,
    executionProviders: ['cpu'],
  });
}

// Input names with their element type and shape (symbolic dims as strings), in graph order.
function inputInfo(session) {
  const metas = session.inputMetadata;
  return session.inputNames.map((name, i) => {
    const m = metas && metas[i];
    return { name, dtype: m && m.isTensor !== false ? m.type : 'unknown', shape: m ? m.shape : [] };
  });
}

function toOrtFeeds(session, inputs) {
  const ort = loadOrt();
  const missing = session.inputNames.filter((n) => !(n in inputs));
  if (missing.length) throw new Error(`missing input(s): ${missing.join(', ')} (model inputs: ${session.inputNames.join(', ')})`);
  const unknown = Object.keys(inputs).filter((n) => !session.inputNames.includes(n));
  if (unknown.length) throw new Error(`unknown input(s): ${unknown.join(', ')} (model inputs: ${session.inputNames.join(', ')})`);
  const feeds = {};
  for (const name of session.inputNames) {
    const t = inputs[name];
    feeds[name] = new ort.Tensor(t.dtype, t.data, t.shape);
  }
  return feeds;
}

// inputs: { name: tensor } -> { outputName: tensor }, in the session's output order.
async function run(session, inputs) {
  const res = await session.run(toOrtFeeds(session, inputs));
  const out = {};
  for (const name of session.outputNames) {
    const t = res[name];
    out[name] = { dtype: t.type, shape: t.dims.slice(), data: t.data };
  }
  return out;
}

module.exports = { loadOrt, createSession, inputInfo, toOrtFeeds, run };
