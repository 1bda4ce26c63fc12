// RUN: openopt-opt %s --openopt-lower-runtime-checks | FileCheck %s
// A failed check calls the runtime's hook with the message (one string per
// distinct message) instead of aborting the process.

// CHECK: llvm.mlir.global internal constant @openopt_check_message_0("Add 'a': sizes differ\00")
// CHECK-NOT: llvm.mlir.global
// CHECK-LABEL: func.func @checked
// CHECK: cf.cond_br %arg0, ^[[OK:bb[0-9]+]], ^[[FAIL:bb[0-9]+]]
// CHECK: ^[[FAIL]]:
// CHECK: llvm.mlir.addressof @openopt_check_message_0
// CHECK: llvm.call @openopt_runtime_fail(
// CHECK: llvm.unreachable
// CHECK: ^[[OK]]:
// CHECK: cf.cond_br %arg1
// CHECK: llvm.mlir.addressof @openopt_check_message_0
// CHECK-NOT: cf.assert
func.func @checked(%ok: i1, %again: i1) {
  cf.assert %ok, "Add 'a': sizes differ"
  cf.assert %again, "Add 'a': sizes differ"
  return
}
