"""Writes a small ONNX model for the import tests: MatMul by a 64x32 weight
(external data file when --external), Add, Relu; the input has a symbolic
batch dimension. Usage: make_model.py OUT.onnx [--external]"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(0)
weight = numpy_helper.from_array(rng.standard_normal((64, 32)).astype(np.float32), "proj.weight")
bias = numpy_helper.from_array(np.arange(32, dtype=np.float32), "proj.bias")
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "proj.weight"], ["h"], name="block/proj"),
     helper.make_node("Add", ["h", "proj.bias"], ["hb"], name="block/bias"),
     helper.make_node("Relu", ["hb"], ["y"], name="block/relu")],
    "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 32])],
    [weight, bias])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
if "--external" in sys.argv:
    onnx.save_model(model, out, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=1024)
else:
    onnx.save(model, out)
