// RUN: openopt-opt %s --split-input-file --openopt-fold-constant-layout | FileCheck %s

// A transposed constant becomes a new constant; no transpose runs.
// CHECK-LABEL: func.func @transpose_dense
// CHECK-NOT: linalg.transpose
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
func.func @transpose_dense() -> tensor<2x2xf32> {
  %c = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%c : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  return %t : tensor<2x2xf32>
}

// -----

// Padding a constant with a constant value folds too.
// CHECK-LABEL: func.func @pad_dense
// CHECK-NOT: tensor.pad
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 0.000000e+00]]> : tensor<1x3xf32>
func.func @pad_dense() -> tensor<1x3xf32> {
  %c = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %z = arith.constant 0.0 : f32
  %p = tensor.pad %c low[0, 0] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %z : f32
  } : tensor<1x2xf32> to tensor<1x3xf32>
  return %p : tensor<1x3xf32>
}

// -----

// Reshaping a resource blob re-types the same blob.
// CHECK-LABEL: func.func @collapse_resource
// CHECK-NOT: tensor.collapse_shape
// CHECK: arith.constant dense_resource<w> : tensor<4x3xf32>
func.func @collapse_resource() -> tensor<4x3xf32> {
  %c = arith.constant dense_resource<w> : tensor<4x3x1x1xf32>
  %r = tensor.collapse_shape %c [[0], [1, 2, 3]] : tensor<4x3x1x1xf32> into tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041"
    }
  }
#-}

// -----

// A transposed resource blob is read once at compile time (small results
// are inlined; large ones become new blobs).
// CHECK-LABEL: func.func @transpose_resource
// CHECK-NOT: linalg.transpose
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00, 7.000000e+00, 1.000000e+01], [2.000000e+00, 5.000000e+00, 8.000000e+00, 1.100000e+01], [3.000000e+00, 6.000000e+00, 9.000000e+00, 1.200000e+01]]> : tensor<3x4xf32>
func.func @transpose_resource() -> tensor<3x4xf32> {
  %c = arith.constant dense_resource<w> : tensor<4x3xf32>
  %e = tensor.empty() : tensor<3x4xf32>
  %t = linalg.transpose ins(%c : tensor<4x3xf32>) outs(%e : tensor<3x4xf32>) permutation = [1, 0]
  return %t : tensor<3x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041"
    }
  }
#-}

// -----

// Values known only at run time are left alone.
// CHECK-LABEL: func.func @not_constant
// CHECK: linalg.transpose
func.func @not_constant(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%x : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}
