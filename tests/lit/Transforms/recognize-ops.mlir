// RUN: openopt-opt %s --split-input-file --openopt-recognize-ops | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-recognize-ops{layer-norm=false}))' | FileCheck %s --check-prefix=NO-LN
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-recognize-ops{softmax=false}))' | FileCheck %s --check-prefix=NO-SM

// The LayerNormalization that torch exports at opset 13.
// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[LN:.*]] = nn.layer_norm %arg0, %arg1, %arg2 {axis = 2 : i64, epsilon = {{9.99999.*E-7}} : f32} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK: return %[[LN]]
// NO-LN-LABEL: func.func @layer_norm
// NO-LN-NOT: nn.layer_norm
func.func @layer_norm(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %m = nn.reduce_mean %x {axes = array<i64: -1>} : (tensor<2x4x8xf32>) -> tensor<2x4x1xf32>
  %d = nn.sub %x, %m : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %two = nn.constant dense<2.0> : tensor<f32>
  %p = nn.pow %d, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %v = nn.reduce_mean %p {axes = array<i64: -1>} : (tensor<2x4x8xf32>) -> tensor<2x4x1xf32>
  %eps = nn.constant dense<1.0e-6> : tensor<f32>
  %ve = nn.add %v, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %s = nn.sqrt %ve : tensor<2x4x1xf32>
  %n = nn.div %d, %s : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %y = nn.mul %n, %g : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %z = nn.add %y, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %z : tensor<2x4x8xf32>
}

// -----

// Not a LayerNormalization: the mean is over a leading axis.
// CHECK-LABEL: func.func @not_trailing
// CHECK-NOT: nn.layer_norm
func.func @not_trailing(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %m = nn.reduce_mean %x {axes = array<i64: 0>} : (tensor<2x4x8xf32>) -> tensor<1x4x8xf32>
  %d = nn.sub %x, %m : (tensor<2x4x8xf32>, tensor<1x4x8xf32>) -> tensor<2x4x8xf32>
  %two = nn.constant dense<2.0> : tensor<f32>
  %p = nn.pow %d, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %v = nn.reduce_mean %p {axes = array<i64: 0>} : (tensor<2x4x8xf32>) -> tensor<1x4x8xf32>
  %eps = nn.constant dense<1.0e-5> : tensor<f32>
  %ve = nn.add %v, %eps : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %s = nn.sqrt %ve : tensor<1x4x8xf32>
  %n = nn.div %d, %s : (tensor<2x4x8xf32>, tensor<1x4x8xf32>) -> tensor<2x4x8xf32>
  %y = nn.mul %n, %g : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %z = nn.add %y, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %z : tensor<2x4x8xf32>
}

// -----

