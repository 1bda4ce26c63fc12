// RUN: openopt-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg,canonicalize))' | FileCheck %s
// The channels-last forms of Conv and the pools ([N, H, W, C]).

// Conv: the input is padded as rows of W*C values; the gather copies, per
// output pixel and kernel row, KW*C contiguous values (3*3 = 9 here) into
// col [N*OH*OW, KH*KW*C]; one matmul by the [KH*KW*C, F] weight, whose
// result already is [N, OH, OW, F]. The matmul starts from zero without
// reading its output (openopt.zero_init); the bias is added after.
// CHECK-DAG: #[[GATHER:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 * 2 + d3, d2 * 6 + d4)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
// CHECK-LABEL: func.func @conv3x3
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : tensor<1x8x8x3xf32> into tensor<1x8x24xf32>
// CHECK: %[[PAD:.*]] = tensor.pad %[[ROWS]] low[0, 1, 3] high[0, 1, 3]
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[GATHER]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[PAD]] : tensor<1x10x30xf32>) outs(%{{.*}} : tensor<1x4x4x3x9xf32>)
// CHECK: %[[COL:.*]] = tensor.collapse_shape %[[G]] {{\[}}[0, 1, 2], [3, 4]] : tensor<1x4x4x3x9xf32> into tensor<16x27xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1, 2], [3]] : tensor<3x3x3x8xf32> into tensor<27x8xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<16x8xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul {openopt.zero_init} ins(%[[COL]], %[[W]] : tensor<16x27xf32>, tensor<27x8xf32>) outs(%[[ZERO]] : tensor<16x8xf32>)
// CHECK: %[[OUT:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1, 2], [3]] output_shape [1, 4, 4, 8]
// CHECK: %[[B:.*]] = tensor.expand_shape %arg2
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS]], #{{.*}}]{{.*}} ins(%[[OUT]], %[[B]] : tensor<1x4x4x8xf32>, tensor<1x1x1x8xf32>)
// CHECK: arith.addf
func.func @conv3x3(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x8xf32>, %b: tensor<8xf32>) -> tensor<1x4x4x8xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>, tensor<8xf32>) -> tensor<1x4x4x8xf32>
  return %0 : tensor<1x4x4x8xf32>
}

// -----

// A dilated kernel gathers C values per tap: loops (n, oh, ow, kh, kw, c).
// CHECK-DAG: #[[DGATHER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d3 * 2, d2 + d4 * 2, d5)>
// CHECK-LABEL: func.func @conv_dilated
// CHECK: linalg.generic {indexing_maps = [#[[DGATHER]], #{{.*}}]{{.*}} outs(%{{.*}} : tensor<1x4x4x3x3x8xf32>)
// CHECK: linalg.matmul {openopt.zero_init} ins(%{{.*}}, %{{.*}} : tensor<16x72xf32>, tensor<72x8xf32>)
func.func @conv_dilated(%x: tensor<1x8x8x8xf32>, %w: tensor<3x3x8x8xf32>) -> tensor<1x4x4x8xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, channels_last = true} : (tensor<1x8x8x8xf32>, tensor<3x3x8x8xf32>) -> tensor<1x4x4x8xf32>
  return %0 : tensor<1x4x4x8xf32>
}

// -----

// 1x1 stride 1: the input already is col, and the batch joins M. 2*7*7 = 98
// pixels are not a multiple of 4, so zero rows pad M to 104 (a one-row
// register tile would be several times slower) and are sliced off.
// CHECK-LABEL: func.func @conv1x1_batch
// CHECK-NOT: linalg.generic
// CHECK: %[[COL:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2], [3]] : tensor<2x7x7x8xf32> into tensor<98x8xf32>
// CHECK: %[[PAD:.*]] = tensor.pad %[[COL]] low[0, 0] high[6, 0]
// CHECK: %[[MM:.*]] = linalg.matmul {openopt.zero_init} ins(%[[PAD]], %{{.*}} : tensor<104x8xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<104x16xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %[[MM]][0, 0] [98, 16] [1, 1]
// CHECK: tensor.expand_shape %[[S]] {{\[}}[0, 1, 2], [3]] output_shape [2, 7, 7, 16]
func.func @conv1x1_batch(%x: tensor<2x7x7x8xf32>, %w: tensor<1x1x8x16xf32>) -> tensor<2x7x7x16xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<2x7x7x8xf32>, tensor<1x1x8x16xf32>) -> tensor<2x7x7x16xf32>
  return %0 : tensor<2x7x7x16xf32>
}

