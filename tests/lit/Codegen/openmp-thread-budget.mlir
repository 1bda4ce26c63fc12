// RUN: openopt-opt %s --split-input-file --openopt-openmp-thread-budget | FileCheck %s

// Each region's compiled thread count is capped by the runtime's budget
// where the budget is positive; one declaration serves every region.
// CHECK: func.func private @openopt_thread_budget() -> i32
// CHECK-NOT: func.func private @openopt_thread_budget
// CHECK-LABEL: func.func @two_regions
// CHECK: %[[TWO:.*]] = arith.constant 2 : i32
// CHECK: %[[BUDGET:.*]] = call @openopt_thread_budget() : () -> i32
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[MIN:.*]] = arith.minsi %[[TWO]], %[[BUDGET]] : i32
// CHECK: %[[GIVEN:.*]] = arith.cmpi sgt, %[[BUDGET]], %[[ZERO]] : i32
// CHECK: %[[N:.*]] = arith.select %[[GIVEN]], %[[MIN]], %[[TWO]] : i32
// CHECK: omp.parallel num_threads(%[[N]] : i32)
// CHECK: call @openopt_thread_budget()
// CHECK: omp.parallel num_threads(%{{.*}} : i32)
func.func @two_regions() {
  %c2 = arith.constant 2 : i32
  omp.parallel num_threads(%c2 : i32) {
    omp.terminator
  }
  omp.parallel num_threads(%c2 : i32) {
    omp.terminator
  }
  return
}

// -----

// A region without num_threads (the OpenMP default) is left alone, and no
// declaration is added for it.
// CHECK-NOT: openopt_thread_budget
// CHECK-LABEL: func.func @no_count
// CHECK: omp.parallel {
// CHECK-NOT: openopt_thread_budget
func.func @no_count() {
  omp.parallel {
    omp.terminator
  }
  return
}
