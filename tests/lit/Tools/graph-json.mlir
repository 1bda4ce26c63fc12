// openopt graph: FLOPs and bytes per node, fused groups nested, --after.
// RUN: openopt graph %s | FileCheck %s
// RUN: openopt graph %s --after all | FileCheck %s --check-prefix=ALL
// RUN: openopt graph %s --after canonicalize#2 | FileCheck %s --check-prefix=NTH
// RUN: not openopt graph %s --after canonicalize#0 2>&1 | FileCheck %s --check-prefix=BADN
// RUN: openopt graph %bench_models/tiny_conv_mm.onnx --after all | FileCheck %s --check-prefix=TINY

// Conv: 48 outputs x (2 x 2*3*3) = 1728 FLOPs; bytes x 128 + w 216 + out 192.
// CHECK: "after": null,
// CHECK: "source": "input:input0",
// CHECK: "bytes": 536,
// CHECK: "flops": 1728,
// CHECK: "op": "nn.conv",
// CHECK: "bytes": 396,
// CHECK: "flops": 48,
// CHECK: "op": "nn.add",
// CHECK: "bytes": 384,
// CHECK: "flops": 48,
// CHECK: "op": "nn.relu",
// CHECK: "op": "output",

// After the built-in recipe the bias is the Conv's (one more FLOP per output)
// and Conv + Relu form an epilogue group that reads x, w, b and writes once.
// ALL: "after": "all",
// ALL: "bytes": 548,
// ALL-NEXT: "children": [
// ALL: "bytes": 548,
// ALL: "flops": 1776,
// ALL: "op": "nn.conv",
// ALL: "flops": 48,
// ALL: "op": "nn.relu",
// ALL: "flops": 1824,
// ALL: "kind": "epilogue",
// ALL: "op": "nn.fused",
// ALL-NOT: "op": "nn.add"

// NTH: "after": "canonicalize#2",
// NTH-NOT: nn.fused
// BADN: error: --after canonicalize#0: write NAME#N with N >= 1

// A group carries no ONNX op type of its own.
// TINY: "kind": "epilogue",
// TINY-NOT: "onnxOp"
// TINY: "op": "nn.fused",
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<3x2x3x3xf32>
  %b = nn.constant dense<0.5> : tensor<3x1x1xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  %a = nn.add %c, %b : (tensor<1x3x4x4xf32>, tensor<3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %r = nn.relu %a : tensor<1x3x4x4xf32>
  return %r : tensor<1x3x4x4xf32>
}
