// RUN: openopt-opt %s --split-input-file --openopt-fold-batchnorm | FileCheck %s

// Conv + BatchNormalization becomes one Conv: w' = w * a, b' = b * a + (beta - mean * a)
// with a = scale / sqrt(var + eps). Here a = [2, 0.5], b = [1, -1].
// CHECK-LABEL: func.func @conv
// CHECK-NOT: nn.batch_norm
// CHECK-DAG: %[[W:.*]] = nn.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}5.000000e-01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = nn.constant dense<[3.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = nn.conv %arg0, %[[W]], %[[B]]
// CHECK: return %[[C]]
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %b = nn.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %c = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %scale = nn.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = nn.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = nn.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %var = nn.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %y = nn.batch_norm %c, %scale, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Gemm + BatchNormalization over the columns; transB weights are scaled by row.
// CHECK-LABEL: func.func @gemm
// CHECK-NOT: nn.batch_norm
// CHECK-DAG: nn.constant dense<{{\[\[}}2.000000e+00, 2.000000e+00], [5.000000e-01, 5.000000e-01]]> : tensor<2x2xf32>
// CHECK: nn.gemm %arg0, %{{.*}}, %{{.*}} {transB = 1 : i64}
func.func @gemm(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = nn.constant dense<1.0> : tensor<2x2xf32>
  %g = nn.gemm %a, %w {transB = 1} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %scale = nn.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = nn.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = nn.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %var = nn.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %y = nn.batch_norm %g, %scale, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Not folded: the Conv result has another use.
// CHECK-LABEL: func.func @conv_used_twice
// CHECK: nn.batch_norm
func.func @conv_used_twice(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %p = nn.constant dense<1.0> : tensor<2xf32>
  %y = nn.batch_norm %c, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Not folded: the normalisation parameters are not constants, or the input
// is not a Conv/Gemm.
// CHECK-LABEL: func.func @not_constant
// CHECK: nn.batch_norm
// CHECK: nn.batch_norm
func.func @not_constant(%x: tensor<1x1x4x4xf32>, %s: tensor<2xf32>, %y: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = nn.batch_norm %c, %s, %s, %s, %s : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %p = nn.constant dense<1.0> : tensor<2xf32>
  %b = nn.batch_norm %y, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %a, %b : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Not folded: a channels-last Conv (its channels are the last axis), even
// where the sizes would line up: here axis 1 and the weight's first axis are
// both 2.
// CHECK-LABEL: func.func @channels_last_conv
// CHECK: nn.conv
// CHECK: nn.batch_norm
func.func @channels_last_conv(%x: tensor<1x3x4x2xf32>) -> tensor<1x2x4x2xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x2x2xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x3x4x2xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x4x2xf32>
  %s = nn.constant dense<1.0> : tensor<2xf32>
  %bn = nn.batch_norm %c, %s, %s, %s, %s : (tensor<1x2x4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x2xf32>
  return %bn : tensor<1x2x4x2xf32>
}
