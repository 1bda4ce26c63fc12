// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(openopt-balanced-openmp{num-threads=2})' | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(openopt-balanced-openmp{num-threads=1})' | FileCheck %s --check-prefix=ONE

// A 2-D loop (chunks x row groups, as the direct convolution's): one
// speed per thread in a private global (1.0 each to start); before the
// fork, thread 1's range starts at round(N * s0 / (s0 + s1)) of the
// N = 3 * 4 linearized iterations; in the region each thread takes its
// range (equal shares when OpenMP gives another thread count), runs the
// body with the iteration split back into (i, j), and stamps the cycle
// counter; after the join, the speeds move towards each thread's
// iterations per cycle when both threads worked.
// CHECK: memref.global "private" @__openopt_thread_speeds : memref<2xf64> = dense<1.000000e+00>
// CHECK: func.func private @omp_get_num_threads() -> i32
// CHECK: func.func private @omp_get_thread_num() -> i32
// CHECK-LABEL: func.func @two_dims
// CHECK: memref.alloca_scope
// CHECK: %[[SPEEDS:.*]] = memref.get_global @__openopt_thread_speeds
// CHECK: %[[BOUNDS:.*]] = memref.alloca() : memref<3xindex>
// CHECK: %[[ENDS:.*]] = memref.alloca() : memref<2xi64>
// CHECK: %[[S0:.*]] = memref.load %[[SPEEDS]][%{{.*}}] : memref<2xf64>
// CHECK: %[[S1:.*]] = memref.load %[[SPEEDS]][%{{.*}}] : memref<2xf64>
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[S1]]
// CHECK: %[[SHARE:.*]] = arith.divf %{{.*}}, %[[SUM]]
// CHECK: %[[HALF:.*]] = arith.addf %[[SHARE]], %{{.*}}
// CHECK: math.floor %[[HALF]]
// CHECK: %[[START:.*]] = llvm.call_intrinsic "llvm.readcyclecounter"() : () -> i64
// CHECK: omp.parallel num_threads(%{{.*}} : i32) {
// CHECK:   %[[TID:.*]] = func.call @omp_get_thread_num()
// CHECK:   %[[NT:.*]] = func.call @omp_get_num_threads()
// CHECK:   %[[LO:.*]] = memref.load %[[BOUNDS]]
// CHECK:   %[[HI:.*]] = memref.load %[[BOUNDS]]
// CHECK:   %[[FROM:.*]] = arith.select %{{.*}}, %[[LO]], %{{.*}} : index
// CHECK:   %[[TO:.*]] = arith.select %{{.*}}, %[[HI]], %{{.*}} : index
// CHECK:   scf.for %[[K:.*]] = %[[FROM]] to %[[TO]] step %{{.*}} {
// CHECK:     memref.alloca_scope {
// CHECK:       %[[J:.*]] = arith.remui %[[K]], %{{.*}} : index
// CHECK:       %[[I:.*]] = arith.divui %[[K]], %{{.*}} : index
// CHECK:       memref.store %{{.*}}, %arg0[%{{.*}}, %{{.*}}] : memref<3x4xf32>
// CHECK:   %[[DONE:.*]] = llvm.call_intrinsic "llvm.readcyclecounter"() : () -> i64
// CHECK:   scf.if
// CHECK:     memref.store %[[DONE]], %[[ENDS]]
// CHECK:   omp.terminator
// CHECK: scf.if
// CHECK:   arith.maximumf
// CHECK:   arith.minimumf
// CHECK:   memref.store %{{.*}}, %[[SPEEDS]]
// CHECK:   memref.store %{{.*}}, %[[SPEEDS]]
// CHECK-NOT: scf.parallel
// ONE-LABEL: func.func @two_dims
// ONE: scf.parallel
// ONE-NOT: omp.parallel
func.func @two_dims(%a: memref<3x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c4) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<3x4xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %a[%i, %j] : memref<3x4xf32>
    scf.reduce
  }
  return
}

// -----

// Two loops get a global each; a loop with a reduction is left to
// convert-scf-to-openmp, and a loop nested in another is part of its body.
// CHECK-DAG: memref.global "private" @__openopt_thread_speeds : memref<2xf64>
// CHECK-DAG: memref.global "private" @__openopt_thread_speeds_1 : memref<2xf64>
// CHECK-LABEL: func.func @several
// CHECK: omp.parallel
// CHECK:   scf.for
// CHECK:     scf.parallel
// CHECK: omp.parallel
// CHECK: scf.parallel {{.*}} init
// CHECK-NOT: omp.parallel
func.func @several(%a: memref<8x8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      memref.store %zero, %a[%i, %j] : memref<8x8xf32>
      scf.reduce
    }
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %a[%i, %c0] : memref<8x8xf32>
    scf.reduce
  }
  %s = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %v = memref.load %a[%i, %c0] : memref<8x8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%x: f32, %y: f32):
      %r = arith.addf %x, %y : f32
      scf.reduce.return %r : f32
    }
  }
  return %s : f32
}
