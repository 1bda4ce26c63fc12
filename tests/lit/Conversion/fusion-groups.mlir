// RUN: openopt-opt %s --split-input-file --openopt-convert-nn-to-linalg | FileCheck %s

// An element-wise group lowers to one loop nest, and the group dissolves.
// CHECK-LABEL: func.func @elementwise_group
// CHECK-NOT: nn.fused
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.tanh
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @elementwise_group(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %g = nn.fused "elementwise" {
    %m = nn.mul %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %a = nn.add %m, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %t = nn.tanh %a : tensor<8xf32>
    nn.yield %t : tensor<8xf32>
  } : tensor<8xf32>
  return %g : tensor<8xf32>
}

// -----

// Outside a group the same ops stay separate loops at this stage.
// CHECK-LABEL: func.func @ungrouped
// CHECK-COUNT-3: linalg.generic
func.func @ungrouped(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %m = nn.mul %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %a = nn.add %m, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %t = nn.tanh %a : tensor<8xf32>
  return %t : tensor<8xf32>
}

// -----

// An epilogue group: the matmul stays a named op (the matmul schedule
// tiles it); bias and activation become one loop after it.
// CHECK-LABEL: func.func @epilogue_group
// CHECK-NOT: nn.fused
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @epilogue_group(%x: tensor<2x4xf32>, %w: tensor<4x16xf32>, %b: tensor<16xf32>) -> tensor<2x16xf32> {
  %g = nn.fused "epilogue" {
    %m = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x16xf32>) -> tensor<2x16xf32>
    %a = nn.add %m, %b : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
    %r = nn.relu %a : tensor<2x16xf32>
    nn.yield %r : tensor<2x16xf32>
  } : tensor<2x16xf32>
  return %g : tensor<2x16xf32>
}