// GELU as torch writes it: (x * (erf(x / sqrt 2) + 1)) * 0.5.
// CHECK-LABEL: func.func @gelu_torch
// CHECK: %[[G:.*]] = nn.gelu %arg0 : tensor<4x16xf32>
// CHECK: return %[[G]]
func.func @gelu_torch(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %c = nn.constant dense<1.41421354> : tensor<f32>
  %a = nn.div %x, %c : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  %e = nn.erf %a : tensor<4x16xf32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %b = nn.add %e, %one : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  %m = nn.mul %x, %b : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %half = nn.constant dense<0.5> : tensor<f32>
  %y = nn.mul %m, %half : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// The other grouping, 0.5 * x first and x * (1 / sqrt 2) inside.
// CHECK-LABEL: func.func @gelu_grouped
// CHECK: nn.gelu %arg0
func.func @gelu_grouped(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c = nn.constant dense<0.707106769> : tensor<f32>
  %a = nn.mul %c, %x : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %e = nn.erf %a : tensor<8xf32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %b = nn.add %one, %e : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %half = nn.constant dense<0.5> : tensor<f32>
  %h = nn.mul %half, %x : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %y = nn.mul %h, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Not GELU: the scale is 0.4, not 0.5.
// CHECK-LABEL: func.func @not_gelu
// CHECK-NOT: nn.gelu
func.func @not_gelu(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c = nn.constant dense<1.41421354> : tensor<f32>
  %a = nn.div %x, %c : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %e = nn.erf %a : tensor<8xf32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %b = nn.add %e, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %m = nn.mul %x, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %q = nn.constant dense<0.4> : tensor<f32>
  %y = nn.mul %m, %q : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Softmax as exporters write it below opset 13 or by hand: the stabilised form
// exp(x - max(x)) / sum(exp(x - max(x))) over one axis. The axis is normalised.
// CHECK-LABEL: func.func @softmax_stable
// CHECK-NOT: nn.exp
// CHECK: %[[S:.*]] = nn.softmax %arg0 {axis = 2 : i64} : tensor<2x4x8xf32>
// CHECK-NEXT: return %[[S]]
// NO-SM-LABEL: func.func @softmax_stable
// NO-SM-NOT: nn.softmax
// NO-SM: nn.reduce_sum
func.func @softmax_stable(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %m = nn.reduce_max %x {axes = array<i64: -1>} : (tensor<2x4x8xf32>) -> tensor<2x4x1xf32>
  %d = nn.sub %x, %m : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %e = nn.exp %d : tensor<2x4x8xf32>
  %s = nn.reduce_sum %e {axes = array<i64: 2>} : (tensor<2x4x8xf32>) -> tensor<2x4x1xf32>
  %y = nn.div %e, %s : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// The unstabilised form exp(x) / sum(exp(x)), here over a leading axis.
// CHECK-LABEL: func.func @softmax_plain
// CHECK: %[[S:.*]] = nn.softmax %arg0 {axis = 0 : i64} : tensor<3x5xf32>
// CHECK-NEXT: return %[[S]]
// NO-SM-LABEL: func.func @softmax_plain
// NO-SM-NOT: nn.softmax
func.func @softmax_plain(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %e = nn.exp %x : tensor<3x5xf32>
  %s = nn.reduce_sum %e {axes = array<i64: 0>} : (tensor<3x5xf32>) -> tensor<1x5xf32>
  %y = nn.div %e, %s : (tensor<3x5xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

// Not a softmax: the exponentials are also returned, so they must stay.
// CHECK-LABEL: func.func @softmax_exp_used
// CHECK-NOT: nn.softmax
// CHECK: nn.div
func.func @softmax_exp_used(%x: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>) {
  %e = nn.exp %x : tensor<3x5xf32>
  %s = nn.reduce_sum %e {axes = array<i64: 1>} : (tensor<3x5xf32>) -> tensor<3x1xf32>
  %y = nn.div %e, %s : (tensor<3x5xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  return %y, %e : tensor<3x5xf32>, tensor<3x5xf32>
}

// -----

// Not a softmax: the max has another user.
// CHECK-LABEL: func.func @softmax_max_used
// CHECK-NOT: nn.softmax
// CHECK: nn.div
func.func @softmax_max_used(%x: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x1xf32>) {
  %m = nn.reduce_max %x {axes = array<i64: 1>} : (tensor<3x5xf32>) -> tensor<3x1xf32>
  %d = nn.sub %x, %m : (tensor<3x5xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  %e = nn.exp %d : tensor<3x5xf32>
  %s = nn.reduce_sum %e {axes = array<i64: 1>} : (tensor<3x5xf32>) -> tensor<3x1xf32>
  %y = nn.div %e, %s : (tensor<3x5xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  return %y, %m : tensor<3x5xf32>, tensor<3x1xf32>
}

// -----

// Not a softmax: the sum runs over two axes.
// CHECK-LABEL: func.func @softmax_two_axes
// CHECK-NOT: nn.softmax
// CHECK: nn.div
func.func @softmax_two_axes(%x: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  %e = nn.exp %x : tensor<2x3x5xf32>
  %s = nn.reduce_sum %e {axes = array<i64: 1, 2>} : (tensor<2x3x5xf32>) -> tensor<2x1x1xf32>
  %y = nn.div %e, %s : (tensor<2x3x5xf32>, tensor<2x1x1xf32>) -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// Not a softmax: the max is over axis 0 and the sum over axis 1.
// CHECK-LABEL: func.func @softmax_axes_differ
// CHECK-NOT: nn.softmax
// CHECK: nn.div
func.func @softmax_axes_differ(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %m = nn.reduce_max %x {axes = array<i64: 0>} : (tensor<3x5xf32>) -> tensor<1x5xf32>
  %d = nn.sub %x, %m : (tensor<3x5xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  %e = nn.exp %d : tensor<3x5xf32>
  %s = nn.reduce_sum %e {axes = array<i64: 1>} : (tensor<3x5xf32>) -> tensor<3x1xf32>
  %y = nn.div %e, %s : (tensor<3x5xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

// Not a softmax: the sum drops the reduced axis (keepdims = 0), so the
// division broadcasts differently.
// CHECK-LABEL: func.func @softmax_no_keepdims
// CHECK-NOT: nn.softmax
func.func @softmax_no_keepdims(%x: tensor<5x5xf32>) -> tensor<5x5xf32> {
  %e = nn.exp %x : tensor<5x5xf32>
  %s = nn.reduce_sum %e {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<5x5xf32>) -> tensor<5xf32>
  %y = nn.div %e, %s : (tensor<5x5xf32>, tensor<5xf32>) -> tensor<5x5xf32>
  return %y : tensor<5x5xf32>
}
