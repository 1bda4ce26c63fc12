// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=512},canonicalize))' | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=512},canonicalize))' --mlir-print-local-scope | FileCheck %s --check-prefix=MAPS
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=256},canonicalize))' | FileCheck %s --check-prefix=AVX2

// With AVX2 (vector-bits=256) the same convolutions stay Winograd and
// im2col + matmul: AVX2's registers hold a 7 x 8 tile at most.
// AVX2-LABEL: func.func @conv_direct
// AVX2-NOT: direct_conv_kernel
// AVX2: winograd_kernel
// AVX2-LABEL: func.func @conv_direct_stride2
// AVX2-NOT: direct_conv_kernel
// AVX2: linalg.matmul
// AVX2-LABEL: func.func @conv_direct_channels_last
// AVX2-NOT: direct_conv_kernel
// AVX2: linalg.matmul

// A small map (at most 256 pixels) with a constant kernel and filters in
// 32s is convolved directly, channels-last: the input transposed to
// [H, W, C] and padded, the kernel packed as [F/32, KH, KW, C, 32], then a
// parallel loop over (chunk of 32 filters, group of rows: at least 8
// units). A unit's accumulators are one buffer, a [7, 32] block per run of
// 7 pixels; taps and blocks of channels (at most 128) outside, the group's
// rows and runs inside, each adding [7, Cb] x [Cb, 32] to its block, so
// that a block of one tap's weights is used by every run while in L1. The
// result goes back to [1, F, OH, OW] with the bias.
// CHECK-LABEL: func.func @conv_direct
// CHECK: %[[K:.*]] = arith.constant dense_resource<direct_conv_kernel{{.*}}> : tensor<2x3x3x64x32xf32>
// CHECK: %[[HWC:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<14x14x64xf32>)
// CHECK: %[[PADDED:.*]] = tensor.pad %[[HWC]] low[1, 1, 0] high[1, 1, 0]
// CHECK: scf.forall (%[[CHUNK:.*]], %[[GROUP:.*]]) in (2, 7) shared_outs(%{{.*}}) -> (tensor<1x14x14x64xf32>)
// CHECK:   %[[FIRST:.*]] = arith.muli %[[GROUP]], %c2
// CHECK:   %[[ACC:.*]] = bufferization.alloc_tensor() : tensor<4x7x32xf32>
// CHECK:   %[[ZERO:.*]] = linalg.fill {{.*}} outs(%[[ACC]] : tensor<4x7x32xf32>)
// CHECK:   scf.for %[[KY:.*]] = %c0 to %c3 step %c1 iter_args(%{{.*}} = %[[ZERO]])
// CHECK:     scf.for %[[KX:.*]] = %c0 to %c3
// CHECK:       scf.for %[[R:.*]] = %c0 to %c2
// CHECK:         %[[Y:.*]] = arith.addi %[[FIRST]], %[[R]]
// CHECK:         %[[ROW:.*]] = arith.addi %[[Y]], %[[KY]]
// CHECK:         scf.for %[[X:.*]] = %c0 to %c14 step %c7 iter_args(%[[TILES:.*]] = %{{.*}})
// CHECK:           %[[COL:.*]] = arith.addi %[[X]], %[[KX]]
// CHECK:           %[[A:.*]] = tensor.extract_slice %[[PADDED]][%[[ROW]], %[[COL]], 0] [1, 7, 64] [1, 1, 1] : tensor<16x16x64xf32> to tensor<7x64xf32>
// CHECK:           %[[W:.*]] = tensor.extract_slice %[[K]][%[[CHUNK]], %[[KY]], %[[KX]], 0, 0] [1, 1, 1, 64, 32]
// CHECK:           %[[BLOCK:.*]] = tensor.extract_slice %[[TILES]][%{{.*}}, 0, 0] [1, 7, 32] [1, 1, 1] : tensor<4x7x32xf32> to tensor<7x32xf32>
// CHECK:           %[[SUM:.*]] = linalg.matmul ins(%[[A]], %[[W]] : tensor<7x64xf32>, tensor<64x32xf32>) outs(%[[BLOCK]] : tensor<7x32xf32>)
// CHECK:           tensor.insert_slice %[[SUM]] into %[[TILES]]
// CHECK:   %[[F0:.*]] = arith.muli %[[CHUNK]], %c32
// CHECK:   tensor.parallel_insert_slice %{{.*}}[0, %[[FIRST]], 0, %[[F0]]] [1, 2, 14, 32]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}]{{.*}} ins(%{{.*}}, %arg1 : tensor<1x14x14x64xf32>, tensor<64xf32>) outs(%{{.*}} : tensor<1x64x14x14xf32>)
// CHECK-NOT: linalg.matmul
// MAPS-LABEL: func.func @conv_direct
// MAPS: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
// MAPS: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
func.func @conv_direct(%x: tensor<1x64x14x14xf32>, %b: tensor<64xf32>) -> tensor<1x64x14x14xf32> {
  %w = nn.constant dense<0.5> : tensor<64x64x3x3xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x14x14xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x14x14xf32>
  return %0 : tensor<1x64x14x14xf32>
}

