#!/usr/bin/env node
// gen_lsp_chain.js - the IR file and the edit script for bench/lsp_latency.js.
//
// A chain of N (default 5,000) TOSA ops on tensor<1x64x64xf32>: elementwise ops, with a tosa.matmul as
// every tenth op. Only upstream dialects (func, tosa), so the file parses under both our server and
// mlir-lsp-server. Two layouts of the same chain:
//   single     one func.func @chain holding all N ops
//   functions  N/100 functions @chain_0 .. @chain_K of 100 ops each; @chain_k takes the previous one's
//              result as its argument and calls nothing; @main calls them in a chain with func.call
//
// Standalone: `node bench/gen_lsp_chain.js [--layout single|functions] [--ops N] > chain.mlir` writes the
// file (check it with `/usr/lib/llvm-22/bin/mlir-opt chain.mlir -o /dev/null`).
'use strict';

const T = 'tensor<1x64x64xf32>';
const T_BAD = 'tensor<1x64x63xf32>';
const ZP_T = 'tensor<1xf32>';

// Ops i with i % 10 == 9 are matmuls; the others cycle through these. Each group's members are
// interchangeable (same operands, same types), which is what a "valid edit" swaps between.
const UNARY = ['tanh', 'sigmoid', 'abs', 'exp', 'floor', 'ceil'];
const BINARY = ['add', 'sub', 'maximum', 'minimum'];
const CYCLE = ['add', 'tanh', 'sigmoid', 'abs', 'sub', 'exp', 'maximum', 'floor', 'minimum'];

function opKind(i) { return i % 10 === 9 ? 'matmul' : CYCLE[i % 10]; }

/** The text of op `i` (without indentation): `prev` is its chain input, `x` the function's input. */
function opLine(i, kind, prev, x, resultType = T) {
  const r = `%v${i}`;
  if (kind === 'matmul')
    return `${r} = tosa.matmul ${prev}, %w, %zp, %zp : (${T}, ${T}, ${ZP_T}, ${ZP_T}) -> ${resultType}`;
  if (BINARY.includes(kind)) return `${r} = tosa.${kind} ${prev}, ${x} : (${T}, ${T}) -> ${resultType}`;
  if (UNARY.includes(kind)) return `${r} = tosa.${kind} ${prev} : (${T}) -> ${resultType}`;
  throw new Error(`unknown op kind ${kind}`);
}

const ZP_LINE = `  %zp = "tosa.const"() <{values = dense<0.0> : ${ZP_T}}> : () -> ${ZP_T}`;

/**
 * Generates the file. Returns { text, lines, ops } where lines is the array of lines and ops[i] =
 * { line, kind, prev, x } describes op i (line is 0-based, as in LSP positions).
 */
