// RUN: openopt-opt %s --openopt-dce | FileCheck %s

// A dead branch disappears, producers included; live ops stay.
// CHECK-LABEL: func.func @dead_branch
// CHECK-NEXT: %[[R:.*]] = nn.relu %arg0
// CHECK-NEXT: return %[[R]]
func.func @dead_branch(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = nn.relu %x : tensor<4xf32>
  %a = nn.exp %x : tensor<4xf32>
  %b = nn.tanh %a : tensor<4xf32>
  %c = nn.constant dense<1.0> : tensor<4xf32>
  %d = nn.add %b, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
