#!/usr/bin/env python3
"""Incremental recompiles through the CLI: resnet18w48's IR, and a copy with
one nn.relu made an nn.sigmoid. With a kernel cache filled by the original,
the edited model compiles only some kernels and reuses the rest and the
original's glue (the code around the kernel calls); its outputs
equal those of a cold compile of the edited model (empty cache) bit for bit,
and the original's outputs match ONNX Runtime. A second run of the original
compiles nothing.

    check_kernel_cache.py --openopt build/bin/openopt [--models DIR]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_inputs  # noqa: E402
import model_runners  # noqa: E402
import tensor_compare  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KERNELS = re.compile(r"^kernels compiled=(\d+) reused=(\d+) distinct=(\d+) calls=(\d+) glue=(reused|compiled)$",
                     re.M)


def run(openopt, model, inputs, cache, out):
    flags = [f for name, path in inputs.items() for f in ("--input", f"{name}={path}")]
    result = subprocess.run([openopt, "run", model, *flags,
                             "--iterations", "1", "--kernel-cache", cache, "--output-dir", out],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.exit(f"FAIL openopt run {model}: {result.stderr.strip()}")
    m = KERNELS.search(result.stderr)
    if not m:
        sys.exit(f"FAIL no 'kernels compiled=..' line from openopt run: {result.stderr.strip()}")
    stats = dict(zip(("compiled", "reused", "distinct", "calls"), map(int, m.groups()[:4])))
    stats["glue"] = m.group(5)
    return stats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--openopt", required=True)
    parser.add_argument("--models", default=os.path.join(REPO, "..", "shared", "bench", "models"))
    args = parser.parse_args()
    onnx_model = os.path.join(args.models, "resnet18w48.onnx")
    failures = []

    def check(ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        original = os.path.join(tmp, "resnet.mlir")
        edited = os.path.join(tmp, "resnet_edited.mlir")
        subprocess.run([args.openopt, "import", onnx_model, "-o", original], check=True,
                       capture_output=True)
        text = open(original).read()
        count = [0]

        def third_relu(m):
            count[0] += 1
            return "nn.sigmoid" if count[0] == 3 else m.group(0)

        open(edited, "w").write(re.sub(r"nn\.relu", third_relu, text))
        check(count[0] >= 3, "the IR has an nn.relu to edit")

        inputs = gen_inputs.write_tensors(os.path.join(tmp, "inputs"),
                                          gen_inputs.random_inputs(onnx_model, seed=3))
        cache, cold_cache = os.path.join(tmp, "cache"), os.path.join(tmp, "cold")
        outs = {k: os.path.join(tmp, k) for k in ("orig", "orig2", "inc", "cold")}
        first = run(args.openopt, original, inputs, cache, outs["orig"])
        check(first["compiled"] == first["distinct"] > 0 and first["reused"] == 0
              and first["glue"] == "compiled",
              f"cold compile of the original compiles every kernel ({first})")
        again = run(args.openopt, original, inputs, cache, outs["orig2"])
        check(again["compiled"] == 0 and again["reused"] == first["distinct"]
              and again["glue"] == "reused",
              f"the original again compiles nothing ({again})")
        inc = run(args.openopt, edited, inputs, cache, outs["inc"])
        check(inc["reused"] > 0 and 0 < inc["compiled"] < inc["distinct"],
              f"the edited model reuses kernels and compiles the changed ones ({inc})")
        # Relu -> Sigmoid changes what two kernels compute, not their signatures.
        check(inc["glue"] == "reused", f"the edited model reuses the original's glue ({inc})")
        cold = run(args.openopt, edited, inputs, cold_cache, outs["cold"])
        check(cold["reused"] == 0, f"the edited model with an empty cache compiles all ({cold})")

        a = np.load(os.path.join(outs["inc"], "output.npy"))
        b = np.load(os.path.join(outs["cold"], "output.npy"))
        check(np.array_equal(a, b), "incremental and cold compiles of the edit give equal outputs")
        o = np.load(os.path.join(outs["orig"], "output.npy"))
        check(not np.array_equal(a, o), "the edit changes the outputs")

        # The original's outputs against ONNX Runtime, same inputs.
        ort_dir = os.path.join(tmp, "ort")
        ort = model_runners.run_ort(onnx_model, inputs, ort_dir)
        check(ort.error is None, f"ONNX Runtime runs the model ({ort.error})")
        if ort.error is None:
            comparison = tensor_compare.compare(o, model_runners.read_output(ort_dir, "output"))
            check(comparison.ok(1e-4),
                  f"the original's outputs match ONNX Runtime ({comparison.describe(1e-4)})")

    if failures:
        sys.exit(f"{len(failures)} check(s) failed")


if __name__ == "__main__":
    main()