// -----

// CHECK-LABEL: func.func @conv_direct_stride2
// CHECK: %[[PADDED:.*]] = tensor.pad %{{.*}} low[1, 1, 0] high[1, 1, 0]
// CHECK: scf.forall
// CHECK:   %[[Y2:.*]] = arith.muli %{{.*}}, %c2
// CHECK:   %[[ROW:.*]] = arith.addi %[[Y2]], %{{.*}}
// CHECK:   tensor.extract_slice %[[PADDED]][%[[ROW]], %{{.*}}, 0] [1, 7, 32] [1, 2, 1] : tensor<16x16x32xf32> to tensor<7x32xf32>
// CHECK:   linalg.matmul {{.*}} : tensor<7x32xf32>, tensor<32x32xf32>
func.func @conv_direct_stride2(%x: tensor<1x32x14x14xf32>) -> tensor<1x64x7x7xf32> {
  %w = nn.constant dense<0.5> : tensor<64x32x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<1x64x7x7xf32>
  return %0 : tensor<1x64x7x7xf32>
}

// -----

// A channels-last convolution of a small map (openopt-convert-layout keeps
// a run of them NHWC) takes the same route without the transposes: the
// input [1, H, W, C] is padded as it is (its producer can then write into
// the padded buffer) and viewed as [H, W, C]; the [KH, KW, C, F] weight is
// packed as [F/32, KH, KW, C, 32] (dense<splat> keeps the check about
// shapes: e2e_small_maps checks the element order against ORT); the bias,
// as [1, 1, 1, F], is added in a pass of its own over [1, OH, OW, F].
// CHECK-LABEL: func.func @conv_direct_channels_last
// CHECK: arith.constant dense_resource<direct_conv_kernel{{.*}}> : tensor<2x3x3x64x32xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[PADDED:.*]] = tensor.pad %arg0 low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[HWC:.*]] = tensor.collapse_shape %[[PADDED]] {{.*}} : tensor<1x16x16x64xf32> into tensor<16x16x64xf32>
// CHECK: %[[OUT:.*]] = scf.forall ({{.*}}) in (2, 7) {{.*}} -> (tensor<1x14x14x64xf32>)
// CHECK:   tensor.extract_slice %[[HWC]]
// CHECK:   linalg.matmul {{.*}} : tensor<7x64xf32>, tensor<64x32xf32>
// CHECK: %[[BIAS:.*]] = tensor.expand_shape %arg1 {{.*}} : tensor<64xf32> into tensor<1x1x1x64xf32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[OUT]], %[[BIAS]] : tensor<1x14x14x64xf32>, tensor<1x1x1x64xf32>) outs(%{{.*}} : tensor<1x14x14x64xf32>)
// CHECK: return %[[R]]
// MAPS-LABEL: func.func @conv_direct_channels_last
// MAPS: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
func.func @conv_direct_channels_last(%x: tensor<1x14x14x64xf32>, %b: tensor<64xf32>) -> tensor<1x14x14x64xf32> {
  %w = nn.constant dense<0.5> : tensor<3x3x64x64xf32>
  %0 = nn.conv %x, %w, %b {channels_last = true, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x14x14x64xf32>, tensor<3x3x64x64xf32>, tensor<64xf32>) -> tensor<1x14x14x64xf32>
  return %0 : tensor<1x14x14x64xf32>
}

// -----

// More than 128 channels: the channels go in blocks of 128 (the largest
// divisor up to 128), a loop inside each tap.
// CHECK-LABEL: func.func @conv_direct_channel_blocks
// CHECK: scf.for %[[KY:.*]] = %c0 to %c3
// CHECK:   scf.for %[[KX:.*]] = %c0 to %c3
// CHECK:     scf.for %[[C0:.*]] = %c0 to %c256 step %c128
// CHECK:       tensor.extract_slice %{{.*}}[%{{.*}}, %{{.*}}, %[[C0]]] [1, 7, 128] [1, 1, 1] : tensor<9x9x256xf32> to tensor<7x128xf32>
// CHECK:       tensor.extract_slice %{{.*}}[%{{.*}}, %[[KY]], %[[KX]], %[[C0]], 0] [1, 1, 1, 128, 32]
// CHECK:       linalg.matmul {{.*}} : tensor<7x128xf32>, tensor<128x32xf32>
func.func @conv_direct_channel_blocks(%x: tensor<1x256x7x7xf32>) -> tensor<1x64x7x7xf32> {
  %w = nn.constant dense<0.5> : tensor<64x256x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x256x7x7xf32>, tensor<64x256x3x3xf32>) -> tensor<1x64x7x7xf32>
  return %0 : tensor<1x64x7x7xf32>
}

// -----

