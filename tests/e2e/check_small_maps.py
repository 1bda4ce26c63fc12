#!/usr/bin/python3
"""Small-map convolution stages through `openopt run`, compared with ONNX Runtime at 1 and 2 threads.

  check_small_maps.py [--openopt PATH] [--work DIR]

The models are built here with onnx.helper and random weights (no symmetry that would hide a
transposed kernel): a ResNet-like stage whose convolutions have outputs of at most 256 pixels,
entered through a stride-2 3x3 convolution and its 1x1 stride-2 downsampling branch (one input
transposed for both), two more 3x3 convolutions, a residual add, ReLUs and a global average pool,
at batch 1 and 2, plus a 7x7 stage of 384 channels (12 chunks of filters). With AVX-512 the built-in
recipe runs these convolutions channels-last and computes them directly (openopt-convert-layout,
Support/DirectConvPlan.h); with AVX2 they keep NCHW: the numbers must match either way. At 2 threads
the parallel loops split their iterations by measured thread speed (openopt-balanced-openmp).
One line per run, then `N passed, N failed`; exit status 1 on any failure.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_runners  # noqa: E402

RNG = np.random.default_rng(11)


def weight(name, shape, scale):
    return numpy_helper.from_array(RNG.normal(0, scale, shape).astype(np.float32), name)


def conv(nodes, inits, x, out, cin, cout, k, stride):
    inits.append(weight(out + "_w", (cout, cin, k, k), 1.0 / np.sqrt(cin * k * k)))
    inits.append(weight(out + "_b", (cout,), 0.1))
    nodes.append(helper.make_node("Conv", [x, out + "_w", out + "_b"], [out], kernel_shape=[k, k],
                                  pads=[k // 2] * 4, strides=[stride, stride]))
    return out


def stage(batch, cin, cout, size):
    """x [batch, cin, size, size] -> a block whose convolutions output (size/2)^2 pixels -> GAP."""
    nodes, inits = [], []
    a = conv(nodes, inits, "x", "a", cin, cout, 3, 2)
    nodes.append(helper.make_node("Relu", [a], ["a_r"]))
    b = conv(nodes, inits, "a_r", "b", cout, cout, 3, 1)
    d = conv(nodes, inits, "x", "d", cin, cout, 1, 2)
    nodes.append(helper.make_node("Add", [b, d], ["s"]))
    nodes.append(helper.make_node("Relu", ["s"], ["s_r"]))
    c = conv(nodes, inits, "s_r", "c", cout, cout, 3, 1)
    nodes.append(helper.make_node("Relu", [c], ["c_r"]))
    nodes.append(helper.make_node("Add", ["c_r", "s_r"], ["t"]))
    nodes.append(helper.make_node("GlobalAveragePool", ["t"], ["y"]))
    graph = helper.make_graph(
        nodes, "small_maps",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, cin, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, cout, 1, 1]),
         helper.make_tensor_value_info("t", TensorProto.FLOAT, [batch, cout, size // 2, size // 2])],
        inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def main(argv):
    with model_runners.check_script(argv, __doc__, "openopt-small-maps-") as (openopt, work):
        cases = [("stage_14x14_c64", stage(1, 32, 64, 28)),
                 ("stage_14x14_c64_batch2", stage(2, 32, 64, 28)),
                 ("stage_7x7_c384", stage(1, 192, 384, 14))]
        tally = model_runners.Tally()
        for name, m in cases:
            path = os.path.join(work, name + ".onnx")
            onnx.save(m, path)
            shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
            inputs = {"x": os.path.join(work, name + "_x.npy")}
            np.save(inputs["x"], RNG.uniform(-1, 1, shape).astype(np.float32))
            ort_dir = os.path.join(work, name + "_ort")
            ref = model_runners.run_ort(path, inputs, ort_dir)
            tally.check_threads(openopt, name, path, inputs, ref, ort_dir, ("y", "t"), 1e-4, work)
        return tally.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
