// RUN: openopt-opt %s --split-input-file --openopt-fold-constants | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-fold-constants{max-elements=2}))' | FileCheck %s --check-prefix=LIMIT

// Element-wise ops on constants are computed at compile time, broadcasting
// included.
// CHECK-LABEL: func.func @arith
// CHECK: %[[C:.*]] = nn.constant dense<{{\[\[}}2.000000e+00, 3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00, 7.000000e+00]]> : tensor<2x3xf32>
// CHECK: return %[[C]]
// Results above max-elements stay as ops.
// LIMIT-LABEL: func.func @arith
// LIMIT: nn.add
func.func @arith() -> tensor<2x3xf32> {
  %a = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %b = nn.add %a, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %b : tensor<2x3xf32>
}

// -----

// Shape sub-graphs fold through the ops' folders: Shape -> Gather -> Concat.
// CHECK-LABEL: func.func @shape_subgraph
// CHECK: %[[S:.*]] = nn.constant dense<[3, 2]> : tensor<2xi64>
// CHECK: nn.reshape %arg0, %[[S]]
func.func @shape_subgraph(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %s = nn.shape %x : (tensor<2x3xf32>) -> tensor<2xi64>
  %i1 = nn.constant dense<[1]> : tensor<1xi64>
  %i0 = nn.constant dense<[0]> : tensor<1xi64>
  %d1 = nn.gather %s, %i1 {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  %d0 = nn.gather %s, %i0 {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  %t = nn.concat %d1, %d0 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = nn.reshape %x, %t : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

// -----

// Values known only at run time are not folded.
// CHECK-LABEL: func.func @runtime
// CHECK: nn.mul
func.func @runtime(%x: tensor<4xf32>) -> tensor<4xf32> {
  %two = nn.constant dense<2.0> : tensor<f32>
  %y = nn.mul %x, %two : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
