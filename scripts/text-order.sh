#!/usr/bin/env bash
# Writes the text order of the openopt CLI: the functions that its start-up
# and an `openopt run` of two small models execute, one mangled name per
# line (lld's --symbol-ordering-file), roughly in the order they first run
# (callgrind's order of first appearance).
#
#   scripts/text-order.sh BINARY OUT
#
# Why: the CLI links LLVM and MLIR statically, 170 MB of code, and the
# functions a compile uses are scattered through it. The kernel maps file
# pages around each fault (64 KiB), so a run made 66 MiB of code resident
# for perhaps a quarter of that in use. Linked in this order, the code a run
# executes is contiguous (see docs/performance.md, "Peak memory").
#
# The functions are found by running BINARY under valgrind's callgrind,
# which sees every executed function, not a sample. It takes about a minute.
# The order depends little on OpenOptimizer's own code (most of it is LLVM's
# and MLIR's), so the build makes it once; delete OUT to make it again.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BINARY OUT" >&2; exit 2; }
binary=$1 out=$2
for tool in valgrind objcopy nm; do
  command -v "$tool" >/dev/null || { echo "text-order: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# valgrind cannot read the debug info lld writes; it needs only the symbols.
objcopy --strip-debug "$binary" "$work/openopt"

# Two models that between them reach the graph passes, the convolution and
# matmul lowerings (im2col, Winograd, channels-last depthwise), element-wise
# fusion, reductions, the LLVM back end and the JIT.
/usr/bin/python3 - "$work" <<'EOF'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
def weight(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name)

def save(name, nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, f"{sys.argv[1]}/{name}.onnx")

f = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
conv = lambda x, w, y, **kw: helper.make_node("Conv", [x, w], [y], **kw)
save("cnn", [
    conv("x", "w1", "c1", kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("BatchNormalization", ["c1", "s", "b", "m", "v"], ["n1"]),
    helper.make_node("Relu", ["n1"], ["r1"]),
    helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
    conv("p1", "w2", "c2", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c2"], ["r2"]),
    conv("r2", "w3", "c3", kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=32),
    helper.make_node("Clip", ["c3", "lo", "hi"], ["r3"]),
    conv("r3", "w4", "c4", kernel_shape=[1, 1]),
    helper.make_node("Add", ["c4", "p1"], ["a4"]),
    helper.make_node("GlobalAveragePool", ["a4"], ["g"]),
    helper.make_node("Flatten", ["g"], ["fl"]),
    helper.make_node("Gemm", ["fl", "wf", "bf"], ["logits"], transB=1),
    helper.make_node("Softmax", ["logits"], ["y"]),
], [f("x", [1, 3, 64, 64])], [f("y", [1, 10])], [
    weight("w1", 32, 3, 3, 3), weight("s", 32), weight("b", 32), weight("m", 32),
    numpy_helper.from_array(np.ones(32, np.float32), "v"),
    weight("w2", 32, 32, 3, 3), weight("w3", 32, 1, 3, 3), weight("w4", 32, 32, 1, 1),
    numpy_helper.from_array(np.array(0, np.float32), "lo"),
    numpy_helper.from_array(np.array(6, np.float32), "hi"),
    weight("wf", 10, 32), weight("bf", 10),
])
save("encoder", [
    helper.make_node("MatMul", ["x", "wq"], ["q"]),
    helper.make_node("MatMul", ["x", "wk"], ["k"]),
    helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
    helper.make_node("MatMul", ["q", "kt"], ["s"]),
    helper.make_node("Softmax", ["s"], ["p"], axis=-1),
    helper.make_node("MatMul", ["p", "x"], ["o"]),
    helper.make_node("Add", ["o", "x"], ["h"]),
    helper.make_node("LayerNormalization", ["h", "g", "bt"], ["ln"], axis=-1),
    helper.make_node("MatMul", ["ln", "w1"], ["u"]),
    helper.make_node("Erf", ["u"], ["e"]),
    helper.make_node("Mul", ["u", "e"], ["ge"]),
    helper.make_node("MatMul", ["ge", "w2"], ["d"]),
    helper.make_node("Reshape", ["d", "shape"], ["y"]),
], [f("x", [1, 32, 64])], [f("y", [32, 64])], [
    weight("wq", 64, 64), weight("wk", 64, 64), weight("g", 64), weight("bt", 64),
    weight("w1", 64, 128), weight("w2", 128, 64),
    numpy_helper.from_array(np.array([32, 64], np.int64), "shape"),
])
EOF

# valgrind's CPU has no AVX-512, so the runs take the AVX2 path (and the
# recipe refuses AVX-512 on it): the back end's AVX-512-only code is not in
# the order.
profile() {
  local name=$1; shift
  valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/$name.out" \
    "$work/openopt" "$@" >"$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
}
profile cnn run "$work/cnn.onnx" --random-inputs --iterations 2 --threads 2
profile encoder run "$work/encoder.onnx" --random-inputs --iterations 2 --threads 2

nm --defined-only "$work/openopt" | awk '$2 ~ /^[tTwW]$/ { print $3 }' >"$work/functions"
/usr/bin/python3 - "$work" "$out" <<'EOF'
import re, sys
work, out = sys.argv[1], sys.argv[2]
functions = set(open(f"{work}/functions").read().split())
order, seen = [], set()
for model in ("cnn", "encoder"):
    names = {}  # callgrind names a function once, then by its number
    for line in open(f"{work}/{model}.out"):
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?", line)
        if not m:
            continue
        kind, number, name = m.groups()
        if name:
            names[number] = name
        name = names.get(number)
        if kind == "fn" and name in functions and name not in seen:
            seen.add(name)
            order.append(name)
if len(order) < 1000:
    sys.exit(f"text-order: only {len(order)} functions of the binary ran; is it the openopt CLI?")
with open(out + ".tmp", "w") as f:
    f.write("\n".join(order) + "\n")
print(f"text-order: {len(order)} functions")
EOF
mv "$out.tmp" "$out"
