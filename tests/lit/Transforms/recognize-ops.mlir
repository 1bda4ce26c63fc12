// RUN: openopt-opt %s --split-input-file --openopt-recognize-ops | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-recognize-ops{layer-norm=false}))' | FileCheck %s --check-prefix=NO-LN

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
