// RUN: openopt-opt %s --openopt-approximate-math | FileCheck %s
// RUN: openopt-opt %s --pass-pipeline='builtin.module(func.func(openopt-approximate-math{functions=tanh}))' | FileCheck %s --check-prefix=ONLY-TANH

// exp, tanh and erf become polynomials of plain arithmetic (which
// vectorizes); sqrt is left to LLVM, which has an instruction for it.
// CHECK-LABEL: func.func @transcendental
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: math.sqrt
// ONLY-TANH-LABEL: func.func @transcendental
// ONLY-TANH: math.exp
// ONLY-TANH-NOT: math.tanh
// ONLY-TANH: math.erf
func.func @transcendental(%x: vector<8xf32>) -> vector<8xf32> {
  %a = math.exp %x : vector<8xf32>
  %b = math.tanh %a : vector<8xf32>
  %c = math.erf %b : vector<8xf32>
  %d = math.sqrt %c : vector<8xf32>
  return %d : vector<8xf32>
}
