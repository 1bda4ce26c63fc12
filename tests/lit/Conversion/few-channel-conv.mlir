// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=512},canonicalize))' | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=256},canonicalize))' | FileCheck %s --check-prefix=AVX2

// A first layer (3 channels, filters in whole AVX-512 vectors) sums its
// taps and channels in registers: the kernel packed as [KH, KW, C, F]; a
// parallel loop over pairs of output rows; per run of 8 pixels (2 vectors
// of filters each: 16 accumulators) a loop over KY carrying the
// accumulators, whose body loads each (kx, c)'s F weights and broadcasts
// each pixel's input value (stride 2: columns 0, 2, 4, ...) into one
// multiply-add per accumulator; the runs are written channels-last, then
// transposed to NCHW with the bias. No im2col, no matmul.
// CHECK-LABEL: func.func @first_layer
// CHECK: %[[K:.*]] = arith.constant dense_resource<few_channel_conv_kernel{{.*}}> : tensor<3x3x3x32xf32>
// CHECK: %[[PADDED:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[IMAGE:.*]] = tensor.collapse_shape %[[PADDED]] {{.*}} into tensor<3x18x18xf32>
// CHECK: scf.forall (%{{.*}}) in (4) {{.*}} -> (tensor<1x8x8x32xf32>)
// CHECK:   scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK:     scf.for %[[KY:.*]] = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:       %[[W0:.*]] = vector.transfer_read %[[K]][%[[KY]], %c0, %c0, %c0]
// CHECK:       %[[W1:.*]] = vector.transfer_read %[[K]][%[[KY]], %c0, %c0, %c16]
// CHECK:       %[[X0:.*]] = tensor.extract %[[IMAGE]][%c0, %[[ROW:.*]], %c0]
// CHECK:       %[[B0:.*]] = vector.broadcast %[[X0]] : f32 to vector<16xf32>
// CHECK:       vector.fma %[[B0]], %[[W0]]
// CHECK:       vector.fma %[[B0]], %[[W1]]
// CHECK:       tensor.extract %[[IMAGE]][%c0, %[[ROW]], %c2]
// CHECK-COUNT-142: vector.fma
// CHECK-NOT: vector.fma
// CHECK:     scf.yield
// CHECK-COUNT-16: vector.transfer_write
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %arg1 : tensor<1x8x8x32xf32>, tensor<32xf32>) outs(%{{.*}} : tensor<1x32x8x8xf32>)
// CHECK-NOT: linalg.matmul
// AVX2-LABEL: func.func @first_layer
// AVX2-NOT: few_channel_conv_kernel
// AVX2: linalg.matmul
func.func @first_layer(%x: tensor<1x3x16x16xf32>, %b: tensor<32xf32>) -> tensor<1x32x8x8xf32> {
  %w = nn.constant dense<0.5> : tensor<32x3x3x3xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x16x16xf32>, tensor<32x3x3x3xf32>, tensor<32xf32>) -> tensor<1x32x8x8xf32>
  return %0 : tensor<1x32x8x8xf32>
}

// -----

// Channels-last: the input [1, H, W, C] padded (as rows of W*C values) and
// read at [y, x, c]; the result stays [1, OH, OW, F], the bias added after.
// 48 filters are 3 vectors a pixel: runs of 4 pixels (12 accumulators).
// CHECK-LABEL: func.func @first_layer_channels_last
// CHECK: arith.constant dense_resource<few_channel_conv_kernel{{.*}}> : tensor<3x3x3x48xf32>
// CHECK: tensor.pad %{{.*}} low[0, 1, 3] high[0, 1, 3]
// CHECK: %[[IMAGE:.*]] = tensor.expand_shape %{{.*}} output_shape [18, 18, 3]
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:   tensor.extract %[[IMAGE]][%{{.*}}, %{{.*}}, %c0]
// CHECK-NOT: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x48x8x8xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x8x8x48xf32>)
// CHECK-NOT: linalg.matmul
func.func @first_layer_channels_last(%x: tensor<1x16x16x3xf32>, %b: tensor<48xf32>) -> tensor<1x8x8x48xf32> {
  %w = nn.constant dense<0.5> : tensor<3x3x3x48xf32>
  %0 = nn.conv %x, %w, %b {channels_last = true, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x16x16x3xf32>, tensor<3x3x3x48xf32>, tensor<48xf32>) -> tensor<1x8x8x48xf32>
  return %0 : tensor<1x8x8x48xf32>
}

// -----

// Eight channels, or filters that are not whole vectors, take the other
// routes.
// CHECK-LABEL: func.func @not_few_channels
// CHECK-NOT: few_channel_conv_kernel
// CHECK: return
// CHECK-LABEL: func.func @filters_not_vectors
// CHECK-NOT: few_channel_conv_kernel
// CHECK: return
func.func @not_few_channels(%x: tensor<1x8x16x16xf32>) -> tensor<1x32x8x8xf32> {
  %w = nn.constant dense<0.5> : tensor<32x8x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<32x8x3x3xf32>) -> tensor<1x32x8x8xf32>
  return %0 : tensor<1x32x8x8xf32>
}
func.func @filters_not_vectors(%x: tensor<1x3x16x16xf32>) -> tensor<1x24x8x8xf32> {
  %w = nn.constant dense<0.5> : tensor<24x3x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x16x16xf32>, tensor<24x3x3x3xf32>) -> tensor<1x24x8x8xf32>
  return %0 : tensor<1x24x8x8xf32>
}