function generate({ layout = 'single', ops: n = 5000, perFunction = 100 } = {}) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--ops must be a positive integer, got ${n}`);
  const lines = [];
  const ops = [];
  const emitFunction = (name, first, count) => {
    lines.push(`func.func @${name}(%arg0: ${T}, %w: ${T}) -> ${T} {`);
    lines.push(ZP_LINE);
    for (let i = first; i < first + count; i++) {
      const prev = i === first ? '%arg0' : `%v${i - 1}`;
      const op = { line: lines.length, kind: opKind(i), prev, x: '%arg0' };
      ops.push(op);
      lines.push('  ' + opLine(i, op.kind, prev, op.x));
    }
    lines.push(`  return %v${first + count - 1} : ${T}`);
    lines.push('}');
  };
  if (layout === 'single') {
    emitFunction('chain', 0, n);
  } else if (layout === 'functions') {
    if (n % perFunction !== 0) throw new Error(`--ops (${n}) must be a multiple of ${perFunction} for the functions layout`);
    const k = n / perFunction;
    for (let f = 0; f < k; f++) {
      emitFunction(`chain_${f}`, f * perFunction, perFunction);
      lines.push('');
    }
    lines.push(`func.func @main(%arg0: ${T}, %w: ${T}) -> ${T} {`);
    for (let f = 0; f < k; f++)
      lines.push(`  %r${f} = func.call @chain_${f}(${f === 0 ? '%arg0' : `%r${f - 1}`}, %w) : (${T}, ${T}) -> ${T}`);
    lines.push(`  return %r${k - 1} : ${T}`);
    lines.push('}');
  } else {
    throw new Error(`unknown layout '${layout}' (single or functions)`);
  }
  lines.push('');
  return { text: lines.join('\n'), lines, ops };
}

/**
 * The edit script: `count` edits (even), in pairs at ops spread evenly over the chain (pair p at op
 * (2p+1)*N/count + p%3, i.e. ops 250, 751, 1252, 1750, ..., 4750 for N=5000, count=20; never a matmul).
 * In each pair, first an error edit,
 * then a valid edit of the same line that fixes it, so diagnostics alternate error / clean:
 *   error: pairs alternately give the op's result the wrong type (tensor<1x64x63xf32>: the next use of
 *          the value disagrees with it), or make its chain input an undefined value (%nope)
 *   valid: the original line with the op swapped for another one of its group (tosa.tanh -> tosa.sigmoid,
 *          tosa.add -> tosa.sub, ...)
 * Returns [{ kind: 'error'|'valid', op, variant }]; applyEdit() applies one to a document. Repeating the
 * script continues from the document the previous round left (each valid edit swaps the op again).
 */
function editScript(doc, count = 20) {
  if (count < 2 || count % 2) throw new Error(`the number of edits must be even and >= 2, got ${count}`);
  const n = doc.ops.length, pairs = count / 2;
  const targets = [];
  for (let p = 0; p < pairs; p++) {
    // (2p+1)*N/count, nudged by p % 3 so that the edited ops are not all of one kind.
    let i = Math.min(n - 1, Math.floor(((2 * p + 1) * n) / count) + (p % 3));
    while (doc.ops[i].kind === 'matmul') i = i > 0 ? i - 1 : i + 1;
    targets.push(i);
  }
  const edits = [];
  targets.forEach((i, p) => {
    edits.push({ kind: 'error', op: i, variant: p % 2 ? 'undefined-value' : 'result-type' });
    edits.push({ kind: 'valid', op: i });
  });
  return edits;
}

/** The new text of the edited op's line for `edit`, given the op's current state; updates the op's kind for valid edits. */
function applyEdit(doc, edit) {
  const op = doc.ops[edit.op];
  let kind = op.kind, prev = op.prev, resultType = T;
  if (edit.kind === 'error') {
    if (edit.variant === 'undefined-value') prev = '%nope';
    else resultType = T_BAD;
  } else {
    const group = UNARY.includes(kind) ? UNARY : BINARY;
    kind = group[(group.indexOf(kind) + 1) % group.length];
    op.kind = kind;
  }
  const oldLine = doc.lines[op.line];
  const newLine = '  ' + opLine(edit.op, kind, prev, op.x, resultType);
  doc.lines[op.line] = newLine;
  return { line: op.line, oldLine, newLine };
}

/**
 * The smallest single-line range change turning oldLine into newLine: { start, end, text } in
 * characters (UTF-16 code units; the file is ASCII).
 */
function lineDiff(oldLine, newLine) {
  let a = 0;
  while (a < oldLine.length && a < newLine.length && oldLine[a] === newLine[a]) a++;
  let b = 0;
  while (b < oldLine.length - a && b < newLine.length - a &&
         oldLine[oldLine.length - 1 - b] === newLine[newLine.length - 1 - b]) b++;
  return { start: a, end: oldLine.length - b, text: newLine.slice(a, newLine.length - b) };
}

module.exports = { generate, editScript, applyEdit, lineDiff, T, T_BAD };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = { layout: 'single', ops: 5000 };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--layout') opt.layout = args[++i];
    else if (args[i] === '--ops') opt.ops = Number(args[++i]);
    else if (args[i] === '-h' || args[i] === '--help') {
      console.log('usage: node bench/gen_lsp_chain.js [--layout single|functions] [--ops 5000] > chain.mlir');
      process.exit(0);
    } else { console.error(`unknown argument '${args[i]}'`); process.exit(2); }
  }
  process.stdout.write(generate(opt).text);
}
