#!/usr/bin/env python3
"""openopt-worker over its pipe protocol (server/worker/WorkerProtocol.h):
one warm process compiles, runs (tensors as binary blobs, outputs against
ONNX Runtime), profiles and draws a graph; bad requests get errors and the
worker keeps serving; a malformed frame ends it with status 2.

    check_worker.py --worker build/bin/openopt-worker [--models DIR]
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_runners  # noqa: E402
import tensor_compare  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Worker:
    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def call(self, method, params=None, blobs=()):
        self.next_id += 1
        header = {"v": 1, "id": self.next_id, "method": method, "params": params or {},
                  "blobs": [len(b) for b in blobs]}
        text = json.dumps(header).encode()
        self.send_raw(struct.pack("<I", len(text)) + text + b"".join(blobs))
        size = struct.unpack("<I", self.proc.stdout.read(4))[0]
        reply = json.loads(self.proc.stdout.read(size))
        data = [self.proc.stdout.read(n) for n in reply["blobs"]]
        assert reply["id"] == self.next_id, reply
        return reply, data


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", required=True)
    parser.add_argument("--models", default=os.path.join(REPO, "..", "shared", "bench", "models"))
    args = parser.parse_args(argv)
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    model = os.path.join(args.models, "mlp_b64.onnx")
    worker = Worker(args.worker)
    with tempfile.TemporaryDirectory() as tmp:
        reply, _ = worker.call("hello")
        check(reply.get("result", {}).get("protocol") == 1, "hello names protocol 1")
        pid = reply["result"]["pid"]

        reply, blobs = worker.call("compile", {
            "model": model, "outputDir": os.path.join(tmp, "out"), "record": True, "keepGraphIR": True,
            "options": {"graphPasses": "canonicalize,openopt-fuse-ops"}, "outputs": {"object": True}})
        result = reply.get("result", {})
        check("error" not in reply, f"compile succeeds ({reply.get('error')})")
        check(bool(blobs) and b"func.func" in blobs[0],
              "compile returns the graph IR as a blob")
        record = json.loads(blobs[1]) if len(blobs) > 1 and blobs[1] else {}
        check(len(record.get("passes", [])) > result.get("graphPassCount", 0) == 2,
              "the record holds the 2 graph passes, then code generation")
        check(any(p.endswith(".o") and os.path.getsize(p) > 0 for p in result.get("written", [])),
              "compile writes the object file")

        rng = np.random.default_rng(3)
        x = rng.uniform(-1, 1, size=(64, 784)).astype(np.float32)
        reply, blobs = worker.call("run", {"model": model, "iterations": 3,
                                           "inputs": [{"name": "input", "dtype": "f32", "shape": [64, 784]}]},
                                   [x.tobytes()])
        result = reply.get("result", {})
        check("error" not in reply and len(result.get("samplesMs", [])) == 3,
              f"run times 3 iterations ({reply.get('error')})")
        if "error" not in reply:
            out = result["outputs"][0]
            ours = np.frombuffer(blobs[0], dtype=np.float32).reshape(out["shape"])
            np.save(os.path.join(tmp, "x.npy"), x)
            proc = model_runners.run_ort(model, {"input": os.path.join(tmp, "x.npy")}, os.path.join(tmp, "ort"))
            ref = model_runners.read_output(os.path.join(tmp, "ort"), out["name"]) if proc.error is None else None
            cmp = tensor_compare.compare(ours, ref) if ref is not None else None
            check(cmp is not None and cmp.ok(1e-4),
                  f"run output from a binary input matches ONNX Runtime "
                  f"(max_rel_err={cmp.max_rel_err if cmp else 'n/a'})")

        reply, blobs = worker.call("run", {"model": model, "inputs": [{"name": "input", "dtype": "f32",
                                                                        "shape": [64, 784]}]}, [b"\0" * 12])
        check("bytes for f32[64, 784]" in reply.get("error", {}).get("message", ""),
              "an input blob of the wrong size is refused")
        reply, _ = worker.call("run", {"model": os.path.join(tmp, "missing.onnx")})
        check("cannot read" in reply.get("error", {}).get("message", ""), "a missing model is an error")
        reply, _ = worker.call("frobnicate")
        check("unknown method" in reply.get("error", {}).get("message", ""), "an unknown method is an error")

        reply, blobs = worker.call("profile", {"model": model, "iterations": 2, "trace": True})
        profile = reply.get("result", {}).get("profile", {})
        check(profile.get("format") == "openopt-profile" and profile.get("iterations") == 2 and
              b"traceEvents" in (blobs[0] if blobs else b""), "profile returns the table and the trace")

        reply, blobs = worker.call("graph", {"model": model, "after": "all",
                                             "passes": [{"name": "canonicalize", "options": []}]})
        graph = json.loads(blobs[0]) if blobs and blobs[0] else {}
        check(graph.get("after") == "all" and len(graph.get("nodes", [])) > 2, "graph after the passes")

        reply, _ = worker.call("hello")
        check(reply["result"]["pid"] == pid, "one worker process served every request")

        worker.send_raw(struct.pack("<I", 5) + b"[1,2]")
        code = worker.proc.wait(timeout=30)
        check(code == 2, f"a malformed frame ends the worker with status 2 (got {code})")

    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
