#!/usr/bin/env node
// ort_run.js - the ONNX Runtime side of the `openopt run` contract: same flags, same output files, so that the
// test harnesses can run both and diff the .npy files.
'use strict';
const fs = require('fs');
const npy = require('./lib/npy');
const ort = require('./lib/ort');
const { tensorPath } = require('./lib/tensor_files');

const USAGE = `usage: ort_run.js MODEL.onnx [--input NAME=PATH.npy]... --output-dir DIR [--threads N]

Runs MODEL once in ONNX Runtime (CPU) on the given inputs and writes every output to
DIR/<output-name>.npy (characters outside [A-Za-z0-9_.-] in the name replaced by '_').
NAME is split from PATH at the first '='. Every model input must be given.
On error: one line 'error: ...' on stderr and exit status 1.`;

function parseArgs(argv) {
  const a = { model: null, inputs: [], outputDir: null, threads: 1 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${k}`);
      return argv[++i];
    };
    if (k === '-h' || k === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (k === '--input') {
      const s = value();
      const eq = s.indexOf('=');
      if (eq <= 0) throw new Error(`--input expects NAME=PATH, got '${s}'`);
      a.inputs.push([s.slice(0, eq), s.slice(eq + 1)]);
    } else if (k === '--output-dir') a.outputDir = value();
    else if (k === '--threads') a.threads = parseInt(value(), 10);
    else if (k.startsWith('-')) throw new Error(`unknown option ${k} (see --help)`);
    else if (a.model) throw new Error(`unexpected argument '${k}' (model already given: ${a.model})`);
    else a.model = k;
  }
  if (!a.model) throw new Error('no model given (see --help)');
  if (!a.outputDir) throw new Error('--output-dir is required');
  if (!(a.threads >= 1)) throw new Error('--threads must be a positive integer');
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const inputs = {};
  for (const [name, file] of args.inputs) {
    if (!file.endsWith('.npy')) throw new Error(`input ${name}: only .npy files are supported here, got '${file}'`);
    inputs[name] = npy.readNpy(file);
  }
  const session = await ort.createSession(args.model, { threads: args.threads });
  const outputs = await ort.run(session, inputs);
  fs.mkdirSync(args.outputDir, { recursive: true });
  for (const [name, t] of Object.entries(outputs)) npy.writeNpy(tensorPath(args.outputDir, name), t);
}

main().catch((e) => {
  // ORT's messages can span lines; the contract wants one.
  console.error('error: ' + String(e && e.message ? e.message : e).replace(/\s*\n\s*/g, ' '));
  process.exit(1);
});
