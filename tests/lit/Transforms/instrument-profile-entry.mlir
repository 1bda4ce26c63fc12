// RUN: openopt-opt %s --pass-pipeline='builtin.module(openopt-instrument-profile{entry=second})' | FileCheck %s
// RUN: not openopt-opt %s --pass-pipeline='builtin.module(openopt-instrument-profile{entry=missing})' 2>&1 | FileCheck %s --check-prefix=MISSING

// `entry` picks the function; without it, main would be instrumented.
// CHECK-LABEL: func.func @main
// CHECK-NOT: call
// CHECK-LABEL: func.func @second
// CHECK: call @openopt_profile_enter
// CHECK-NEXT: nn.relu
// CHECK-NEXT: call @openopt_profile_exit
// MISSING: error: openopt-instrument-profile: no function @missing with a body
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = nn.neg %x : tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @second(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = nn.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}
