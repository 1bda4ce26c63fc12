// RUN: openopt-opt %s --split-input-file --openopt-convert-layout | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-layout{layout=nchw}))' | FileCheck %s --check-prefix=NCHW
// RUN: not openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-layout{layout=nwhc}))' 2>&1 | FileCheck %s --check-prefix=BAD

// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-layout{layout=auto}))' | FileCheck %s --check-prefix=AUTO
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-layout{layout=auto vector-bits=512}))' | FileCheck %s --check-prefix=AVX512
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-convert-layout{layout=auto vector-bits=256}))' | FileCheck %s --check-prefix=AVX2

// BAD: layout must be "nchw", "nhwc" or "auto", got "nwhc"

// A residual block, conv -> relu -> conv -> add -> relu: NHWC from end to
// end, with one transpose at the input and one at the output. The 1x1
// weight [F=2, C=2] is re-laid out [KH, KW, C, F] at compile time.
// CHECK-LABEL: func.func @residual_block
// CHECK-DAG: %[[W:.*]] = nn.constant dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK-DAG: %[[IN:.*]] = nn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[C1:.*]] = nn.conv %[[IN]], %[[W]], %{{.*}} {channels_last = true, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[R1:.*]] = nn.relu %[[C1]] : tensor<1x4x4x2xf32>
// CHECK: %[[C2:.*]] = nn.conv %[[R1]], %{{.*}} {channels_last = true{{.*}}} : (tensor<1x4x4x2xf32>, tensor<3x3x2x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[A:.*]] = nn.add %[[C2]], %[[IN]] : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[R2:.*]] = nn.relu %[[A]] : tensor<1x4x4x2xf32>
// CHECK: %[[OUT:.*]] = nn.transpose %[[R2]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x4x4xf32>
// CHECK: return %[[OUT]]
// CHECK-NOT: nn.transpose
// NCHW-LABEL: func.func @residual_block
// NCHW-NOT: nn.transpose
// NCHW-NOT: channels_last
func.func @residual_block(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w1 = nn.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b1 = nn.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %c1 = nn.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r1 = nn.relu %c1 : tensor<1x2x4x4xf32>
  %w2 = nn.constant dense<0.1> : tensor<2x2x3x3xf32>
  %c2 = nn.conv %r1, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %a = nn.add %c2, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %r2 = nn.relu %a : tensor<1x2x4x4xf32>
  return %r2 : tensor<1x2x4x4xf32>
}

// -----

// A weight that is not a constant is transposed at run time.
// CHECK-LABEL: func.func @weight_argument
// CHECK-DAG: %[[W:.*]] = nn.transpose %arg1 {perm = array<i64: 2, 3, 1, 0>} : (tensor<4x3x3x3xf32>) -> tensor<3x3x3x4xf32>
// CHECK-DAG: %[[IN:.*]] = nn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C:.*]] = nn.conv %[[IN]], %[[W]] {channels_last = true
// CHECK: nn.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>}
func.func @weight_argument(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %c : tensor<1x4x6x6xf32>
}

// -----