// Strided convolutions have no Winograd route and im2col would gather a
// strided copy: they are direct up to 1024 output pixels (here 28x28), where
// a stride-1 one of the same size stays Winograd.
// CHECK-LABEL: func.func @conv_direct_strided_larger_map
// CHECK: direct_conv_kernel{{.*}} : tensor<1x3x3x16x32xf32>
// CHECK: scf.forall ({{.*}}) in (14) {{.*}} -> (tensor<1x28x28x32xf32>)
// CHECK:   linalg.matmul {{.*}} : tensor<7x16xf32>, tensor<16x32xf32>
// CHECK-LABEL: func.func @conv_stride1_larger_map
// CHECK-NOT: direct_conv_kernel
// CHECK: winograd_kernel
func.func @conv_direct_strided_larger_map(%x: tensor<1x16x56x56xf32>) -> tensor<1x32x28x28xf32> {
  %w = nn.constant dense<0.5> : tensor<32x16x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x16x56x56xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x28x28xf32>
  return %0 : tensor<1x32x28x28xf32>
}
func.func @conv_stride1_larger_map(%x: tensor<1x16x28x28xf32>) -> tensor<1x32x28x28xf32> {
  %w = nn.constant dense<0.5> : tensor<32x16x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x16x28x28xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x28x28xf32>
  return %0 : tensor<1x32x28x28xf32>
}

// -----

// Filters in 48s (resnet18w48's 48 to 384) go in chunks of three AVX-512
// vectors: the kernel is packed as [F/48, KH, KW, C, 48] and each run of 7
// pixels is a 7 x 48 matmul (21 accumulators).
// CHECK-LABEL: func.func @conv_direct_chunks_of_48
// CHECK: direct_conv_kernel{{.*}} : tensor<2x3x3x96x48xf32>
// CHECK: scf.forall ({{.*}}) in (2, 7) {{.*}} -> (tensor<1x14x14x96xf32>)
// CHECK:   bufferization.alloc_tensor() : tensor<4x7x48xf32>
// CHECK:   linalg.matmul {{.*}} : tensor<7x96xf32>, tensor<96x48xf32>
// CHECK:   arith.muli %{{.*}}, %c48
// CHECK:   tensor.parallel_insert_slice %{{.*}} [1, 2, 14, 48]
func.func @conv_direct_chunks_of_48(%x: tensor<1x96x14x14xf32>) -> tensor<1x96x14x14xf32> {
  %w = nn.constant dense<0.5> : tensor<96x96x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x96x14x14xf32>, tensor<96x96x3x3xf32>) -> tensor<1x96x14x14xf32>
  return %0 : tensor<1x96x14x14xf32>
}

// -----

// Input and output larger than the weights (here 646 + 301 KB against 166
// KB): the units go row group by row group, each with both filter chunks,
// so that with the iterations split in contiguous halves each thread reads
// the rows the op before it wrote on the same core, and the op after finds
// its rows there (in (4, 2): groups, then chunks; the layers above, whose
// weights are the larger read, go chunk by chunk). Split by rows, there are
// at least two row groups even where the chunks alone make 8 units
// (MobileNetV2's 14x14 expansion, 12 chunks of 48).
// CHECK-LABEL: func.func @conv_direct_row_groups_outer
// CHECK: scf.forall (%[[G:.*]], %[[C:.*]]) in (4, 2) {{.*}} -> (tensor<1x28x28x96xf32>)
// CHECK:   %[[FIRST:.*]] = arith.muli %[[G]], %c7
// CHECK:   tensor.extract_slice %{{.*}}[%[[C]], %{{.*}}, %{{.*}}, 0, 0] [1, 1, 1, 48, 48]
// CHECK:   %[[F0:.*]] = arith.muli %[[C]], %c48
// CHECK:   tensor.parallel_insert_slice %{{.*}}[0, %[[FIRST]], 0, %[[F0]]] [1, 7, 28, 48]
func.func @conv_direct_row_groups_outer(%x: tensor<1x48x56x56xf32>) -> tensor<1x96x28x28xf32> {
  %w = nn.constant dense<0.5> : tensor<96x48x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x48x56x56xf32>, tensor<96x48x3x3xf32>) -> tensor<1x96x28x28xf32>
  return %0 : tensor<1x96x28x28xf32>
}
// CHECK-LABEL: func.func @pointwise_rows_outer
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 12) {{.*}} -> (tensor<1x14x14x576xf32>)
// CHECK:   linalg.matmul {{.*}} : tensor<7x96xf32>, tensor<96x48xf32>
func.func @pointwise_rows_outer(%x: tensor<1x14x14x96xf32>) -> tensor<1x14x14x576xf32> {
  %w = nn.constant dense<0.5> : tensor<1x1x96x576xf32>
  %0 = nn.conv %x, %w {channels_last = true, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x14x14x96xf32>, tensor<1x1x96x576xf32>) -> tensor<1x14x14x576xf32>
  return %0 : tensor<1x14x14x576xf32>
}
