#!/usr/bin/python3
"""Bad input to the openopt CLI: each case must exit non-zero with a clear `error:` line and never crash.

  check_bad_inputs.py --openopt PATH [--work DIR]

Cases: a truncated .onnx, random bytes, an empty file, a model with two unknown ops (both listed), a model
with an unknown attribute, a missing file, wrong input shape / dtype / rank to `run`, malformed .npy files,
an unknown input name, a missing input, an IR file with a syntax error, shapes that clash only when the
model runs, and Reshape to a negative size (constant or computed). A crash (signal, sanitizer
report, LLVM stack dump) fails the case. Prints one line per case and `N passed, N failed`.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CRASH_MARKERS = ("Sanitizer", "Stack dump", "PLEASE submit", "Segmentation fault", "Assertion")


def tiny_model(path, nodes, opset=13):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, path)


def write_npy_bytes(path, header, payload=b""):
    h = header + " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode() + payload)


def dynamic_model(work):
    path = os.path.join(work, "dynamic.onnx")
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "dynamic", [x], [y])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def build_cases(work):
    relu = os.path.join(work, "relu.onnx")
    tiny_model(relu, [helper.make_node("Relu", ["x"], ["y"], name="r")])
    data = open(relu, "rb").read()
    cases = []

    def add(name, args, expect):
        cases.append((name, args, expect))

    truncated = os.path.join(work, "truncated.onnx")
    open(truncated, "wb").write(data[: len(data) // 2])
    add("truncated onnx", ["import", truncated], "not a valid ONNX model")

    noise = os.path.join(work, "noise.onnx")
    rng = random.Random(3)
    open(noise, "wb").write(bytes(rng.randrange(256) for _ in range(4096)))
    add("random bytes", ["run", noise, "--random-inputs"], "error:")

    empty = os.path.join(work, "empty.onnx")
    open(empty, "wb").close()
    add("empty file", ["import", empty], "not an ONNX model")

    unknown = os.path.join(work, "unknown_ops.onnx")
    tiny_model(unknown, [helper.make_node("Frobnicate", ["x"], ["a"], name="frob_1"),
                         helper.make_node("Relu", ["a"], ["b"], name="ok"),
                         helper.make_node("Quux", ["b"], ["c"], name="quux_2")])
    add("unknown ops (both listed)", ["import", unknown], ["Frobnicate 'frob_1'", "Quux 'quux_2'"])

    badattr = os.path.join(work, "bad_attr.onnx")
    tiny_model(badattr, [helper.make_node("Relu", ["x"], ["y"], name="r", mystery=1)])
    add("unknown attribute", ["import", badattr], "attribute 'mystery' is not supported")

    add("missing model file", ["import", os.path.join(work, "nope.onnx")], "cannot read")

    wrong_shape = os.path.join(work, "wrong_shape.npy")
    np.save(wrong_shape, np.zeros((2, 4), np.float32))
    add("wrong input shape", ["run", relu, "--input", "x=" + wrong_shape], "dimension")

    wrong_rank = os.path.join(work, "wrong_rank.npy")
    np.save(wrong_rank, np.zeros((4,), np.float32))
    add("wrong input rank", ["run", relu, "--input", "x=" + wrong_rank], "rank")

    wrong_dtype = os.path.join(work, "wrong_dtype.npy")
    np.save(wrong_dtype, np.zeros((1, 4), np.float64))
    add("wrong input dtype", ["run", relu, "--input", "x=" + wrong_dtype], "expects")

    not_npy = os.path.join(work, "not.npy")
    open(not_npy, "wb").write(b"hello, not numpy")
    add("malformed npy (magic)", ["run", relu, "--input", "x=" + not_npy], "not a valid .npy")

    short_npy = os.path.join(work, "short.npy")
    write_npy_bytes(short_npy, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }", b"\0" * 7)
    add("malformed npy (short data)", ["run", relu, "--input", "x=" + short_npy], "data bytes")

    huge_npy = os.path.join(work, "huge.npy")
    write_npy_bytes(huge_npy, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")
    add("malformed npy (huge shape)", ["run", relu, "--input", "x=" + huge_npy], "invalid dimension")

    add("zero threads", ["run", relu, "--random-inputs", "--threads", "0"], "--threads must be")
    add("bad vector width", ["run", relu, "--random-inputs", "--vector-bits", "100"], "--vector-bits must be")
    add("unknown input name", ["run", relu, "--input", "nope=" + wrong_shape], "has no input 'nope'")
    add("missing input", ["run", relu], "is not given")

    bad_ir = os.path.join(work, "bad.mlir")
    open(bad_ir, "w").write("func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {\n  %y = nn.relu %x :\n}\n")
    add("IR syntax error", ["run", bad_ir, "--random-inputs"], "bad.mlir:")

    bad_verify = os.path.join(work, "bad_verify.mlir")
    open(bad_verify, "w").write(
        "func.func @main(%x: tensor<2x3xf32>, %y: tensor<4x3xf32>) -> tensor<2x3xf32> {\n"
        "  %z = nn.add %x, %y : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>\n"
        "  return %z : tensor<2x3xf32>\n}\n")
    add("IR verifier error", ["run", bad_verify, "--random-inputs"], "cannot be broadcast")

    add("missing recipe file", ["run", relu, "--random-inputs", "--recipe", os.path.join(work, "none.recipe.json")],
        "cannot read recipe")
    binary_recipe = os.path.join(work, "binary.recipe.json")
    open(binary_recipe, "wb").write(bytes(random.Random(7).randrange(256) for _ in range(4096)))
    add("binary garbage recipe", ["compile", relu, "--recipe", binary_recipe], "binary.recipe.json:1:")
    bad_recipe = os.path.join(work, "bad.recipe.json")
    open(bad_recipe, "w").write('{ "target": { "kind": "cpu" }, "graph": { "passes": ["openopt-fold-batchnrm"] } }')
    add("recipe with an unknown pass", ["opt", relu, "--recipe", bad_recipe],
        "bad.recipe.json:1:54: error: /graph/passes/0: unknown pass 'openopt-fold-batchnrm'; did you mean 'openopt-fold-batchnorm'?")
    add("graph after a pass the recipe lacks", ["graph", relu, "--after", "openopt-nothing"],
        "the recipe's graph pipeline has no such pass")
    add("dynamic shapes to compile", ["compile", dynamic_model(work)], "has dynamic dimensions")
    add_shape_cases(work, add)
    return cases


def save_model(path, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def add_shape_cases(work, add):
    """Shapes that only fail when the model runs, and sizes that cannot be."""
    def npy(name, array):
        path = os.path.join(work, name + ".npy")
        np.save(path, array)
        return path

    f = TensorProto.FLOAT
    out = [helper.make_tensor_value_info("y", f, None)]
    # a [batch, n, 4] + b [batch, m, 4] compiles (n and m may agree) and fails
    # when they do not, naming the node.
    clash = save_model(os.path.join(work, "clash.onnx"),
                       [helper.make_node("Add", ["a", "b"], ["y"], name="combine")],
                       [helper.make_tensor_value_info("a", f, ["batch", "n", 4]),
                        helper.make_tensor_value_info("b", f, ["batch", "m", 4])], out)
    add("shapes inconsistent at run time",
        ["run", clash, "--input", "a=" + npy("a", np.zeros((2, 3, 4), np.float32)),
         "--input", "b=" + npy("b", np.zeros((2, 5, 4), np.float32))],
        ["Add 'combine'", "dimension 1", "at run time"])
    x = helper.make_tensor_value_info("x", f, [2, 4])
    x_file = npy("x24", np.zeros((2, 4), np.float32))
    neg_const = save_model(os.path.join(work, "reshape_negative.onnx"),
                           [helper.make_node("Reshape", ["x", "s"], ["y"], name="to_negative")], [x], out,
                           [numpy_helper.from_array(np.array([-2, 4], np.int64), "s")])
    add("reshape to a negative size", ["run", neg_const, "--input", "x=" + x_file],
        ["Reshape 'to_negative'", "shape[0] = -2 is negative"])
    neg_runtime = save_model(os.path.join(work, "reshape_computed.onnx"),
                             [helper.make_node("Reshape", ["x", "s"], ["y"], name="computed")],
                             [x, helper.make_tensor_value_info("s", TensorProto.INT64, [2])], out)
    add("reshape to a negative size computed at run time",
        ["run", neg_runtime, "--input", "x=" + x_file, "--input", "s=" + npy("s", np.array([-3, 4], np.int64))],
        ["Reshape 'computed'", "negative size at run time"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--openopt", default=os.environ.get("OPENOPT_BIN", "build/bin/openopt"))
    parser.add_argument("--work", help="scratch directory (default: a temporary one)")
    args = parser.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="openopt-bad-")
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    for name, cli, expect in build_cases(work):
        proc = subprocess.run([args.openopt] + cli, capture_output=True, text=True, errors="replace", timeout=120)
        out = proc.stdout + proc.stderr
        expects = expect if isinstance(expect, list) else [expect]
        problems = []
        if proc.returncode <= 0:
            problems.append(f"exit status {proc.returncode}")
        if any(m in out for m in CRASH_MARKERS):
            problems.append("crash report in output")
        # "error: ..." or, for problems located in a file, "FILE:LINE:COL: error: ...".
        if not re.match(r"(error:|\S+:\d+:\d+: error:)", proc.stderr):
            problems.append("stderr does not start with 'error:' or 'FILE:LINE:COL: error:'")
        missing = [e for e in expects if e not in proc.stderr]
        if missing:
            problems.append(f"message lacks {missing!r}")
        first = proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else ""
        if problems:
            failed += 1
            print(f"{name}: [FAIL] {'; '.join(problems)}\n    {out.strip()[:400]}")
        else:
            passed += 1
            print(f"{name}: [ok] {first[:160]}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
