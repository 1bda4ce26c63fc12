// RUN: openopt-opt %s --split-input-file --openopt-fuse-ops | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-fuse-ops{fold-bias=false elementwise=false}))' | FileCheck %s --check-prefix=NOFOLD
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-fuse-ops{epilogue=false elementwise=false}))' | FileCheck %s --check-prefix=FOLDONLY
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-fuse-ops{max-group-size=2}))' | FileCheck %s --check-prefix=SMALL
// RUN: not openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-fuse-ops{max-group-size=1}))' 2>&1 | FileCheck %s --check-prefix=BADSIZE

// Conv + per-channel Add + Relu: the Add becomes the Conv's bias and the
// Relu joins the Conv in an epilogue group.
// CHECK-LABEL: func.func @conv_bias_relu
// CHECK: %[[G:.*]] = nn.fused "epilogue" {
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0, %{{.*}}, %{{.*}} {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[R:.*]] = nn.relu %[[C]]
// CHECK-NEXT: nn.yield %[[R]] : tensor<1x2x4x4xf32>
// CHECK-NEXT: } : tensor<1x2x4x4xf32>
// CHECK-NOT: nn.add
// CHECK: return %[[G]]
// NOFOLD-LABEL: func.func @conv_bias_relu
// NOFOLD: nn.fused "epilogue" {
// NOFOLD-NEXT: nn.conv
// NOFOLD-NEXT: nn.add
// NOFOLD-NEXT: nn.relu
// FOLDONLY-LABEL: func.func @conv_bias_relu
// FOLDONLY-NOT: nn.fused
// FOLDONLY: nn.conv %arg0, %{{.*}}, %{{.*}} {
// FOLDONLY-NOT: nn.add
// FOLDONLY: nn.relu
// BADSIZE: max-group-size must be at least 2, got 1
func.func @conv_bias_relu(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %b = nn.constant dense<[[[0.5]], [[-0.5]]]> : tensor<2x1x1xf32>
  %a = nn.add %c, %b : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = nn.relu %a : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// The bias of an existing Conv bias is summed with the added one.
// FOLDONLY-LABEL: func.func @conv_existing_bias
// FOLDONLY: %[[B:.*]] = nn.constant dense<1.500000e+00> : tensor<2xf32>
// FOLDONLY: nn.conv %arg0, %{{.*}}, %[[B]]
func.func @conv_existing_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %b0 = nn.constant dense<1.0> : tensor<2xf32>
  %c = nn.conv %x, %w, %b0 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %b = nn.constant dense<0.5> : tensor<1x2x1x1xf32>
  %a = nn.add %b, %c : (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %a : tensor<1x2x4x4xf32>
}

// -----

// A 2-D MatMul plus a bias row becomes a Gemm with C; Clip joins it.
// CHECK-LABEL: func.func @matmul_bias_clip
// CHECK: nn.fused "epilogue" {
// CHECK-NEXT: nn.gemm %arg0, %{{.*}}, %{{.*}} {{.*}} -> tensor<2x3xf32>
// CHECK-NEXT: nn.clip
// FOLDONLY-LABEL: func.func @matmul_bias_clip
// FOLDONLY: nn.gemm
// FOLDONLY-NOT: nn.matmul
// FOLDONLY-NOT: nn.add
func.func @matmul_bias_clip(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = nn.constant dense<1.0> : tensor<4x3xf32>
  %m = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %b = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %a = nn.add %m, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %r = nn.clip %a {min = 0.0, max = 6.0} : tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// Must not fuse: the Conv result has a second user, and the Add's other
// operand is not a constant.
// CHECK-LABEL: func.func @shared_result
// FOLDONLY-LABEL: func.func @shared_result
// CHECK-NOT: nn.fused "epilogue"
// CHECK: nn.conv
// CHECK: nn.add
func.func @shared_result(%x: tensor<1x1x4x4xf32>, %y: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = nn.add %c, %y : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %a, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// An element-wise chain becomes one group; the op whose result is used twice
// starts its own group boundary.
// CHECK-LABEL: func.func @chain
// CHECK: %[[G:.*]] = nn.fused "elementwise" {
// CHECK-NEXT: nn.mul
// CHECK-NEXT: nn.add
// CHECK-NEXT: nn.tanh
// CHECK-NEXT: nn.yield
// CHECK: return %[[G]]
// SMALL-LABEL: func.func @chain
// SMALL: nn.mul
// SMALL: nn.fused "elementwise" {
// SMALL-NEXT: nn.add
// SMALL-NEXT: nn.tanh
// SMALL-NEXT: nn.yield
func.func @chain(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %m = nn.mul %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %a = nn.add %m, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %t = nn.tanh %a : tensor<8xf32>
  return %t : tensor<8xf32>
}

// -----

// A lone element-wise op is not a group; an intermediate used outside the
// chain splits it.
// CHECK-LABEL: func.func @no_group
// CHECK-NOT: nn.fused
func.func @no_group(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = nn.exp %x : tensor<8xf32>
  %t = nn.tanh %e : tensor<8xf32>
  return %t, %e : tensor<8xf32>, tensor<8xf32>
}

// -----

// A channels-last Conv takes a bias on its last axis and keeps its layout.
// FOLDONLY-LABEL: func.func @conv_channels_last
// FOLDONLY: %[[B:.*]] = nn.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// FOLDONLY: nn.conv %arg0, %{{.*}}, %[[B]] {channels_last = true
// FOLDONLY-NOT: nn.add
func.func @conv_channels_last(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = nn.constant dense<1.0> : tensor<1x1x1x2xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x4x4x1xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %b = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %a = nn.add %c, %b : (tensor<1x4x4x2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  return %a : tensor<1x4x4x2xf32>
}
