// RUN: openopt-opt %s --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=512},canonicalize))' | FileCheck %s
// RUN: openopt-opt %s --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=256},canonicalize))' | FileCheck %s --check-prefix=AVX2

// A 24x24 output is 12 blocks a row, computed on a grid of 16 (one
// AVX-512 vector of blocks): the transforms run over vectors of 16 blocks,
// one run a block row, and the output transform writes the first 12 blocks
// of its run (24 of the 32 interleaved values: a masked write, no
// in_bounds). With AVX2, runs of 8 blocks: the input transform makes two a
// row, the output transform two, the second masked.
// CHECK-LABEL: func.func @partial_runs
// CHECK: scf.forall (%{{.*}}) in (6)
// CHECK:   scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<16x16x32xf32>)
// CHECK:     scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK-NOT:   scf.for
// CHECK-COUNT-16: vector.transfer_read {{.*}} : tensor<1x16x4x3x17xf32>, vector<16xf32>
// CHECK-COUNT-16: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<16x16x32xf32>
// CHECK:   linalg.batch_matmul
// CHECK:   scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<16x4x24xf32>)
// CHECK:     scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK-NOT:   scf.for
// CHECK:       vector.interleave {{.*}} : vector<16xf32> -> vector<32xf32>
// CHECK-NOT:   in_bounds
// CHECK:       vector.transfer_write {{.*}}[%{{.*}}, %{{.*}}, %c0] : vector<32xf32>, tensor<16x4x24xf32>
// CHECK:       vector.interleave {{.*}} : vector<16xf32> -> vector<32xf32>
// CHECK-NOT:   in_bounds
// CHECK:       vector.transfer_write {{.*}}[%{{.*}}, %{{.*}}, %c0] : vector<32xf32>, tensor<16x4x24xf32>
// AVX2-LABEL: func.func @partial_runs
// AVX2:       scf.for %{{.*}} = %c0 to %c16 step %c8 iter_args({{.*}}) -> (tensor<16x16x32xf32>)
// AVX2-COUNT-16: vector.transfer_read {{.*}} : tensor<1x16x4x3x17xf32>, vector<8xf32>
// AVX2:       linalg.batch_matmul
// AVX2:       scf.for %{{.*}} = %c0 to %c12 step %c8 iter_args({{.*}}) -> (tensor<16x4x24xf32>)
// AVX2:         vector.interleave {{.*}} : vector<8xf32> -> vector<16xf32>
// AVX2:         vector.transfer_write {{.*}} : vector<16xf32>, tensor<16x4x24xf32>
func.func @partial_runs(%x: tensor<1x16x24x24xf32>) -> tensor<1x16x24x24xf32> {
  %w = nn.constant dense<0.5> : tensor<16x16x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x16x24x24xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x24x24xf32>
  return %0 : tensor<1x16x24x24xf32>
}
