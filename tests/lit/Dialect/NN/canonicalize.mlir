// RUN: openopt-opt %s --split-input-file --canonicalize | FileCheck %s
// Canonicalization patterns of nn ops: data-movement chains collapse.

// Two transposes compose into one.
// CHECK-LABEL: func.func @transpose_transpose
// CHECK-NEXT: %[[T:.*]] = nn.transpose %arg0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %a = nn.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %b = nn.transpose %a {perm = array<i64: 2, 1, 0>} : (tensor<3x2x4xf32>) -> tensor<4x2x3xf32>
  return %b : tensor<4x2x3xf32>
}

// -----

// NCHW -> NHWC -> NCHW is the identity.
// CHECK-LABEL: func.func @transpose_inverse
// CHECK-NEXT: return %arg0
func.func @transpose_inverse(%x: tensor<1x3x4x5xf32>) -> tensor<1x3x4x5xf32> {
  %a = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x4x5xf32>) -> tensor<1x4x5x3xf32>
  %b = nn.transpose %a {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x5x3xf32>) -> tensor<1x3x4x5xf32>
  return %b : tensor<1x3x4x5xf32>
}

// -----

// The inner transpose has another user: it stays, the outer one still
// reads the source directly.
// CHECK-LABEL: func.func @transpose_shared
// CHECK-DAG: %[[A:.*]] = nn.transpose %arg0 {perm = array<i64: 1, 0>}
// CHECK-DAG: %[[E:.*]] = nn.exp %[[A]]
// CHECK: return %arg0, %[[E]]
func.func @transpose_shared(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %a = nn.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %b = nn.transpose %a {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %e = nn.exp %a : tensor<3x2xf32>
  return %b, %e : tensor<2x3xf32>, tensor<3x2xf32>
}

// -----

// A transpose that only moves 1-dims keeps the element order: a reshape.
// CHECK-LABEL: func.func @transpose_unit_dims
// CHECK-NOT: nn.transpose
// CHECK: %[[S:.*]] = nn.constant dense<[1, 8, 1, 1]> : tensor<4xi64>
// CHECK: %[[R:.*]] = nn.reshape %arg0, %[[S]] : (tensor<1x1x1x8xf32>, tensor<4xi64>) -> tensor<1x8x1x1xf32>
// CHECK: return %[[R]]
func.func @transpose_unit_dims(%x: tensor<1x1x1x8xf32>) -> tensor<1x8x1x1xf32> {
  %t = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x1x8xf32>) -> tensor<1x8x1x1xf32>
  return %t : tensor<1x8x1x1xf32>
}

// -----

// One dynamic dim: the reshape infers it (-1).
// CHECK-LABEL: func.func @transpose_unit_dims_dynamic
// CHECK: nn.constant dense<[-1, 1, 8]> : tensor<3xi64>
// CHECK: nn.reshape
func.func @transpose_unit_dims_dynamic(%x: tensor<?x8x1xf32>) -> tensor<?x1x8xf32> {
  %t = nn.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<?x8x1xf32>) -> tensor<?x1x8xf32>
  return %t : tensor<?x1x8xf32>
}

// -----

// Not a reshape: two dims larger than 1 swap.
// CHECK-LABEL: func.func @transpose_real
// CHECK: nn.transpose
// CHECK-NOT: nn.reshape
func.func @transpose_real(%x: tensor<1x2x1x8xf32>) -> tensor<1x8x1x2xf32> {
  %t = nn.transpose %x {perm = array<i64: 0, 3, 2, 1>} : (tensor<1x2x1x8xf32>) -> tensor<1x8x1x2xf32>
  return %t : tensor<1x8x1x2xf32>
}

// -----

// Not a reshape: a dynamic dim might be larger than 1.
// CHECK-LABEL: func.func @transpose_dynamic_swap
// CHECK: nn.transpose
func.func @transpose_dynamic_swap(%x: tensor<1x?x8xf32>) -> tensor<1x8x?xf32> {
  %t = nn.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<1x?x8xf32>) -> tensor<1x8x?xf32>
  return %t : tensor<1x8x?xf32>
}

// -----

// reshape(reshape(x)) is one reshape.
// CHECK-LABEL: func.func @reshape_reshape
// CHECK: %[[S:.*]] = nn.constant dense<[4, 6]> : tensor<2xi64>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %arg0, %[[S]] : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %s1 = nn.constant dense<[6, 4]> : tensor<2xi64>
  %a = nn.reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  %s2 = nn.constant dense<[4, -1]> : tensor<2xi64>
  %b = nn.reshape %a, %s2 : (tensor<6x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  return %b : tensor<4x6xf32>
}

