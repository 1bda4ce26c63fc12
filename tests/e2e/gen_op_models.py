#!/usr/bin/python3
"""Write small one-node ONNX models, one per (op, attribute case), and OUTDIR/index.json describing them.

  gen_op_models.py OUTDIR [--only REGEX]

Files are named <Op>_<case>.onnx. Opset 13 unless a case needs another: 9/11 for the attribute forms of
Clip, Slice, Pad, Squeeze/Unsqueeze, Split, ReduceSum; 14 for HardSwish; 15 for Shape start/end; 17 for
LayerNormalization. Gelu is not in the default domain before opset 20 and onnx 1.12 stops at 17, so
Gelu_com_microsoft uses ORT's contrib op (domain com.microsoft, opset 1) and Gelu_opset20* are written with
a default-domain opset 20 import that onnx 1.12 cannot check (ONNX Runtime 1.30 runs them); the importer
accepts both forms. Inputs that a static-shape compiler needs as constants (Reshape shape, Slice
starts/ends/axes/steps, Pad pads, axes, Split sizes, Tile repeats, Expand shape, Resize scales/sizes, ...)
are initializers. Initializer values come from a generator seeded by the case name, so every run writes
the same files.

index.json: {"cases": [{"name", "op", "domain", "opset", "file", "inputs": [{"name", "dtype", "shape",
"range": [LO, HI)}], "outputs": [{"name", "dtype", "shape"}], "tol"?, "note"?}]}. "range" is the value
interval for the input generator (ints: [LO, HI) of valid indices etc.; absent for bool);
"tol" overrides the default relative tolerance of check_op_models.py.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import zlib

import numpy as np
import onnx
import onnx.defs
import onnx.mapping
from onnx import helper, numpy_helper

CASES = []
INT64_MAX = np.iinfo(np.int64).max


class Rand:
    """Initializer filled at build time from the case's own generator (uniform [lo, hi))."""

    def __init__(self, *shape, lo=-1.0, hi=1.0):
        self.shape, self.lo, self.hi = list(shape), lo, hi


def inp(name, shape, dtype="float32", range=None):
    if range is None and dtype != "bool":
        range = [-1.0, 1.0] if dtype.startswith("float") else [0, 1]
    return {"name": name, "dtype": dtype, "shape": list(shape), "range": range}


def i64(*values):
    return np.array(values, dtype=np.int64)


def f32(*values):
    return np.array(values, dtype=np.float32)


def scalar(value, dtype=np.float32):
    return np.array(value, dtype=dtype)


def case(op, name, inputs=(), *, node_inputs=None, outputs=("y",), attrs=None, inits=None, opset=13,
         domain="", tol=None, note=None, out_types=None):
    """Registers <op>_<name>. node_inputs defaults to the graph inputs then the initializers, in order;
    give it explicitly to put '' in optional slots. out_types {name: (dtype, shape)} is only needed where
    onnx 1.12 cannot infer the outputs (contrib ops, opset > 17)."""
    inits = inits or {}
    CASES.append(dict(op=op, name=f"{op}_{name}", inputs=list(inputs), inits=inits,
                      node_inputs=list(node_inputs) if node_inputs is not None
                      else [i["name"] for i in inputs] + list(inits),
                      outputs=list(outputs), attrs=attrs or {}, opset=opset, domain=domain, tol=tol, note=note,
                      out_types=out_types))


# ---------------------------------------------------------------------------------------------- elementwise
for op in ["Add", "Sub", "Mul", "Div"]:
    # Division: keep the divisor away from zero.
    rb = [0.5, 2.0] if op == "Div" else None
    case(op, "same_shape", [inp("a", [2, 3, 4]), inp("b", [2, 3, 4], range=rb)])
    case(op, "bcast_trailing", [inp("a", [2, 3, 4, 5]), inp("b", [5], range=rb)])
    case(op, "bcast_both", [inp("a", [2, 1, 4, 1]), inp("b", [1, 3, 1, 5], range=rb)])
    case(op, "const_channel", [inp("a", [1, 3, 4, 4])], inits={"b": Rand(3, 1, 1, lo=0.5, hi=2.0)})
    case(op, "const_scalar_first", [inp("b", [2, 5], range=rb)], node_inputs=["a", "b"],
         inits={"a": scalar(1.5)})

case("Pow", "bcast", [inp("a", [2, 3, 4], range=[0.5, 2.0]), inp("b", [4], range=[-2.0, 2.0])])
case("Pow", "square_const", [inp("a", [2, 3, 8])], inits={"b": scalar(2.0)},
     note="x^2 as in the decomposed LayerNorm of bert2l_tied")
case("Pow", "sqrt_const", [inp("a", [2, 9], range=[0.0, 4.0])], inits={"b": scalar(0.5)})

UNARY_SHAPE = [2, 3, 17]  # 102 elements: not a multiple of any vector width
for op, rng in [("Sqrt", [0.0, 4.0]), ("Exp", [-5.0, 5.0]), ("Log", [0.01, 4.0]), ("Neg", None),
                ("Abs", None), ("Reciprocal", [0.5, 2.0]), ("Tanh", [-3.0, 3.0]), ("Sigmoid", [-6.0, 6.0]),
                ("Relu", None), ("Erf", [-3.0, 3.0])]:
    case(op, "basic", [inp("x", UNARY_SHAPE, range=rng)])
case("Reciprocal", "negative", [inp("x", [4, 5], range=[-2.0, -0.5])])
case("HardSigmoid", "default", [inp("x", UNARY_SHAPE, range=[-4.0, 4.0])])
case("HardSigmoid", "alpha_beta", [inp("x", UNARY_SHAPE, range=[-4.0, 4.0])], attrs={"alpha": 0.5, "beta": 0.3})
case("HardSwish", "basic", [inp("x", UNARY_SHAPE, range=[-5.0, 5.0])], opset=14)
case("LeakyRelu", "default", [inp("x", UNARY_SHAPE)])
case("LeakyRelu", "alpha", [inp("x", UNARY_SHAPE)], attrs={"alpha": 0.2})