// -----

// A 1-D channels-last conv is the 2-D one with a unit height.
// CHECK-LABEL: func.func @conv1d
// CHECK: linalg.matmul {openopt.zero_init} ins(%{{.*}}, %{{.*}} : tensor<8x12xf32>, tensor<12x8xf32>)
// CHECK: tensor<1x8x8xf32>
func.func @conv1d(%x: tensor<1x10x4xf32>, %w: tensor<3x4x8xf32>) -> tensor<1x8x8xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>, channels_last = true} : (tensor<1x10x4xf32>, tensor<3x4x8xf32>) -> tensor<1x8x8xf32>
  return %0 : tensor<1x8x8xf32>
}

// -----

func.func @conv_grouped(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<1x6x6x4xf32> {
  // expected-error @+2 {{Conv: a grouped channels-last convolution must be 2-D and depthwise (weight [KH, KW, 1, group]), this one has group 2 and weight [3, 3, 2, 4]}}
  // expected-error @+1 {{failed to legalize operation 'nn.conv'}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2, channels_last = true} : (tensor<1x8x8x4xf32>, tensor<3x3x2x4xf32>) -> tensor<1x6x6x4xf32>
  return %0 : tensor<1x6x6x4xf32>
}

// -----

// A 1x1 convolution with a large output (56x56x144 floats, 1.8 MB): a
// parallel loop over 14 chunks of 4 image rows (224 pixels), each one matmul
// of its input rows [224, 24] by the weight, whose product goes straight into
// the loop's result; the bias is added after the loop, for
// openopt-fuse-elementwise to move into it.
// CHECK-LABEL: func.func @pointwise_in_chunks
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{.*}} into tensor<24x144xf32>
// CHECK: %[[LOOP:.*]] = scf.forall (%[[I:.*]]) in (14) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x56x56x144xf32>)
// CHECK: %[[ROW:.*]] = arith.muli %[[I]], %c4
// CHECK: %[[IN:.*]] = tensor.extract_slice %arg0[0, %[[ROW]], 0, 0] [1, 4, 56, 24] [1, 1, 1, 1]
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[IN]] {{.*}} into tensor<224x24xf32>
// CHECK: linalg.matmul {openopt.zero_init} ins(%[[A]], %[[W]] : tensor<224x24xf32>, tensor<24x144xf32>)
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[ROW]], 0, 0] [1, 4, 56, 144] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[LOOP]], %{{.*}} : tensor<1x56x56x144xf32>, tensor<1x1x1x144xf32>)
// CHECK: arith.addf
func.func @pointwise_in_chunks(%x: tensor<1x56x56x24xf32>, %w: tensor<1x1x24x144xf32>, %b: tensor<144xf32>) -> tensor<1x56x56x144xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x56x56x24xf32>, tensor<1x1x24x144xf32>, tensor<144xf32>) -> tensor<1x56x56x144xf32>
  return %0 : tensor<1x56x56x144xf32>
}

// -----

// Depthwise (group == C == F), 32 channels: the input is padded as it is
// (the op computing it can write into the padded buffer), one generic over
// the output viewed as [N, OH, OW, C/16, 16] sums the 9 taps of stride 2,
// reading the same 16 contiguous channels it writes, and its result is
// collapsed straight back to [N, OH, OW, C].
// CHECK-DAG: #[[OUT5:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @depthwise_stride2
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[IMG:.*]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 10, 10, 2, 16]
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[OUT5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x4x4x2x16xf32>)
// CHECK: ^bb0
// CHECK: %[[I:.*]] = linalg.index 1
// CHECK: %[[J:.*]] = linalg.index 2
// CHECK: %[[CB:.*]] = linalg.index 3
// CHECK: %[[L:.*]] = linalg.index 4
// CHECK: tensor.extract %{{.*}}[%[[CB]], %[[L]]] : tensor<2x16xf32>
// CHECK: %[[ROW:.*]] = arith.muli %[[I]], %c2
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c2
// CHECK: tensor.extract %[[IMG]][%c0, %[[ROW]], %[[COL]], %[[CB]], %[[L]]]
// CHECK-COUNT-9: math.fma
// CHECK: tensor.collapse_shape %[[DW]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x4x4x2x16xf32> into tensor<1x4x4x32xf32>
func.func @depthwise_stride2(%x: tensor<1x8x8x32xf32>, %w: tensor<3x3x1x32xf32>, %b: tensor<32xf32>) -> tensor<1x4x4x32xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 32, channels_last = true} : (tensor<1x8x8x32xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<1x4x4x32xf32>
  return %0 : tensor<1x4x4x32xf32>
}

