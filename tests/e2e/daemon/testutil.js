// Small helpers shared by the daemon's robustness, security and
// durability tests.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const daemonLib = require('./daemon');

// Daemons still running when this process exits (a test that crashed
// before its after hook) are killed rather than left behind.
const running = new Set();
process.on('exit', () => {
  for (const daemon of running) try { daemon.proc.kill('SIGKILL'); } catch { /* already gone */ }
});

/**
 * daemon.js's startDaemon, plus: the daemon dies with this process, and
 * stop() removes the data directory it made (not one passed in).
 */
async function startDaemon(options = {}) {
  const daemon = await daemonLib.startDaemon(options);
  running.add(daemon);
  daemon.proc.once('exit', () => running.delete(daemon));
  const stop = daemon.stop;
  daemon.stop = async () => {
    await stop();
    if (!options.dataDir) fs.rmSync(daemon.dataDir, { recursive: true, force: true });
  };
  return daemon;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls fn() until it returns a truthy value; throws after timeoutMs. */
async function waitFor(fn, { timeoutMs = 60000, intervalMs = 100, what = 'the condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Test options for a test that shows a known daemon bug: node:test runs it
 * and reports it as TODO (its failure does not fail the run). Set
 * OPENOPT_STRICT_KNOWN_BUGS=1 to count them as ordinary tests.
 */
function knownBug(description) {
  return process.env.OPENOPT_STRICT_KNOWN_BUGS ? {} : { todo: `known daemon bug: ${description}` };
}

/** PRAGMA integrity_check of a SQLite file (the daemon must not be running). */
function sqliteIntegrity(file) {
  const sql = 'PRAGMA integrity_check;';
  if (fs.existsSync('/usr/bin/sqlite3'))
    return execFileSync('/usr/bin/sqlite3', [file, sql], { encoding: 'utf8' }).trim();
  return execFileSync('/usr/bin/python3', ['-c',
    'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nprint("\\n".join(r[0] for r in c.execute("PRAGMA integrity_check")))',
    file], { encoding: 'utf8' }).trim();
}

/** The pids of the direct children of `pid` (Linux /proc), or null where the kernel does not say. */
function childPids(pid) {
  let tasks;
  try { tasks = fs.readdirSync(`/proc/${pid}/task`); } catch { return null; }
  const children = [];
  for (const tid of tasks) {
    let text;
    try { text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'); } catch { return null; }
    children.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return children;
}

/** v = v + 1, 10^15 times: correct, and longer than anyone waits. */
function endlessLoopModel() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openopt-endless-'));
  const file = path.join(dir, 'endless.onnx');
  execFileSync('/usr/bin/python3', ['-c', `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto as T
one = helper.make_node("Constant", [], ["one"], value=numpy_helper.from_array(np.array([1.0], np.float32)))
body = helper.make_graph(
    [one, helper.make_node("Add", ["v_in", "one"], ["v_out"]), helper.make_node("Identity", ["c_in"], ["c_out"])],
    "body", [helper.make_tensor_value_info("i", T.INT64, []), helper.make_tensor_value_info("c_in", T.BOOL, []),
             helper.make_tensor_value_info("v_in", T.FLOAT, [1])],
    [helper.make_tensor_value_info("c_out", T.BOOL, []), helper.make_tensor_value_info("v_out", T.FLOAT, [1])])
trips = numpy_helper.from_array(np.array(10**15, np.int64), "trips")
start = numpy_helper.from_array(np.array([0.0], np.float32), "start")
graph = helper.make_graph([helper.make_node("Loop", ["trips", "", "start"], ["v"], body=body, name="forever")],
                          "endless", [], [helper.make_tensor_value_info("v", T.FLOAT, [1])], initializer=[trips, start])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, sys.argv[1])
`, file]);
  const bytes = fs.readFileSync(file);
  fs.rmSync(dir, { recursive: true, force: true });
  return bytes;
}

module.exports = { startDaemon, sleep, waitFor, knownBug, sqliteIntegrity, childPids, endlessLoopModel };