case("Clip", "min_max", [inp("x", UNARY_SHAPE)], inits={"min": scalar(-0.5), "max": scalar(0.5)})
case("Clip", "relu6", [inp("x", UNARY_SHAPE, range=[-10.0, 10.0])], inits={"min": scalar(0.0), "max": scalar(6.0)})
case("Clip", "min_only", [inp("x", UNARY_SHAPE)], inits={"min": scalar(-0.25)})
case("Clip", "max_only", [inp("x", UNARY_SHAPE)], node_inputs=["x", "", "max"], inits={"max": scalar(0.25)})
case("Clip", "no_bounds", [inp("x", UNARY_SHAPE)])
case("Clip", "opset9_attrs", [inp("x", UNARY_SHAPE)], attrs={"min": -0.3, "max": 0.6}, opset=9)

GELU_NOTE = ("Gelu is a default-domain op only from opset 20; onnx 1.12 knows opsets up to 17, so the "
             "com.microsoft contrib op (same exact-erf semantics) is used; the importer takes both forms")
case("Gelu", "com_microsoft", [inp("x", UNARY_SHAPE, range=[-4.0, 4.0])], domain="com.microsoft",
     out_types={"y": ("float32", UNARY_SHAPE)}, note=GELU_NOTE)
case("Gelu", "opset20", [inp("x", UNARY_SHAPE, range=[-4.0, 4.0])], opset=20,
     out_types={"y": ("float32", UNARY_SHAPE)}, note="default-domain Gelu-20; not checkable by onnx 1.12")
case("Gelu", "opset20_tanh", [inp("x", UNARY_SHAPE, range=[-4.0, 4.0])], opset=20, attrs={"approximate": "tanh"},
     out_types={"y": ("float32", UNARY_SHAPE)}, note="default-domain Gelu-20; not checkable by onnx 1.12")

for op in ["Min", "Max"]:
    case(op, "two", [inp("a", [2, 3, 4]), inp("b", [2, 3, 4])])
    case(op, "three_bcast", [inp("a", [2, 3, 4]), inp("b", [3, 1]), inp("c", [4])])
    case(op, "const", [inp("a", [2, 6])], inits={"b": scalar(0.1)})

case("Not", "basic", [inp("x", [2, 3, 5], "bool")])
case("Where", "same_shape", [inp("cond", [2, 3, 4], "bool"), inp("x", [2, 3, 4]), inp("y", [2, 3, 4])],
     outputs=["z"])
case("Where", "bcast", [inp("cond", [2, 1, 4], "bool"), inp("x", [2, 3, 4]), inp("y", [4])], outputs=["z"])
case("Where", "const_branch", [inp("cond", [3, 5], "bool"), inp("x", [3, 5])], node_inputs=["cond", "x", "fill"],
     inits={"fill": scalar(-2.0)}, outputs=["z"])

# Comparisons: small int ranges so that equal pairs occur.
case("Equal", "int64", [inp("a", [2, 3, 4], "int64", [0, 3]), inp("b", [2, 3, 4], "int64", [0, 3])])
case("Equal", "int64_bcast", [inp("a", [2, 3, 4], "int64", [0, 3]), inp("b", [4], "int64", [0, 3])])
case("Equal", "bool", [inp("a", [3, 4], "bool"), inp("b", [3, 4], "bool")])
for op in ["Less", "Greater"]:
    case(op, "float_bcast", [inp("a", [2, 3, 4]), inp("b", [4])])
    case(op, "int64", [inp("a", [2, 3, 4], "int64", [-3, 3]), inp("b", [2, 3, 4], "int64", [-3, 3])])
    case(op, "float_const", [inp("a", [3, 7])], inits={"b": scalar(0.0)})

CAST_CASES = [  # (case, from, to, range)
    ("float_to_int64", "float32", onnx.TensorProto.INT64, [-10.0, 10.0]),
    ("float_to_int32", "float32", onnx.TensorProto.INT32, [-10.0, 10.0]),
    ("float_to_int8", "float32", onnx.TensorProto.INT8, [-100.0, 100.0]),
    ("float_to_bool", "float32", onnx.TensorProto.BOOL, None),
    ("float_to_double", "float32", onnx.TensorProto.DOUBLE, None),
    ("double_to_float", "float64", onnx.TensorProto.FLOAT, None),
    ("int64_to_float", "int64", onnx.TensorProto.FLOAT, [-1000, 1000]),
    ("int64_to_int32", "int64", onnx.TensorProto.INT32, [-1000, 1000]),
    ("int64_to_bool", "int64", onnx.TensorProto.BOOL, [0, 3]),
    ("int32_to_float", "int32", onnx.TensorProto.FLOAT, [-1000, 1000]),
    ("uint8_to_float", "uint8", onnx.TensorProto.FLOAT, [0, 256]),
    ("bool_to_float", "bool", onnx.TensorProto.FLOAT, None),
]
for name, src, to, rng in CAST_CASES:
    case("Cast", name, [inp("x", [3, 11], src, rng)], attrs={"to": to})

# ------------------------------------------------------------------------------------------- linear algebra
case("MatMul", "2d", [inp("a", [5, 7]), inp("b", [7, 3])])
case("MatMul", "odd_sizes", [inp("a", [33, 65]), inp("b", [65, 47])])
case("MatMul", "batched_const_weight", [inp("a", [2, 5, 7])], inits={"b": Rand(7, 6)})
case("MatMul", "batched_4d", [inp("a", [2, 3, 5, 7]), inp("b", [2, 3, 7, 4])], note="attention scores")
case("MatMul", "bcast_batch", [inp("a", [2, 1, 5, 7]), inp("b", [3, 7, 4])])
case("MatMul", "vec_mat", [inp("a", [7]), inp("b", [7, 4])])
case("MatMul", "mat_vec", [inp("a", [5, 7]), inp("b", [7])])

case("Gemm", "default", [inp("a", [4, 5])], inits={"b": Rand(5, 6), "c": Rand(6)})
case("Gemm", "transB_bias", [inp("a", [3, 16])], inits={"b": Rand(8, 16), "c": Rand(8)}, attrs={"transB": 1},
     note="the mlp_* layer form")
