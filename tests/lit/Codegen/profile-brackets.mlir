// The profiling brackets through the CPU lowering (the pipeline's first
// stages, as CpuPipeline.cpp runs them with profiling on): every op's loops
// stay between its enter and exit calls, the matmul stays a named op for the
// matmul schedule, and element-wise ops are not fused across brackets.
// RUN: openopt-opt %s --pass-pipeline='builtin.module(openopt-instrument-profile,func.func(openopt-convert-nn-to-linalg,canonicalize,openopt-fold-constant-layout,openopt-fuse-elementwise,canonicalize,cse),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,buffer-results-to-out-params{hoist-static-allocs modify-public-functions},buffer-deallocation-pipeline)' | FileCheck %s
// Without the brackets the same element-wise ops become one loop nest.
// RUN: openopt-opt %s --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg,canonicalize,openopt-fold-constant-layout,openopt-fuse-elementwise,canonicalize,cse))' | FileCheck %s --check-prefix=PLAIN

// CHECK-LABEL: func.func @main
// CHECK: call @openopt_profile_enter(%[[ID0:.*]]) : (i64) -> ()
// CHECK-NOT: call
// CHECK: linalg.matmul
// CHECK-NOT: linalg.generic
// CHECK: call @openopt_profile_exit(%[[ID0]])
// CHECK-NEXT: call @openopt_profile_enter(%[[ID1:.*]]) : (i64) -> ()
// CHECK-NEXT: linalg.generic
// CHECK: arith.addf
// CHECK-NOT: arith.maximumf
// CHECK: call @openopt_profile_exit(%[[ID1]])
// CHECK-NEXT: call @openopt_profile_enter(%[[ID2:.*]]) : (i64) -> ()
// CHECK-NEXT: linalg.generic
// CHECK-NOT: arith.addf
// CHECK: arith.maximumf
// CHECK: call @openopt_profile_exit(%[[ID2]])
// CHECK-NEXT: return

// PLAIN-LABEL: func.func @main
// PLAIN: linalg.matmul
// PLAIN: linalg.generic
// PLAIN: arith.addf
// PLAIN: arith.maximumf
// PLAIN-NOT: linalg.generic
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %m = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32> loc("mm")
  %s = nn.add %m, %c : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> loc("add")
  %r = nn.relu %s : tensor<4x16xf32> loc("relu")
  return %r : tensor<4x16xf32>
}
