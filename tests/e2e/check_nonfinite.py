#!/usr/bin/python3
"""Softmax over rows that hold NaN or infinities, through `openopt run`, compared with ONNX Runtime.

  check_nonfinite.py [--openopt PATH] [--work DIR]

The lowering takes the row's max without NaN checks (so that it vectorizes) and divides once a row:
a row with a NaN, with +inf, with -inf, all -inf, or all equal must still give what ORT gives (NaN
where ORT has NaN, the same numbers elsewhere), at 1 and 2 threads, on rows of 40 and of 128.
One line per run, then `N passed, N failed`; exit status 1 on any failure.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_runners  # noqa: E402


def softmax_model(rows, width):
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["y"], axis=-1)], "softmax",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [rows, width])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def nonfinite_rows(width):
    rng = np.random.default_rng(5)
    x = rng.uniform(-4, 4, (6, width)).astype(np.float32)
    x[1, width // 3] = np.nan
    x[2, 7] = np.inf
    x[3, 5] = -np.inf
    x[4, :] = -np.inf
    x[5, :] = 2.5
    return x


def main(argv):
    with model_runners.check_script(argv, __doc__, "openopt-nonfinite-") as (openopt, work):
        tally = model_runners.Tally()
        for width in (40, 128):
            name = f"softmax_{width}"
            x = nonfinite_rows(width)
            path = os.path.join(work, name + ".onnx")
            onnx.save(softmax_model(*x.shape), path)
            inputs = {"x": os.path.join(work, name + "_x.npy")}
            np.save(inputs["x"], x)
            ort_dir = os.path.join(work, name + "_ort")
            ref = model_runners.run_ort(path, inputs, ort_dir)
            tally.check_threads(openopt, name, path, inputs, ref, ort_dir, ("y",), 1e-5, work)
        return tally.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
