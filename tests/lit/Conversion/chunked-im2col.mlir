// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg,canonicalize))' | FileCheck %s

// A 7x7 stride-2 stem: its whole column buffer would be 147 x 12544 floats
// (7 MB). It is gathered and multiplied 2 output rows (224 pixels, 7 register
// tiles of 32: no padding, an even chunk count, and the smallest such chunk
// of at least 128 pixels) at a time instead, in a parallel loop of 56
// chunks; each chunk reads the 9 padded input rows under its windows. The
// bias is added after.
// CHECK-LABEL: func.func @stem
// CHECK: %[[PAD:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x3x230x230xf32> into tensor<3x230x230xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2, 3]] : tensor<8x3x7x7xf32> into tensor<8x147xf32>
// CHECK: scf.forall (%[[I:.*]]) in (56) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x8x112x112xf32>)
// CHECK: %[[ROW:.*]] = arith.muli %[[I]], %c2
// CHECK: %[[INROW:.*]] = arith.muli %[[I]], %c4
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[PAD]][0, %[[INROW]], 0] [3, 9, 230] [1, 1, 1]
// CHECK: %[[COL:.*]] = linalg.generic {{.*}} ins(%[[SLICE]] : tensor<3x9x230xf32>) outs(%{{.*}} : tensor<1x3x7x7x2x112xf32>)
// CHECK: %[[COL2:.*]] = tensor.collapse_shape %[[COL]] {{.*}} into tensor<147x224xf32>
// CHECK: %[[MM:.*]] = linalg.matmul {openopt.zero_init} ins(%[[W]], %[[COL2]] : tensor<8x147xf32>, tensor<147x224xf32>)
// CHECK: %[[CHUNK:.*]] = tensor.expand_shape %[[MM]] {{.*}} into tensor<1x8x2x112xf32>
// CHECK: tensor.parallel_insert_slice %[[CHUNK]] into %[[OUT]][0, 0, %[[ROW]], 0] [1, 8, 2, 112] [1, 1, 1, 1]
// CHECK: arith.addf
func.func @stem(%x: tensor<1x3x224x224xf32>, %w: tensor<8x3x7x7xf32>, %b: tensor<8xf32>) -> tensor<1x8x112x112xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>} : (tensor<1x3x224x224xf32>, tensor<8x3x7x7xf32>, tensor<8xf32>) -> tensor<1x8x112x112xf32>
  return %0 : tensor<1x8x112x112xf32>
}

// -----

// A column buffer of 3 x 9 x 784 floats (85 KB) is gathered whole.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul
func.func @small(%x: tensor<1x3x28x28xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x28x28xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x28x28xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x28x28xf32>
  return %0 : tensor<1x8x28x28xf32>
}
