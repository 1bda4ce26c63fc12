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

// Without padding, image column x is plane column x / 2 of plane x % 2:
// the even columns go to plane 0 and the odd ones to plane 1, both from
// column 0, with no padding column to write. A 32x32 output is 16 blocks
// a row, planes 17 wide: two runs of 32 values a row, the second masked at
// both ends (2 of its values are in the image, 1 of its 16 columns in a
// plane).
// CHECK-LABEL: func.func @unpadded
// CHECK:       %[[V0:.*]] = vector.transfer_read %arg0[%c0, %{{.*}}, %{{.*}}, %c0], %{{.*}} : tensor<1x16x34x34xf32>, vector<32xf32>
// CHECK:       %[[E0:.*]], %[[O0:.*]] = vector.deinterleave
// CHECK:       vector.transfer_write %[[E0]], %{{.*}}[%c0, %{{.*}}, %c0, %{{.*}}, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x16x4x3x17xf32>
// CHECK:       vector.transfer_write %[[O0]], %{{.*}}[%c0, %{{.*}}, %c1, %{{.*}}, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<1x16x4x3x17xf32>
// CHECK:       vector.transfer_read %arg0[%c0, %{{.*}}, %{{.*}}, %c32], %{{.*}} : tensor<1x16x34x34xf32>, vector<32xf32>
// CHECK:       vector.deinterleave
// CHECK:       vector.transfer_write %{{.*}}[%c0, %{{.*}}, %c0, %{{.*}}, %c16] : vector<16xf32>, tensor<1x16x4x3x17xf32>
// CHECK:       vector.transfer_write %{{.*}}[%c0, %{{.*}}, %c1, %{{.*}}, %c16] : vector<16xf32>, tensor<1x16x4x3x17xf32>
// CHECK-NOT:   vector<1xf32>
// CHECK:       linalg.batch_matmul
func.func @unpadded(%x: tensor<1x16x34x34xf32>) -> tensor<1x16x32x32xf32> {
  %w = nn.constant dense<0.5> : tensor<16x16x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x16x34x34xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x32x32xf32>
  return %0 : tensor<1x16x32x32xf32>
}
