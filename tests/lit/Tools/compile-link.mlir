// The object `openopt compile` writes links into a C program that calls the
// model: the glue's slots (one per kernel call, defined by the link) reach
// the kernels, and the outputs are right. Two matmuls of the same shapes
// share one kernel through two slots.
// RUN: rm -rf %t && mkdir -p %t
// RUN: openopt compile %s -o %t | FileCheck %s --check-prefix=COMPILE
// RUN: llvm-nm %t/compile-link.o | FileCheck %s --check-prefix=NM
// RUN: clang %S/Inputs/call_model.c %t/compile-link.o -lm -o %t/call_model
// RUN: %t/call_model | FileCheck %s
// COMPILE: wrote {{.*}}compile-link.o
// NM-NOT: U openopt_slot_
// NM: T model
// NM: T openopt_slot_0
// NM: T openopt_slot_1
// NM: T openopt_slot_2
// CHECK: max error {{.*}}: ok
func.func @model(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = nn.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %t = nn.tanh %a : tensor<4x4xf32>
  %b = nn.matmul %t, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %b : tensor<4x4xf32>
}