// -----

// Dilation 2, stride 1, pads 2: tap (y, x) reads padded rows i + 2y and
// columns j + 2x.
// CHECK-LABEL: func.func @depthwise_dilated
// CHECK: tensor.pad %arg0 low[0, 2, 2, 0] high[0, 2, 2, 0]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x8x8x1x16xf32>)
// CHECK: %[[I:.*]] = linalg.index 1
// CHECK: %[[J:.*]] = linalg.index 2
// CHECK: tensor.extract %{{.*}}[%c0, %[[I]], %[[J]], %{{.*}}, %{{.*}}]
// CHECK: %[[J2:.*]] = arith.addi %[[J]], %c2
// CHECK: tensor.extract %{{.*}}[%c0, %[[I]], %[[J2]], %{{.*}}, %{{.*}}]
// CHECK: %[[J4:.*]] = arith.addi %[[J]], %c4
// CHECK: tensor.extract %{{.*}}[%c0, %[[I]], %[[J4]], %{{.*}}, %{{.*}}]
// CHECK: %[[I2:.*]] = arith.addi %[[I]], %c2
// CHECK: tensor.extract %{{.*}}[%c0, %[[I2]], %[[J]], %{{.*}}, %{{.*}}]
func.func @depthwise_dilated(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x1x16xf32>) -> tensor<1x8x8x16xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, group = 16, channels_last = true} : (tensor<1x8x8x16xf32>, tensor<3x3x1x16xf32>) -> tensor<1x8x8x16xf32>
  return %0 : tensor<1x8x8x16xf32>
}

// -----

// Max pooling: -inf padding (as rows of W*C), then loops (n, oh, ow, kh, kw,
// c) with the contiguous channels innermost.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000
// CHECK: tensor.pad %{{.*}} low[0, 1, 2] high[0, 1, 2]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[NEGINF]]
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #{{.*}}, #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
// CHECK: arith.maximumf
func.func @max_pool(%x: tensor<1x8x8x2xf32>) -> tensor<1x4x4x2xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x8x8x2xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

// Average pooling: the divisor per output position (cells inside the input:
// 4, 6, 6, 9) is [OH, OW, 1], broadcast along the channels.
// CHECK-DAG: #[[DIV:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, 0)>
// CHECK-LABEL: func.func @average_pool
// CHECK: %[[D:.*]] = arith.constant dense<{{\[\[\[}}4.000000e+00], [6.000000e+00]], {{\[\[}}6.000000e+00], [9.000000e+00]]]> : tensor<2x2x1xf32>
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[DIV]], #{{.*}}]{{.*}} ins(%{{.*}}, %[[D]] : tensor<1x2x2x2xf32>, tensor<2x2x1xf32>)
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> {
  %0 = nn.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, channels_last = true} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Global average pooling sums over H and W, keeping N and C.
// CHECK-DAG: #[[SUM:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-LABEL: func.func @global_average_pool
// CHECK: %[[INV:.*]] = arith.constant 4.000000e-02
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SUM]]], iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 1, 1, 8]
// CHECK: arith.mulf %{{.*}}, %[[INV]]
func.func @global_average_pool(%x: tensor<1x5x5x8xf32>) -> tensor<1x1x1x8xf32> {
  %0 = nn.global_average_pool %x {channels_last = true} : (tensor<1x5x5x8xf32>) -> tensor<1x1x1x8xf32>
  return %0 : tensor<1x1x1x8xf32>
}
