#!/usr/bin/env python3
"""Writes a MobileNetV2 (torchvision's architecture, width 1.0, 224x224) as ONNX.

The layers are those of torchvision.models.mobilenet_v2 as torch.onnx.export
writes them in eval mode: BatchNorm folded into each Conv's bias, ReLU6 as
Clip(0, 6), the inverted-residual blocks with depthwise 3x3 convolutions,
global average pooling and the classifier. Weights are random (He-scaled, so
activations stay in range), which is all a compile-time or latency benchmark
needs; nothing is downloaded.

    /usr/bin/python3 bench/gen_mobilenetv2.py build/bench-models/mobilenetv2.onnx [--seed N]

Two seeds give two models with the same layers and other weights.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (expansion t, output channels c, repeats n, first stride s), as in torchvision.
BLOCKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
          (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, kind):
        self.count += 1
        return f"{kind}_{self.count}"

    def conv(self, x, cin, cout, kernel, stride, groups, relu6):
        name = self.name("conv")
        fan_in = cin // groups * kernel * kernel
        w = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin // groups, kernel, kernel))
        b = self.rng.uniform(-0.1, 0.1, cout)
        self.inits += [numpy_helper.from_array(w.astype(np.float32), name + ".weight"),
                       numpy_helper.from_array(b.astype(np.float32), name + ".bias")]
        pad = kernel // 2
        self.nodes.append(helper.make_node(
            "Conv", [x, name + ".weight", name + ".bias"], [name], name=name,
            kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[pad] * 4,
            group=groups))
        if not relu6:
            return name
        out = self.name("relu6")
        self.nodes.append(helper.make_node("Clip", [name, "zero", "six"], [out], name=out))
        return out

    def add(self, a, b):
        out = self.name("add")
        self.nodes.append(helper.make_node("Add", [a, b], [out], name=out))
        return out


def build(seed=0):
    g = Builder(seed)
    g.inits += [numpy_helper.from_array(np.array(0, np.float32), "zero"),
                numpy_helper.from_array(np.array(6, np.float32), "six")]
    x = g.conv("input", 3, 32, 3, 2, 1, True)
    cin = 32
    for t, c, n, s in BLOCKS:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            y = x
            if t != 1:
                y = g.conv(y, cin, hidden, 1, 1, 1, True)
            y = g.conv(y, hidden, hidden, 3, stride, hidden, True)  # depthwise
            y = g.conv(y, hidden, c, 1, 1, 1, False)
            x = g.add(x, y) if stride == 1 and cin == c else y
            cin = c
    x = g.conv(x, cin, 1280, 1, 1, 1, True)
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="pool"))
    g.nodes.append(helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten", axis=1))
    w = g.rng.normal(0, np.sqrt(1.0 / 1280), (1000, 1280)).astype(np.float32)
    b = np.zeros(1000, np.float32)
    g.inits += [numpy_helper.from_array(w, "classifier.weight"),
                numpy_helper.from_array(b, "classifier.bias")]
    g.nodes.append(helper.make_node("Gemm", ["flat", "classifier.weight", "classifier.bias"],
                                    ["output"], name="classifier", transB=1))
    graph = helper.make_graph(
        g.nodes, "mobilenetv2",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1000])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="openopt bench/gen_mobilenetv2.py")
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    args = sys.argv[1:]
    seed = 0
    if len(args) == 3 and args[1] == "--seed":
        seed = int(args[2])
        args = args[:1]
    if len(args) != 1:
        sys.exit("usage: gen_mobilenetv2.py OUT.onnx [--seed N]")
    onnx.save(build(seed), args[0])