// A ResNet head: MaxPool and GlobalAveragePool run channels-last too; the
// last transpose only moves 1-dims, so it becomes a reshape and merges with
// the Flatten. No transpose is left but the input's.
// CHECK-LABEL: func.func @pools_and_head
// CHECK: nn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: nn.transpose
// CHECK: nn.max_pool %{{.*}} {channels_last = true{{.*}}} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK: nn.average_pool %{{.*}} {channels_last = true{{.*}}} : (tensor<1x4x4x4xf32>) -> tensor<1x2x2x4xf32>
// CHECK: %[[G:.*]] = nn.global_average_pool %{{.*}} {channels_last = true} : (tensor<1x2x2x4xf32>) -> tensor<1x1x1x4xf32>
// CHECK-NOT: nn.flatten
// CHECK: %[[F:.*]] = nn.reshape %[[G]], %{{.*}} : (tensor<1x1x1x4xf32>, tensor<2xi64>) -> tensor<1x4xf32>
// CHECK: nn.gemm %[[F]]
// NCHW-LABEL: func.func @pools_and_head
// NCHW-NOT: channels_last
func.func @pools_and_head(%x: tensor<1x4x8x8xf32>, %w: tensor<10x4xf32>) -> tensor<1x10xf32> {
  %m = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %r = nn.relu %m : tensor<1x4x4x4xf32>
  %a = nn.average_pool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32>
  %g = nn.global_average_pool %a : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %f = nn.flatten %g : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
  %y = nn.gemm %f, %w {transB = 1} : (tensor<1x4xf32>, tensor<10x4xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// -----

// A per-channel constant [C, 1, 1] follows the data into NHWC: it becomes
// [1, 1, 1, C] at compile time.
// CHECK-LABEL: func.func @channel_constant
// CHECK-DAG: %[[K:.*]] = nn.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK-DAG: %[[P:.*]] = nn.max_pool
// CHECK: %[[M:.*]] = nn.mul %[[P]], %[[K]] : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK: %[[C:.*]] = nn.clip %[[M]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<1x2x2x2xf32>
// CHECK: nn.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>}
func.func @channel_constant(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %p = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %k = nn.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %m = nn.mul %p, %k : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %c = nn.clip %m {min = 0.0, max = 6.0} : tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

// The transpose stops at a binary op whose other operand is neither a
// constant nor the same transpose: transposing %y too would add work.
// CHECK-LABEL: func.func @other_operand_runtime
// CHECK: %[[P:.*]] = nn.max_pool
// CHECK: %[[T:.*]] = nn.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: nn.add %[[T]], %arg1 : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>)
func.func @other_operand_runtime(%x: tensor<1x2x4x4xf32>, %y: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %p = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %a = nn.add %p, %y : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %a : tensor<1x2x2x2xf32>
}

// -----

// Not converted: 1-D and 3-D convolutions, grouped convolutions, and ops
// that are already channels-last.
// CHECK-LABEL: func.func @not_converted
// CHECK-NOT: nn.transpose
// CHECK: nn.conv %arg0, %arg1 {dilations
// CHECK: nn.conv %arg2, %arg3 {dilations
// CHECK: nn.conv %arg4, %arg5 {dilations{{.*}}group = 2
// CHECK: nn.max_pool %arg6 {channels_last = true
// CHECK-NOT: nn.transpose
// NCHW-LABEL: func.func @not_converted
func.func @not_converted(%x1: tensor<1x2x8xf32>, %w1: tensor<4x2x3xf32>,
                         %x3: tensor<1x2x4x4x4xf32>, %w3: tensor<4x2x3x3x3xf32>,
                         %xg: tensor<1x4x8x8xf32>, %wg: tensor<4x2x3x3xf32>,
                         %xl: tensor<1x8x8x4xf32>)
    -> (tensor<1x4x6xf32>, tensor<1x4x2x2x2xf32>, tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>) {
  %c1 = nn.conv %x1, %w1 {strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<1x2x8xf32>, tensor<4x2x3xf32>) -> tensor<1x4x6xf32>
  %c3 = nn.conv %x3, %w3 {strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>} : (tensor<1x2x4x4x4xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x2x2x2xf32>
  %cg = nn.conv %xg, %wg {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  %ml = nn.max_pool %xl {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  return %c1, %c3, %cg, %ml : tensor<1x4x6xf32>, tensor<1x4x2x2x2xf32>, tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>
}

// -----

// A depthwise block (1x1 expansion, depthwise 3x3 stride 2, ReLU6): the
// depthwise weight [C, 1, 3, 3] becomes [3, 3, 1, C] and the block runs
// NHWC. layout=auto converts a network with depthwise convolutions (two
// blocks here: 4 convolutions) and leaves one block alone (2 convolutions:
// the transposes at its edges would cost more than it gains) and a function
// without a depthwise convolution.
// CHECK-LABEL: func.func @depthwise_block
// CHECK: nn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK: nn.conv {{.*}}channels_last = true{{.*}} -> tensor<1x8x8x4xf32>
// CHECK: nn.conv {{.*}}channels_last = true{{.*}}group = 4 : i64{{.*}} : (tensor<1x8x8x4xf32>, tensor<3x3x1x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK: nn.clip {{.*}} : tensor<1x4x4x4xf32>
// CHECK: nn.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>}
// AUTO-LABEL: func.func @depthwise_block
// AUTO-NOT: channels_last
// AUTO-LABEL: func.func @two_blocks
// AUTO: nn.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// AUTO-COUNT-2: nn.conv {{.*}}channels_last = true
// AUTO: nn.conv {{.*}}channels_last = true{{.*}}group = 4
// AUTO: nn.conv {{.*}}channels_last = true
// AUTO: nn.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>}
// AUTO-NOT: nn.transpose
// AUTO-LABEL: func.func @no_depthwise
// AUTO-NOT: nn.transpose
// AUTO-NOT: channels_last
// AUTO: return
func.func @depthwise_block(%x: tensor<1x2x8x8xf32>, %w1: tensor<4x2x1x1xf32>, %wd: tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %e = nn.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x8x8xf32>
  %d = nn.conv %e, %wd {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %r = nn.clip %d {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}
func.func @two_blocks(%x: tensor<1x2x8x8xf32>, %w1: tensor<4x2x1x1xf32>, %wd: tensor<4x1x3x3xf32>, %w2: tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32> {
  %e = nn.conv %x, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x8x8xf32>
  %e2 = nn.conv %e, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %d = nn.conv %e2, %wd {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %p = nn.conv %d, %w2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}
func.func @no_depthwise(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %c : tensor<1x4x6x6xf32>
}

// -----

// An integer depthwise convolution (ConvInteger's i32 form) is left as it is:
// its NCHW lowering is the one that accumulates in its type.
// CHECK-LABEL: func.func @integer_depthwise
// CHECK-NOT: channels_last
// CHECK: return
func.func @integer_depthwise(%x: tensor<1x4x8x8xi32>, %w: tensor<4x1x3x3xi32>) -> tensor<1x4x6x6xi32> {
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 4} : (tensor<1x4x8x8xi32>, tensor<4x1x3x3xi32>) -> tensor<1x4x6x6xi32>
  return %c : tensor<1x4x6x6xi32>
}

// -----

// A ResNet's last stages without depthwise convolutions: layout=auto
// converts only the convolutions the lowering computes directly (with
// AVX-512: maps of at most 256 pixels, filters a multiple of 32, C*KH*KW >=
// 64), so the 10x10 block runs NHWC between one transpose of its input,
// shared by the block's first convolution and its downsampling one, and the
// pooled result, whose transpose only moves 1-dims; the 20x20 convolution
// stays NCHW (Winograd's). With AVX2 nothing converts. (The depthwise
// networks' rule converts everything, checked above.)
// AVX512-LABEL: func.func @small_map_stage
// AVX512: %[[A:.*]] = nn.conv %arg0, {{.*}} -> tensor<1x64x20x20xf32>
// AVX512: %[[T:.*]] = nn.transpose %[[A]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x64x20x20xf32>) -> tensor<1x20x20x64xf32>
// AVX512-NOT: nn.transpose
// AVX512: nn.conv %[[T]], {{.*}}channels_last = true{{.*}} -> tensor<1x10x10x64xf32>
// AVX512: nn.conv {{.*}}channels_last = true{{.*}} -> tensor<1x10x10x64xf32>
// AVX512: nn.conv %[[T]], {{.*}}channels_last = true{{.*}} -> tensor<1x10x10x64xf32>
// AVX512: nn.add {{.*}} -> tensor<1x10x10x64xf32>
// AVX512: nn.global_average_pool {{.*}}channels_last = true{{.*}} -> tensor<1x1x1x64xf32>
// AVX512-NOT: nn.transpose
// AVX512: return
// AVX2-LABEL: func.func @small_map_stage
// AVX2-NOT: channels_last
// AVX2-NOT: nn.transpose
// AVX2: return
func.func @small_map_stage(%x: tensor<1x64x20x20xf32>) -> tensor<1x64x1x1xf32> {
  %w = nn.constant dense<0.01> : tensor<64x64x3x3xf32>
  %w1 = nn.constant dense<0.02> : tensor<64x64x1x1xf32>
  %a = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x20x20xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x20x20xf32>
  %b = nn.conv %a, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x20x20xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x10x10xf32>
  %r = nn.relu %b : tensor<1x64x10x10xf32>
  %c = nn.conv %r, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x10x10xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x10x10xf32>
  %d = nn.conv %a, %w1 {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x64x20x20xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x10x10xf32>
  %s = nn.add %c, %d : (tensor<1x64x10x10xf32>, tensor<1x64x10x10xf32>) -> tensor<1x64x10x10xf32>
  %o = nn.relu %s : tensor<1x64x10x10xf32>
  %g = nn.global_average_pool %o : (tensor<1x64x10x10xf32>) -> tensor<1x64x1x1xf32>
  return %g : tensor<1x64x1x1xf32>
}