case("Gemm", "transA", [inp("a", [5, 4])], inits={"b": Rand(5, 6), "c": Rand(6)}, attrs={"transA": 1})
case("Gemm", "transA_transB", [inp("a", [5, 4]), inp("b", [6, 5])], inits={"c": Rand(4, 6)},
     attrs={"transA": 1, "transB": 1})
case("Gemm", "alpha_beta", [inp("a", [4, 5]), inp("b", [5, 6]), inp("c", [4, 6])], attrs={"alpha": 0.5, "beta": 2.0})
case("Gemm", "c_scalar", [inp("a", [4, 5])], inits={"b": Rand(5, 6), "c": scalar(0.75)})
case("Gemm", "c_column", [inp("a", [4, 5])], inits={"b": Rand(5, 6), "c": Rand(4, 1)}, attrs={"beta": -1.0})
case("Gemm", "no_c", [inp("a", [4, 5])], inits={"b": Rand(5, 6)}, attrs={"alpha": 2.0})

# ------------------------------------------------------------------------------------------------ conv/pool
case("Conv", "3x3_pad1_bias", [inp("x", [1, 3, 10, 10])], inits={"w": Rand(4, 3, 3, 3), "b": Rand(4)},
     attrs={"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]})
case("Conv", "stride2_asym_pads", [inp("x", [1, 3, 11, 9])], inits={"w": Rand(5, 3, 3, 3)},
     attrs={"strides": [2, 2], "pads": [1, 2, 0, 1]})
case("Conv", "dilation2", [inp("x", [1, 3, 12, 12])], inits={"w": Rand(4, 3, 3, 3), "b": Rand(4)},
     attrs={"dilations": [2, 2], "pads": [2, 2, 2, 2]})
case("Conv", "groups2", [inp("x", [1, 4, 8, 8])], inits={"w": Rand(6, 2, 3, 3), "b": Rand(6)},
     attrs={"group": 2, "pads": [1, 1, 1, 1]})
# 16 or more channels and filters a group: one group-1 convolution per group (Winograd here).
case("Conv", "groups3_wide_winograd_bias", [inp("x", [1, 48, 12, 12])], inits={"w": Rand(48, 16, 3, 3), "b": Rand(48)},
     attrs={"group": 3, "pads": [1, 1, 1, 1]})
case("Conv", "groups2_wide_runtime_weight", [inp("x", [1, 32, 8, 8]), inp("w", [32, 16, 3, 3])],
     attrs={"group": 2, "pads": [1, 1, 1, 1]})
case("Conv", "groups2_wide_stride2_batch2", [inp("x", [2, 32, 9, 9])], inits={"w": Rand(32, 16, 3, 3)},
     attrs={"group": 2, "strides": [2, 2]})
case("Conv", "depthwise_stride2", [inp("x", [1, 8, 9, 9])], inits={"w": Rand(8, 1, 3, 3), "b": Rand(8)},
     attrs={"group": 8, "strides": [2, 2], "pads": [1, 1, 1, 1]})
# Stride 2 into a map under 16 wide, 64+ channels: channels-last between
# transposes (batch 2, asymmetric pads, an odd map).
case("Conv", "depthwise_stride2_small_map_channels_last", [inp("x", [2, 80, 13, 13])],
     inits={"w": Rand(80, 1, 3, 3), "b": Rand(80)},
     attrs={"group": 80, "strides": [2, 2], "pads": [1, 0, 1, 1]})
case("Conv", "depthwise_multiplier2", [inp("x", [1, 4, 7, 7])], inits={"w": Rand(8, 1, 3, 3)},
     attrs={"group": 4, "pads": [1, 1, 1, 1]})
case("Conv", "depthwise_dilated_batch2_asym_pads", [inp("x", [2, 6, 10, 11])],
     inits={"w": Rand(6, 1, 3, 3), "b": Rand(6)},
     attrs={"group": 6, "dilations": [2, 2], "pads": [2, 1, 1, 2]})
case("Conv", "depthwise_wide_rows", [inp("x", [1, 3, 5, 70])], inits={"w": Rand(3, 1, 3, 3), "b": Rand(3)},
     attrs={"group": 3, "pads": [1, 1, 1, 1]})
case("Conv", "depthwise_stride2_wide_rows_asym_pads", [inp("x", [2, 4, 9, 71])],
     inits={"w": Rand(4, 1, 3, 3), "b": Rand(4)},
     attrs={"group": 4, "strides": [2, 2], "pads": [1, 0, 0, 1]})
# 3x3 stride-1 with 16+ channels and constant weights: Winograd F(2x2, 3x3).
case("Conv", "winograd_bias", [inp("x", [1, 16, 16, 16])], inits={"w": Rand(16, 16, 3, 3), "b": Rand(16)},
     attrs={"pads": [1, 1, 1, 1]})
case("Conv", "winograd_odd_output_asym_pads_batch2", [inp("x", [2, 16, 13, 15])],
     inits={"w": Rand(24, 16, 3, 3)}, attrs={"pads": [1, 1, 1, 0]})
case("Conv", "winograd_no_pads", [inp("x", [1, 32, 18, 18])], inits={"w": Rand(16, 32, 3, 3), "b": Rand(16)})
case("Conv", "winograd_direct_cropped_batch2", [inp("x", [2, 16, 28, 28])],
     inits={"w": Rand(16, 16, 3, 3), "b": Rand(16)}, attrs={"pads": [1, 1, 1, 1]},
     note="chunks write the output rows themselves, the tile grid's 4 extra columns left out")
case("Conv", "winograd_direct_top_right_pads", [inp("x", [1, 16, 30, 30])],
     inits={"w": Rand(16, 16, 3, 3)}, attrs={"pads": [2, 0, 0, 2]},
     note="plane rows above the image are padding in the first chunk only")
case("Conv", "winograd_masked_runs", [inp("x", [1, 16, 24, 24])],
     inits={"w": Rand(16, 16, 3, 3), "b": Rand(16)}, attrs={"pads": [1, 1, 1, 1]},
     note="12 blocks a row on a grid of 16: the transforms' last run writes 12 of its blocks")
case("Conv", "winograd_wide_left_pad", [inp("x", [1, 16, 20, 20])],
     inits={"w": Rand(16, 16, 3, 3)}, attrs={"pads": [1, 2, 1, 0]},
     note="two columns of left padding: one padding column in each plane of a row parity")
# Column buffers over 1 MB are gathered and multiplied in chunks of output
# rows (Im2col.cpp), here at stride 2 with asymmetric pads and batch 2.
case("Conv", "im2col_chunks_stride2_asym_pads", [inp("x", [1, 3, 115, 117])],
     inits={"w": Rand(16, 3, 7, 7), "b": Rand(16)}, attrs={"strides": [2, 2], "pads": [3, 2, 2, 3]},
     note="a 57x58 output in chunks of 19 rows")
case("Conv", "im2col_chunks_stride2_batch2_even_kernel", [inp("x", [2, 8, 128, 128])],
     inits={"w": Rand(8, 8, 4, 4)}, attrs={"strides": [2, 2], "pads": [1, 1, 1, 1]})
# Small maps (<= 256 pixels), filters in 32s, constant weights: direct
# channels-last convolution (DirectConv.cpp), a row's pixels in runs of 3-8.
case("Conv", "direct_7x7_bias_batch2", [inp("x", [2, 16, 7, 7])],
     inits={"w": Rand(32, 16, 3, 3), "b": Rand(32)}, attrs={"pads": [1, 1, 1, 1]})
case("Conv", "direct_stride2_asym_pads", [inp("x", [1, 8, 14, 12])], inits={"w": Rand(64, 8, 3, 3)},
     attrs={"strides": [2, 2], "pads": [1, 0, 0, 1]}, note="a 7x6 output: runs of 6 pixels")
case("Conv", "direct_dilated_rect_kernel", [inp("x", [1, 32, 9, 9])],
     inits={"w": Rand(32, 32, 3, 5), "b": Rand(32)}, attrs={"dilations": [2, 1], "pads": [2, 2, 2, 2]},
     note="a 9x9 output: runs of 3 pixels")
case("Conv", "direct_1x1_stride2", [inp("x", [1, 64, 14, 14])], inits={"w": Rand(32, 64, 1, 1)},
     attrs={"strides": [2, 2]})
case("Conv", "direct_stride2_larger_map", [inp("x", [1, 16, 55, 56])], inits={"w": Rand(32, 16, 3, 3), "b": Rand(32)},
     attrs={"strides": [2, 2], "pads": [1, 1, 1, 0]}, note="strided: direct up to 1024 output pixels (28x28)")
case("Conv", "direct_channel_blocks", [inp("x", [1, 192, 7, 7])], inits={"w": Rand(32, 192, 3, 3), "b": Rand(32)},
     attrs={"pads": [1, 1, 1, 1]}, note="192 channels: two blocks of 96 a tap")
case("Conv", "1x1_batch2", [inp("x", [2, 16, 5, 5])], inits={"w": Rand(8, 16, 1, 1), "b": Rand(8)})
case("Conv", "rect_kernel_stride_2x1", [inp("x", [1, 3, 9, 10])], inits={"w": Rand(4, 3, 3, 5)},
     attrs={"strides": [2, 1], "pads": [1, 2, 1, 2]})
case("Conv", "auto_pad_same_upper", [inp("x", [1, 3, 9, 9])], inits={"w": Rand(4, 3, 3, 3)},
     attrs={"auto_pad": "SAME_UPPER", "strides": [2, 2]})
case("Conv", "stem_7x7_stride2", [inp("x", [1, 3, 32, 32])], inits={"w": Rand(8, 3, 7, 7), "b": Rand(8)},
     attrs={"strides": [2, 2], "pads": [3, 3, 3, 3]}, note="the ResNet stem shape")
# A first layer (at most 4 channels, filters in whole AVX-512 vectors): the sum in registers
# (FewChannelConv.cpp), runs of 4-8 output pixels.
case("Conv", "few_channels_3x3_stride2_bias", [inp("x", [1, 3, 20, 24])], inits={"w": Rand(32, 3, 3, 3), "b": Rand(32)},
     attrs={"strides": [2, 2], "pads": [1, 1, 1, 1]}, note="runs of 6 pixels")
case("Conv", "few_channels_7x7_48_filters_batch2", [inp("x", [2, 3, 30, 30])], inits={"w": Rand(48, 3, 7, 7), "b": Rand(48)},
     attrs={"strides": [2, 2], "pads": [3, 3, 3, 3]}, note="runs of 5 pixels, 3 vectors each")
case("Conv", "few_channels_4_dilated_asym_pads", [inp("x", [1, 4, 17, 16])], inits={"w": Rand(16, 4, 3, 3)},
     attrs={"dilations": [2, 1], "pads": [2, 0, 1, 1]})
case("Conv", "conv1d", [inp("x", [1, 4, 20])], inits={"w": Rand(5, 4, 3), "b": Rand(5)},
     attrs={"strides": [2], "pads": [1, 1]})

case("ConvTranspose", "k2_s2_bias_upsample", [inp("x", [1, 6, 5, 7])], inits={"w": Rand(6, 4, 2, 2), "b": Rand(4)},
     attrs={"strides": [2, 2]})
case("ConvTranspose", "k3_s3_no_bias", [inp("x", [1, 3, 4, 4])], inits={"w": Rand(3, 5, 3, 3)},
     attrs={"strides": [3, 3]})
case("ConvTranspose", "1d_k2_s2", [inp("x", [1, 4, 9])], inits={"w": Rand(4, 3, 2), "b": Rand(3)},
     attrs={"strides": [2]})
case("ConvTranspose", "k2_s2", [inp("x", [1, 4, 5, 5])], inits={"w": Rand(4, 3, 2, 2)}, attrs={"strides": [2, 2]})
case("ConvTranspose", "k3_s2_pad1_outpad1_bias", [inp("x", [1, 4, 5, 5])], inits={"w": Rand(4, 3, 3, 3), "b": Rand(3)},
     attrs={"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]})
# Strided and overlapping: one convolution over the output phases; with gaps (kernel smaller than
# the stride): the zero-dilated input.
case("ConvTranspose", "k4_s2_pad1_batch2", [inp("x", [2, 3, 5, 6])], inits={"w": Rand(3, 4, 4, 4), "b": Rand(4)},
     attrs={"strides": [2, 2], "pads": [1, 1, 1, 1]})
case("ConvTranspose", "k3_s2x1_asym_pads", [inp("x", [1, 3, 5, 4])], inits={"w": Rand(3, 2, 3, 3)},
     attrs={"strides": [2, 1], "pads": [0, 1, 2, 0]})
case("ConvTranspose", "k1_s2_gaps", [inp("x", [1, 2, 4, 4])], inits={"w": Rand(2, 3, 1, 1), "b": Rand(3)},
     attrs={"strides": [2, 2]})
case("ConvTranspose", "1d_k5_s3_outpad2", [inp("x", [1, 3, 7])], inits={"w": Rand(3, 2, 5)},
     attrs={"strides": [3], "output_padding": [2]})
case("ConvTranspose", "groups2", [inp("x", [1, 4, 5, 5])], inits={"w": Rand(4, 3, 3, 3), "b": Rand(6)},
     attrs={"group": 2, "pads": [1, 1, 1, 1]})
case("ConvTranspose", "dilation2", [inp("x", [1, 2, 4, 4])], inits={"w": Rand(2, 3, 3, 3)}, attrs={"dilations": [2, 2]})
case("ConvTranspose", "s1_pad1", [inp("x", [2, 3, 6, 6])], inits={"w": Rand(3, 4, 3, 3)}, attrs={"pads": [1, 1, 1, 1]})
case("ConvTranspose", "output_shape", [inp("x", [1, 2, 4, 4])], inits={"w": Rand(2, 3, 3, 3)},
     attrs={"strides": [2, 2], "output_shape": [10, 10]}, note="pads derived from output_shape")

case("BatchNormalization", "nchw", [inp("x", [2, 4, 5, 5])], node_inputs=["x", "scale", "bias", "mean", "var"],
     inits={"scale": Rand(4, lo=0.5, hi=1.5), "bias": Rand(4), "mean": Rand(4), "var": Rand(4, lo=0.5, hi=2.0)},
     attrs={"epsilon": 1e-3})
case("BatchNormalization", "rank2", [inp("x", [3, 6])], node_inputs=["x", "scale", "bias", "mean", "var"],
     inits={"scale": Rand(6), "bias": Rand(6), "mean": Rand(6), "var": Rand(6, lo=0.1, hi=1.0)})

case("LayerNormalization", "last_axis", [inp("x", [2, 5, 16])], inits={"scale": Rand(16), "bias": Rand(16)},
     opset=17)
case("LayerNormalization", "last_two_axes", [inp("x", [2, 5, 16])], inits={"scale": Rand(5, 16), "bias": Rand(5, 16)},
     attrs={"axis": -2}, opset=17)
case("LayerNormalization", "no_bias_eps", [inp("x", [3, 32])], inits={"scale": Rand(32)},
     attrs={"epsilon": 1e-3}, opset=17)

case("Softmax", "last_axis", [inp("x", [2, 3, 10])])
case("Softmax", "axis1", [inp("x", [2, 5, 4])], attrs={"axis": 1})
case("Softmax", "large_values", [inp("x", [4, 16], range=[-50.0, 50.0])], note="needs the max subtraction")
case("Softmax", "opset11_axis1", [inp("x", [2, 3, 4])], attrs={"axis": 1}, opset=11,
     note="opset < 13: flattens to 2-D at axis, so this normalizes over 3x4")

case("MaxPool", "k2_s2", [inp("x", [1, 3, 8, 8])], attrs={"kernel_shape": [2, 2], "strides": [2, 2]})
case("MaxPool", "k3_s2_p1", [inp("x", [1, 4, 11, 11])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}, note="the ResNet stem pool")
case("MaxPool", "ceil_mode", [inp("x", [1, 2, 10, 10])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1})
case("MaxPool", "dilation2", [inp("x", [1, 2, 9, 9])], attrs={"kernel_shape": [2, 2], "dilations": [2, 2]})
case("MaxPool", "asym_pads", [inp("x", [1, 2, 7, 8])], attrs={"kernel_shape": [3, 2], "pads": [0, 1, 2, 0]})
case("MaxPool", "k3_s2_p1_row_chunks_batch2", [inp("x", [2, 3, 32, 32])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
     note="a parallel loop over chunks of 8 output rows, each with its own plane rows")
case("MaxPool", "k3_s2_row_chunks_bottom_right_pads", [inp("x", [1, 2, 33, 32])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [0, 0, 1, 1]})
case("MaxPool", "k3_s2_p1_column_pairs", [inp("x", [1, 3, 64, 64])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
     note="even H and W, 32 outputs a row: column pairs, row 2y - 1 clamped for y = 0")
case("MaxPool", "k3_s2_p1_column_pairs_batch2_rect", [inp("x", [2, 2, 64, 96], range=[-5.0, -1.0])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
     note="all negative: a lowest-value column must not win over the window")
case("MaxPool", "k3_s2_p1_column_pairs_odd_rows", [inp("x", [1, 2, 66, 64])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
     note="33 output rows split into no even number of chunks: one unchunked pass")
case("MaxPool", "k3_s2_p1_column_pairs_masked_run", [inp("x", [1, 2, 40, 112])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
     note="rows of 112 read 32 at a time: the last read and write are masked")
case("MaxPool", "k5_s2_p2_row_chunks", [inp("x", [1, 2, 32, 32])],
     attrs={"kernel_shape": [5, 5], "strides": [2, 2], "pads": [2, 2, 2, 2]},
     note="two extra plane rows per chunk")
case("MaxPool", "same_upper", [inp("x", [1, 2, 9, 9])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"})

case("AveragePool", "k2_s2", [inp("x", [1, 3, 8, 8])], attrs={"kernel_shape": [2, 2], "strides": [2, 2]})
case("AveragePool", "k3_p1_exclude_pad", [inp("x", [1, 2, 6, 6])], attrs={"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]})
case("AveragePool", "k3_p1_include_pad", [inp("x", [1, 2, 6, 6])],
     attrs={"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 1})
case("AveragePool", "ceil_mode", [inp("x", [1, 2, 10, 10])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1},
     note="the last window hangs over the edge: divisor counts only the elements inside")
case("AveragePool", "asym_pads_stride2", [inp("x", [1, 2, 9, 8])],
     attrs={"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 0, 0, 1]})

case("GlobalAveragePool", "7x7", [inp("x", [1, 8, 7, 7])])
case("GlobalAveragePool", "batch2_rect", [inp("x", [2, 3, 5, 4])])

# -------------------------------------------------------------------------------------------- shape and data
case("Flatten", "default", [inp("x", [2, 3, 4, 5])])
case("Flatten", "axis0", [inp("x", [2, 3, 4])], attrs={"axis": 0})
case("Flatten", "axis3", [inp("x", [2, 3, 4, 5])], attrs={"axis": 3})
case("Flatten", "axis_neg2", [inp("x", [2, 3, 4, 5])], attrs={"axis": -2})

case("Reshape", "minus1", [inp("x", [2, 3, 4])], inits={"shape": i64(6, -1)})
case("Reshape", "zero_copies_dim", [inp("x", [2, 3, 4])], inits={"shape": i64(0, -1, 2)})
case("Reshape", "split_heads", [inp("x", [1, 6, 16])], inits={"shape": i64(1, 6, 4, 4)})
case("Reshape", "to_1d", [inp("x", [2, 3, 4])], inits={"shape": i64(-1)})

case("Transpose", "nchw_to_nhwc", [inp("x", [1, 3, 4, 5])], attrs={"perm": [0, 2, 3, 1]})
case("Transpose", "heads", [inp("x", [1, 5, 4, 6])], attrs={"perm": [0, 2, 1, 3]})
case("Transpose", "default_reverse", [inp("x", [2, 3, 4])])
case("Transpose", "2d", [inp("x", [7, 9])], attrs={"perm": [1, 0]})
case("Transpose", "nhwc_to_nchw_tiles", [inp("x", [1, 40, 48, 32])], attrs={"perm": [0, 3, 1, 2]},
     note="61440 elements: 16x16 tiles transposed in registers")
case("Transpose", "bool_large", [inp("x", [1, 40, 48, 32], dtype="bool")], attrs={"perm": [0, 3, 1, 2]},
     note="as large as the tiled ones, but booleans stay element by element")
case("Transpose", "tiles_of_8_rank3", [inp("x", [40, 24, 48])], attrs={"perm": [2, 0, 1]},
     note="the input's innermost axis becomes the first; 24 columns: tiles of 8")

case("Squeeze", "axes_input", [inp("x", [1, 3, 1, 4])], inits={"axes": i64(0, 2)})
case("Squeeze", "neg_axes_input", [inp("x", [3, 1, 4, 1])], inits={"axes": i64(-1)})
case("Squeeze", "no_axes", [inp("x", [1, 3, 1, 4])])
case("Squeeze", "opset11_axes_attr", [inp("x", [2, 1, 4])], attrs={"axes": [-2]}, opset=11)

case("Unsqueeze", "axes_input", [inp("x", [3, 4])], inits={"axes": i64(0, 3)})
case("Unsqueeze", "neg_axes_input", [inp("x", [3, 4])], inits={"axes": i64(-1)})
case("Unsqueeze", "opset11_axes_attr", [inp("x", [3, 4])], attrs={"axes": [1]}, opset=11)

case("Concat", "axis1_two", [inp("a", [1, 2, 4, 4]), inp("b", [1, 3, 4, 4])], attrs={"axis": 1})
case("Concat", "neg_axis_three", [inp("a", [2, 3]), inp("b", [2, 1]), inp("c", [2, 4])], attrs={"axis": -1})
case("Concat", "with_const", [inp("a", [2, 5])], inits={"b": Rand(3, 5)}, attrs={"axis": 0})

case("Split", "sizes_input", [inp("x", [2, 10])], inits={"split": i64(3, 7)}, outputs=["y0", "y1"], attrs={"axis": 1})
case("Split", "equal_three", [inp("x", [6, 4])], outputs=["y0", "y1", "y2"])
case("Split", "neg_axis_sizes", [inp("x", [2, 3, 6])], inits={"split": i64(2, 4)}, outputs=["y0", "y1"],
     attrs={"axis": -1})
case("Split", "opset11_split_attr", [inp("x", [2, 6])], outputs=["y0", "y1", "y2"],
     attrs={"axis": -1, "split": [1, 2, 3]}, opset=11)

SLICE_INPUTS = ["x", "starts", "ends", "axes", "steps"]
case("Slice", "basic", [inp("x", [4, 10])], node_inputs=SLICE_INPUTS[:4],
     inits={"starts": i64(1, 2), "ends": i64(3, 8), "axes": i64(0, 1)})
case("Slice", "steps2", [inp("x", [4, 10])], node_inputs=SLICE_INPUTS,
     inits={"starts": i64(0, 1), "ends": i64(4, 10), "axes": i64(0, 1), "steps": i64(2, 3)})
case("Slice", "reverse", [inp("x", [3, 7])], node_inputs=SLICE_INPUTS,
     inits={"starts": i64(-1), "ends": i64(-INT64_MAX), "axes": i64(1), "steps": i64(-1)})
case("Slice", "int_max_end", [inp("x", [2, 3, 8])], node_inputs=SLICE_INPUTS[:4],
     inits={"starts": i64(2), "ends": i64(INT64_MAX), "axes": i64(-1)})
case("Slice", "no_axes", [inp("x", [5, 6])], node_inputs=SLICE_INPUTS[:3], inits={"starts": i64(1, -4), "ends": i64(-1, 100)})
case("Slice", "channels_4d", [inp("x", [1, 8, 4, 4])], node_inputs=SLICE_INPUTS[:4],
     inits={"starts": i64(2), "ends": i64(6), "axes": i64(1)})
case("Slice", "opset9_attrs", [inp("x", [4, 10])], attrs={"starts": [1, -5], "ends": [3, 1000], "axes": [0, 1]},
     opset=9, out_types={"y": ("float32", [2, 5])})

case("Gather", "axis0", [inp("data", [5, 4]), inp("indices", [2, 3], "int64", [0, 5])])
case("Gather", "axis1", [inp("data", [3, 6, 2]), inp("indices", [4], "int64", [0, 6])], attrs={"axis": 1})
case("Gather", "neg_indices", [inp("data", [5, 4]), inp("indices", [3], "int64", [-5, 5])])
case("Gather", "scalar_index", [inp("data", [4, 6])], node_inputs=["data", "indices"],
     inits={"indices": scalar(2, np.int64)}, attrs={"axis": 1}, note="0-d indices drop the axis")
case("Gather", "embedding", [inp("indices", [2, 5], "int64", [0, 10])], node_inputs=["table", "indices"],
     inits={"table": Rand(10, 8)})
case("Gather", "int32_indices", [inp("data", [6, 3]), inp("indices", [4], "int32", [0, 6])])

case("Shape", "basic", [inp("x", [2, 3, 4])])
case("Shape", "opset15_start_end", [inp("x", [2, 3, 4, 5])], attrs={"start": 1, "end": -1}, opset=15)

case("ConstantOfShape", "float_value", inits={"shape": i64(2, 3, 4)},
     attrs={"value": numpy_helper.from_array(f32(0.5), "value")}, note="no graph inputs")
case("ConstantOfShape", "int64_value", inits={"shape": i64(3, 2)},
     attrs={"value": numpy_helper.from_array(i64(7), "value")}, note="no graph inputs")
case("ConstantOfShape", "default_zero", inits={"shape": i64(4)}, note="no graph inputs")

case("Expand", "rank_up", [inp("x", [3, 1])], inits={"shape": i64(2, 3, 4)})
case("Expand", "same_rank", [inp("x", [1, 4])], inits={"shape": i64(3, 4)})
case("Expand", "bidirectional", [inp("x", [2, 1, 5])], inits={"shape": i64(1, 3, 1)}, note="output [2,3,5]")

case("Pad", "constant_value", [inp("x", [1, 2, 4, 4])], inits={"pads": i64(0, 0, 1, 2, 0, 0, 2, 1), "value": scalar(0.5)})
case("Pad", "constant_default_zero", [inp("x", [2, 3])], inits={"pads": i64(1, 0, 0, 2)})
case("Pad", "reflect", [inp("x", [1, 2, 4, 5])], inits={"pads": i64(0, 0, 2, 1, 0, 0, 1, 3)}, attrs={"mode": "reflect"})
case("Pad", "edge", [inp("x", [1, 2, 4, 5])], inits={"pads": i64(0, 0, 2, 1, 0, 0, 1, 3)}, attrs={"mode": "edge"})
case("Pad", "negative_crop", [inp("x", [3, 6])], inits={"pads": i64(1, -1, 0, 2)}, note="negative pads remove")
case("Pad", "opset9_attrs", [inp("x", [2, 3, 4])], attrs={"pads": [0, 1, 2, 1, 0, 1], "value": 1.5}, opset=9)
case("Pad", "opset9_reflect_attrs", [inp("x", [1, 3, 5])], attrs={"pads": [0, 0, 2, 0, 0, 3], "mode": "reflect"},
     opset=9)

RESIZE_SCALES = ["x", "", "scales"]  # roi is only used by tf_crop_and_resize
RESIZE_SIZES = ["x", "", "", "sizes"]
case("Resize", "nearest_scales2x", [inp("x", [1, 2, 4, 4])], node_inputs=RESIZE_SCALES,
     inits={"scales": f32(1, 1, 2, 2)}, attrs={"mode": "nearest"})
case("Resize", "nearest_asymmetric_floor", [inp("x", [1, 2, 3, 5])], node_inputs=RESIZE_SCALES,
     inits={"scales": f32(1, 1, 2, 2)},
     attrs={"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"},
     note="the Upsample form PyTorch exports")
case("Resize", "nearest_sizes", [inp("x", [1, 2, 4, 4])], node_inputs=RESIZE_SIZES,
     inits={"sizes": i64(1, 2, 7, 9)}, attrs={"mode": "nearest"})
case("Resize", "nearest_fractional_scales", [inp("x", [1, 1, 6, 8])], node_inputs=RESIZE_SCALES,
     inits={"scales": f32(1, 1, 1.5, 0.5)}, attrs={"mode": "nearest"})
case("Resize", "linear_scales2x", [inp("x", [1, 2, 4, 4])], node_inputs=RESIZE_SCALES,
     inits={"scales": f32(1, 1, 2, 2)}, attrs={"mode": "linear"})
case("Resize", "linear_align_corners_sizes", [inp("x", [1, 2, 4, 4])], node_inputs=RESIZE_SIZES,
     inits={"sizes": i64(1, 2, 7, 7)}, attrs={"mode": "linear", "coordinate_transformation_mode": "align_corners"})
case("Resize", "linear_pytorch_half_pixel_down", [inp("x", [1, 2, 8, 8])], node_inputs=RESIZE_SIZES,
     inits={"sizes": i64(1, 2, 3, 5)},
     attrs={"mode": "linear", "coordinate_transformation_mode": "pytorch_half_pixel"})
case("Resize", "linear_asymmetric", [inp("x", [1, 2, 3, 4])], node_inputs=RESIZE_SCALES,
     inits={"scales": f32(1, 1, 2, 3)}, attrs={"mode": "linear", "coordinate_transformation_mode": "asymmetric"})

case("ReduceMean", "last_keepdims", [inp("x", [2, 3, 8])], attrs={"axes": [-1]}, note="the LayerNorm form")
case("ReduceMean", "two_axes_no_keepdims", [inp("x", [2, 3, 4, 5])], attrs={"axes": [1, 2], "keepdims": 0})
case("ReduceMean", "all", [inp("x", [2, 3, 4])], attrs={"keepdims": 0})
case("ReduceSum", "axes_input", [inp("x", [2, 3, 4])], inits={"axes": i64(1)})
case("ReduceSum", "axes_input_no_keepdims", [inp("x", [2, 3, 4])], inits={"axes": i64(0, 2)}, attrs={"keepdims": 0})
case("ReduceSum", "no_axes_all", [inp("x", [3, 5])])
case("ReduceSum", "opset11_axes_attr", [inp("x", [2, 3, 4])], attrs={"axes": [-1]}, opset=11)
case("ReduceMax", "keepdims", [inp("x", [2, 3, 4])], attrs={"axes": [1]})
case("ReduceMax", "no_keepdims", [inp("x", [2, 3, 4])], attrs={"axes": [-1], "keepdims": 0})
case("ReduceMax", "all", [inp("x", [3, 5])])

case("Identity", "float", [inp("x", [2, 3])])
case("Identity", "int64", [inp("x", [4], "int64", [-100, 100])])
case("Dropout", "inference", [inp("x", [2, 5])])
case("Dropout", "ratio_input", [inp("x", [2, 5])], inits={"ratio": scalar(0.3)}, note="not training: identity")
case("Dropout", "with_mask", [inp("x", [3, 4])], outputs=["y", "mask"], note="mask is all true in inference")
case("Constant", "tensor", attrs={"value": numpy_helper.from_array(f32(1, -2, 3.5, 0, 7, -0.25).reshape(2, 3), "v")},
     note="no graph inputs")
case("Constant", "value_float", attrs={"value_float": 2.5}, note="no graph inputs")
case("Constant", "value_ints", attrs={"value_ints": [3, -1, 4]}, note="no graph inputs")
case("Size", "basic", [inp("x", [2, 3, 4])])
case("Tile", "2d", [inp("x", [2, 3])], inits={"repeats": i64(2, 3)})
case("Tile", "4d", [inp("x", [1, 2, 3, 1])], inits={"repeats": i64(2, 1, 1, 4)})


# ----------------------------------------------------------------------------------------------------- build
NP_TO_ONNX = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE
ONNX_TO_NAME = {k: np.dtype(v).name for k, v in onnx.mapping.TENSOR_TYPE_TO_NP_TYPE.items()}


def materialize(c):
    rng = np.random.default_rng(zlib.crc32(c["name"].encode()))
    inits = {}
    for name, v in c["inits"].items():
        inits[name] = (rng.uniform(v.lo, v.hi, v.shape).astype(np.float32) if isinstance(v, Rand) else v)
    return inits


def build(c):
    """ModelProto and the output descriptions of one case."""
    inits = materialize(c)
    graph_inputs = [helper.make_tensor_value_info(i["name"], NP_TO_ONNX[np.dtype(i["dtype"])], i["shape"])
                    for i in c["inputs"]]
    if c["out_types"]:
        outputs = [helper.make_tensor_value_info(n, NP_TO_ONNX[np.dtype(dt)], shape)
                   for n, (dt, shape) in c["out_types"].items()]
    else:
        outputs = [onnx.ValueInfoProto(name=n) for n in c["outputs"]]  # filled by shape inference below
    node = helper.make_node(c["op"], c["node_inputs"], c["outputs"], name=c["name"], domain=c["domain"], **c["attrs"])
    graph = helper.make_graph([node], c["name"], graph_inputs, outputs,
                              [numpy_helper.from_array(a, n) for n, a in inits.items()])
    opsets = [helper.make_opsetid("", c["opset"])]
    if c["domain"]:
        opsets.append(helper.make_opsetid(c["domain"], 1))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="openopt-gen_op_models")
    model.ir_version = 8  # the newest IR onnx 1.12 writes; ORT 1.30 reads it with any of these opsets
    if not c["out_types"]:
        model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        del model.graph.value_info[:]
    if not c["domain"] and c["opset"] <= onnx.defs.onnx_opset_version():
        onnx.checker.check_model(model, full_check=True)
    described = []
    for o in model.graph.output:
        tt = o.type.tensor_type
        if not tt.elem_type or not tt.HasField("shape") or any(not d.HasField("dim_value") for d in tt.shape.dim):
            raise ValueError(f"{c['name']}: could not infer a static type for output {o.name}")
        described.append({"name": o.name, "dtype": ONNX_TO_NAME[tt.elem_type],
                          "shape": [d.dim_value for d in tt.shape.dim]})
    return model, described


def index_entry(c, outputs):
    entry = {"name": c["name"], "op": c["op"], "domain": c["domain"] or "ai.onnx", "opset": c["opset"],
             "file": c["name"] + ".onnx",
             "inputs": [{k: v for k, v in i.items() if v is not None} for i in c["inputs"]], "outputs": outputs}
    if c["tol"] is not None:
        entry["tol"] = c["tol"]
    if c["note"]:
        entry["note"] = c["note"]
    return entry


def source_digest():
    """The sha256 of this generator's text: an index written by another version of it is stale."""
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("outdir")
    p.add_argument("--only", metavar="REGEX", help="write only the cases whose name matches (re.search)")
    args = p.parse_args(argv)
    names = [c["name"] for c in CASES]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        print(f"error: duplicate case names: {', '.join(sorted(dup))}", file=sys.stderr)
        return 1
    os.makedirs(args.outdir, exist_ok=True)
    entries = []
    for c in CASES:
        if args.only and not re.search(args.only, c["name"]):
            continue
        try:
            model, outputs = build(c)
        except Exception as e:  # a broken case definition: say which one
            print(f"error: {c['name']}: {e}", file=sys.stderr)
            return 1
        onnx.save(model, os.path.join(args.outdir, c["name"] + ".onnx"))
        entries.append(index_entry(c, outputs))
    with open(os.path.join(args.outdir, "index.json"), "w") as f:
        # One case per line: readable, and a diff shows which cases changed.
        f.write(f'{{"generator": "tests/e2e/gen_op_models.py", "source": "{source_digest()}", '
                f'"only": {json.dumps(args.only)}, "onnx": "{onnx.__version__}", "cases": [\n')
        f.write(",\n".join(json.dumps(e) for e in entries))
        f.write("\n]}\n")
    ops = sorted({e["op"] for e in entries})
    print(f"wrote {len(entries)} models covering {len(ops)} ops to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
