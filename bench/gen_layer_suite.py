#!/usr/bin/env python3
"""Writes the layer suite: one single-op ONNX model per layer shape that the
benchmark networks (ResNet, MobileNetV2, BERT, a UNet) spend their time in,
plus MANIFEST.json ({"layers": {name: {class, flops}}}) giving each model's layer class and FLOPs (2 x MACs for
Conv, ConvTranspose, MatMul, Gemm; none for data movement and normalization).

    /usr/bin/python3 bench/gen_layer_suite.py build/bench-layers

Weights are random with a fixed seed; every model has one input `x` and one
output `y`. `node bench/layers.js` times them against ONNX Runtime.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)


def tensor(name, shape):
    return numpy_helper.from_array(
        RNG.normal(0, 0.1, shape).astype(np.float32), name)


def model(nodes, x_shape, y_shape, inits, opset=17):
    graph = helper.make_graph(
        nodes, "layer",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def conv_out(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def conv(cin, cout, hw, k, s=1, groups=1, dilation=1, relu=False):
    p = dilation * (k // 2)
    o = conv_out(hw, k, s, p, dilation)
    inits = [tensor("w", (cout, cin // groups, k, k)), tensor("b", (cout,))]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c" if relu else "y"],
                              kernel_shape=[k, k], strides=[s, s], pads=[p] * 4,
                              dilations=[dilation, dilation], group=groups)]
    if relu:
        nodes.append(helper.make_node("Relu", ["c"], ["y"]))
    flops = 2 * cout * o * o * (cin // groups) * k * k
    return model(nodes, [1, cin, hw, hw], [1, cout, o, o], inits), flops


def conv_transpose(cin, cout, hw, k, s):
    p = (k - 1) // 2
    out_pad = s - 1 if k % 2 else 0
    o = (hw - 1) * s - 2 * p + k + out_pad
    inits = [tensor("w", (cin, cout, k, k)), tensor("b", (cout,))]
    attrs = dict(kernel_shape=[k, k], strides=[s, s], pads=[p] * 4)
    if out_pad:
        attrs["output_padding"] = [out_pad, out_pad]
    nodes = [helper.make_node("ConvTranspose", ["x", "w", "b"], ["y"], **attrs)]
    flops = 2 * cin * cout * hw * hw * k * k
    return model(nodes, [1, cin, hw, hw], [1, cout, o, o], inits), flops


def matmul(m, k, n, batch=()):
    inits = [tensor("w", (*batch, k, n))]
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"])]
    flops = 2 * m * k * n * int(np.prod(batch or [1]))
    return model(nodes, [*batch, m, k], [*batch, m, n], inits), flops


def resize(c, hw, mode):
    inits = [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")]
    attrs = dict(mode=mode)
    if mode == "linear":
        attrs["coordinate_transformation_mode"] = "half_pixel"
    nodes = [helper.make_node("Resize", ["x", "", "scales"], ["y"], **attrs)]
    return model(nodes, [1, c, hw, hw], [1, c, 2 * hw, 2 * hw], inits), 0


def concat(c, hw):
    inits = [tensor("skip", (1, c, hw, hw))]
    nodes = [helper.make_node("Concat", ["x", "skip"], ["y"], axis=1)]
    return model(nodes, [1, c, hw, hw], [1, 2 * c, hw, hw], inits), 0


def max_pool(c, hw):
    o = conv_out(hw, 3, 2, 1, 1)
    nodes = [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                              pads=[1] * 4)]
    return model(nodes, [1, c, hw, hw], [1, c, o, o], []), 0


def layer_norm(rows, width):
    inits = [tensor("g", (width,)), tensor("b", (width,))]
    nodes = [helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], axis=-1,
                              epsilon=1e-5)]
    return model(nodes, [rows, width], [rows, width], inits), 0


def softmax(shape):
    nodes = [helper.make_node("Softmax", ["x"], ["y"], axis=-1)]
    return model(nodes, list(shape), list(shape), []), 0


# name: (layer class, builder). Shapes are the networks' own: resnet18w48
# (widths 48-384, 224 input), torchvision MobileNetV2 (224 input), BERT-base
# (128 tokens, hidden 768, 12 heads), a small UNet (64-128 channels).
LAYERS = {
    "conv3x3_resnet_56_c48": ("conv 3x3", lambda: conv(48, 48, 56, 3, relu=True)),
    "conv3x3_resnet_14_c192": ("conv 3x3", lambda: conv(192, 192, 14, 3)),
    "conv3x3_resnet_7_c384": ("conv 3x3", lambda: conv(384, 384, 7, 3)),
    "conv3x3s2_resnet_56_c48": ("conv 3x3 s2", lambda: conv(48, 96, 56, 3, s=2)),
    "conv3x3s2_resnet_28_c96": ("conv 3x3 s2", lambda: conv(96, 192, 28, 3, s=2)),
    "conv7x7s2_stem_224": ("conv 7x7 s2", lambda: conv(3, 48, 224, 7, s=2)),
    "conv3x3_unet_112_c16": ("conv 3x3 few channels", lambda: conv(16, 16, 112, 3, relu=True)),
    "conv1x1_mbv2_56_c144_24": ("conv 1x1", lambda: conv(144, 24, 56, 1)),
    "conv1x1_mbv2_14_c96_576": ("conv 1x1", lambda: conv(96, 576, 14, 1)),
    "dwconv3x3_mbv2_112_c32": ("depthwise 3x3", lambda: conv(32, 32, 112, 3, groups=32)),
    "dwconv3x3_mbv2_14_c576": ("depthwise 3x3", lambda: conv(576, 576, 14, 3, groups=576)),
    "dwconv3x3s2_mbv2_112_c96": ("depthwise 3x3 s2", lambda: conv(96, 96, 112, 3, s=2, groups=96)),
    "dwconv3x3s2_mbv2_14_c576": ("depthwise 3x3 s2", lambda: conv(576, 576, 14, 3, s=2, groups=576)),
    "gconv3x3_g4_28_c128": ("grouped 3x3", lambda: conv(128, 128, 28, 3, groups=4)),
    "dilconv3x3_d2_56_c64": ("dilated 3x3", lambda: conv(64, 64, 56, 3, dilation=2)),
    "convT2x2s2_unet_28_c128": ("conv transpose", lambda: conv_transpose(128, 64, 28, 2, 2)),
    "convT3x3s2_unet_28_c64": ("conv transpose", lambda: conv_transpose(64, 32, 28, 3, 2)),
    "resize_nearest_x2_56_c64": ("resize", lambda: resize(64, 56, "nearest")),
    "resize_linear_x2_56_c64": ("resize", lambda: resize(64, 56, "linear")),
    "concat_channels_56_c64": ("concat", lambda: concat(64, 56)),
    "maxpool3x3s2_112_c48": ("pooling", lambda: max_pool(48, 112)),
    "gemm_bert_qkv_128x768x768": ("gemm", lambda: matmul(128, 768, 768)),
    "gemm_bert_ffn1_128x768x3072": ("gemm", lambda: matmul(128, 768, 3072)),
    "gemm_bert_ffn2_128x3072x768": ("gemm", lambda: matmul(128, 3072, 768)),
    "bmm_bert_scores_12x128x64x128": ("batched gemm", lambda: matmul(128, 64, 128, batch=(12,))),
    "gemm_1024": ("gemm", lambda: matmul(1024, 1024, 1024)),
    "layernorm_bert_128x768": ("layernorm", lambda: layer_norm(128, 768)),
    "softmax_bert_12x128x128": ("softmax", lambda: softmax((12, 128, 128))),
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) == 2 else 2)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    manifest = {}
    for name, (kind, build) in LAYERS.items():
        m, flops = build()
        onnx.save(m, os.path.join(out, name + ".onnx"))
        manifest[name] = {"class": kind, "flops": int(flops)}
    with open(os.path.join(out, "MANIFEST.json"), "w") as f:
        json.dump({"generator": "gen_layer_suite.py", "layers": manifest}, f, indent=1)
    print(f"wrote {len(manifest)} layer models to {out}")


if __name__ == "__main__":
    main()