// -----

// Flatten after a reshape (the end of a CNN after layout conversion): one
// reshape; squeeze/unsqueeze chains likewise.
// CHECK-LABEL: func.func @flatten_chain
// CHECK-NOT: nn.flatten
// CHECK-NOT: nn.squeeze
// CHECK: %[[S:.*]] = nn.constant dense<[1, 8]> : tensor<2xi64>
// CHECK: %[[R:.*]] = nn.reshape %arg0, %[[S]] : (tensor<1x1x1x8xf32>, tensor<2xi64>) -> tensor<1x8xf32>
// CHECK: %[[U:.*]] = nn.reshape %arg1, %{{.*}} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<1x3x1xf32>
// CHECK: return %[[R]], %[[U]]
func.func @flatten_chain(%x: tensor<1x1x1x8xf32>, %y: tensor<3x1xf32>) -> (tensor<1x8xf32>, tensor<1x3x1xf32>) {
  %t = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x1x1x8xf32>) -> tensor<1x8x1x1xf32>
  %f = nn.flatten %t : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %q = nn.squeeze %y {axes = array<i64: 1>} : (tensor<3x1xf32>) -> tensor<3xf32>
  %u = nn.unsqueeze %q {axes = array<i64: 0, 2>} : (tensor<3xf32>) -> tensor<1x3x1xf32>
  return %f, %u : tensor<1x8xf32>, tensor<1x3x1xf32>
}

// -----

// A chain that restores the shape disappears (the reshape folder drops the
// same-type reshape).
// CHECK-LABEL: func.func @squeeze_unsqueeze
// CHECK-NEXT: return %arg0
func.func @squeeze_unsqueeze(%x: tensor<4x1xf32>) -> tensor<4x1xf32> {
  %q = nn.squeeze %x {axes = array<i64: 1>} : (tensor<4x1xf32>) -> tensor<4xf32>
  %u = nn.unsqueeze %q {axes = array<i64: 1>} : (tensor<4xf32>) -> tensor<4x1xf32>
  return %u : tensor<4x1xf32>
}

// -----

// A Flatten, Squeeze or Unsqueeze on its own stays what it is.
// CHECK-LABEL: func.func @alone
// CHECK: nn.flatten
// CHECK: nn.squeeze
// CHECK: nn.unsqueeze
// CHECK-NOT: nn.reshape
func.func @alone(%x: tensor<2x3x4xf32>, %y: tensor<3x1xf32>) -> (tensor<2x12xf32>, tensor<3xf32>, tensor<1x3x1xf32>) {
  %f = nn.flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %q = nn.squeeze %y {axes = array<i64: 1>} : (tensor<3x1xf32>) -> tensor<3xf32>
  %u = nn.unsqueeze %y {axes = array<i64: 0>} : (tensor<3x1xf32>) -> tensor<1x3x1xf32>
  return %f, %q, %u : tensor<2x12xf32>, tensor<3xf32>, tensor<1x3x1xf32>
}

// -----

// Not collapsed: two dynamic dims cannot be written as one Reshape shape.
// CHECK-LABEL: func.func @reshape_two_dynamic
// CHECK: nn.flatten
// CHECK: nn.unsqueeze
func.func @reshape_two_dynamic(%x: tensor<?x?x4xf32>) -> tensor<1x?x?xf32> {
  %f = nn.flatten %x {axis = 1 : i64} : (tensor<?x?x4xf32>) -> tensor<?x?xf32>
  %u = nn.unsqueeze %f {axes = array<i64: 0>} : (tensor<?x?xf32>) -> tensor<1x?x?xf32>
  return %u : tensor<1x?x?xf32>
}

// -----

// Relu is idempotent; Relu of something else stays.
// CHECK-LABEL: func.func @relu_relu
// CHECK-NEXT: %[[R:.*]] = nn.relu %arg0
// CHECK-NEXT: %[[E:.*]] = nn.exp %[[R]]
// CHECK-NEXT: %[[S:.*]] = nn.relu %[[E]]
// CHECK-NEXT: return %[[S]]
func.func @relu_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = nn.relu %x : tensor<4xf32>
  %b = nn.relu %a : tensor<4xf32>
  %c = nn.relu %b : tensor<4xf32>
  %e = nn.exp %c : tensor<4xf32>
  %r = nn.relu %e : tensor<4xf32>
  return %r : tensor<4xf32>
}
