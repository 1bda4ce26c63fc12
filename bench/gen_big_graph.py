#!/usr/bin/python3
"""Writes an ONNX model with N nodes (default 5000): a chain of Relu, Add and
Mul on a [1, 16] tensor with a skip connection every few nodes, so the graph
has long layers and crossing edges for the graph explorer's benchmark.
   /usr/bin/python3 bench/gen_big_graph.py OUT.onnx [N]"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(n):
    nodes, inits = [], []
    inits.append(numpy_helper.from_array(np.full([1, 16], 0.5, np.float32), "half"))
    prev, skip = "x", "x"
    for i in range(n):
        out = f"t{i}"
        kind = i % 4
        if kind == 0:
            nodes.append(helper.make_node("Relu", [prev], [out], name=f"relu{i}"))
        elif kind == 1:
            nodes.append(helper.make_node("Mul", [prev, "half"], [out], name=f"mul{i}"))
        elif kind == 2:
            nodes.append(helper.make_node("Add", [prev, skip], [out], name=f"add{i}"))
            skip = out
        else:
            nodes.append(helper.make_node("Tanh", [prev], [out], name=f"tanh{i}"))
        prev = out
    graph = helper.make_graph(
        nodes, "big", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 16])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    onnx.save(build(n), out)
    print(f"{out}: {n} nodes")
