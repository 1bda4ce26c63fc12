// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg,canonicalize))' | FileCheck %s

// NHWC [1, 64, 64, 32] back to NCHW: the input's channels (innermost) become
// output axis 1, the output's innermost is W. Tiles of 16 channels by 16
// columns, a parallel loop with the channel tiles innermost (1 x 64 rows x
// 4 column tiles x 2 channel tiles): 16 reads of 16 channels (one per
// column), 4 rounds of 16 interleaving shuffles, 16 writes of 16 columns
// (one per channel).
// CHECK-LABEL: func.func @nhwc_to_nchw
// CHECK: scf.forall (%[[H:.*]], %[[W:.*]], %[[C:.*]]) in (64, 4, 2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x32x64x64xf32>)
// CHECK-DAG:   %[[C0:.*]] = arith.muli %[[C]], %c16
// CHECK-DAG:   %[[W0:.*]] = arith.muli %[[W]], %c16
// CHECK:       vector.transfer_read %arg0[%c0, %[[H]], %[[W0]], %[[C0]]], %{{.*}} {in_bounds = [true]} : tensor<1x64x64x32xf32>, vector<16xf32>
// CHECK-COUNT-15: vector.transfer_read %arg0[%c0, %[[H]], %{{.*}}, %[[C0]]]
// CHECK:       vector.shuffle %{{.*}}, %{{.*}} [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23]
// CHECK-COUNT-63: vector.shuffle
// CHECK-NOT:   vector.shuffle
// CHECK:       vector.transfer_write %{{.*}}, %{{.*}}[%c0, %c0, %c0, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x16x1x16xf32>
// CHECK-COUNT-15: vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x16x1x16xf32>
// CHECK:       tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[C0]], %[[H]], %[[W0]]] [1, 16, 1, 16]
// CHECK-NOT: linalg.transpose
func.func @nhwc_to_nchw(%x: tensor<1x64x64x32xf32>) -> tensor<1x32x64x64xf32> {
  %0 = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x64x64x32xf32>) -> tensor<1x32x64x64xf32>
  return %0 : tensor<1x32x64x64xf32>
}

// -----

// Left to linalg.transpose: a small tensor (under 32K elements), one that
// keeps the innermost axis, an RGB image to channels-last (3 channels: no
// tile of 8 or 16 divides them), and booleans (vectors of i1 are bit-packed
// in memory, tensors of i1 a byte an element).
// CHECK-LABEL: func.func @not_tiled
// CHECK-NOT: scf.forall
// CHECK-COUNT-4: linalg.transpose
func.func @not_tiled(%small: tensor<1x16x16x32xf32>, %rows: tensor<64x64x32xf32>, %rgb: tensor<1x3x224x224xf32>, %mask: tensor<1x64x64x32xi1>) -> (tensor<1x32x16x16xf32>, tensor<64x64x32xf32>, tensor<1x224x224x3xf32>, tensor<1x32x64x64xi1>) {
  %0 = nn.transpose %small {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x16x16x32xf32>) -> tensor<1x32x16x16xf32>
  %1 = nn.transpose %rows {perm = array<i64: 1, 0, 2>} : (tensor<64x64x32xf32>) -> tensor<64x64x32xf32>
  %2 = nn.transpose %rgb {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x224x224xf32>) -> tensor<1x224x224x3xf32>
  %3 = nn.transpose %mask {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x64x64x32xi1>) -> tensor<1x32x64x64xi1>
  return %0, %1, %2, %3 : tensor<1x32x16x16xf32>, tensor<64x64x32xf32>, tensor<1x224x224x3xf32>, tensor<1x32x64x64xi1>
}
