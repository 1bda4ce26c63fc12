// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-hoist-loop-buffers))' | FileCheck %s

// A chunk's scratch buffer in a nest of sequential loops (through the
// alloca scope around a thread's iteration): allocated before the outer
// loop, freed after it.
// CHECK-LABEL: func.func @nested_loops
// CHECK:      %[[BUF:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x32xf32>
// CHECK-NEXT: scf.for
// CHECK:        memref.alloca_scope
// CHECK:          scf.for
// CHECK:            linalg.fill ins(%{{.*}} : f32) outs(%[[BUF]] : memref<16x32xf32>)
// CHECK-NEXT:       arith.addi
// CHECK-NEXT:       memref.subview
// CHECK-NEXT:       memref.copy
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[BUF]] : memref<16x32xf32>
// CHECK-NEXT: return
func.func @nested_loops(%out: memref<4x16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c2 {
    memref.alloca_scope {
      scf.for %j = %c0 to %c2 step %c1 {
        %buf = memref.alloc() {alignment = 64 : i64} : memref<16x32xf32>
        linalg.fill ins(%cst : f32) outs(%buf : memref<16x32xf32>)
        %k = arith.addi %i, %j : index
        %dst = memref.subview %out[%k, 0, 0] [1, 16, 32] [1, 1, 1] : memref<4x16x32xf32> to memref<16x32xf32, strided<[32, 1], offset: ?>>
        memref.copy %buf, %dst : memref<16x32xf32> to memref<16x32xf32, strided<[32, 1], offset: ?>>
        memref.dealloc %buf : memref<16x32xf32>
      }
    }
  }
  return
}

// -----

// A thread's share of a parallel loop: its buffer is allocated inside the
// parallel region (one per thread), not before it, where the threads would
// share it.
// CHECK-LABEL: func.func @per_thread
// CHECK:      omp.parallel {
// CHECK-NEXT:   %[[BUF:.*]] = memref.alloc() : memref<64xf32>
// CHECK-NEXT:   scf.for
// CHECK:        memref.dealloc %[[BUF]] : memref<64xf32>
// CHECK-NEXT:   omp.terminator
func.func @per_thread(%out: memref<8x64xf32>, %lo: index, %hi: index) {
  %c1 = arith.constant 1 : index
  %cst = arith.constant 1.0 : f32
  omp.parallel {
    scf.for %i = %lo to %hi step %c1 {
      %buf = memref.alloc() : memref<64xf32>
      linalg.fill ins(%cst : f32) outs(%buf : memref<64xf32>)
      %dst = memref.subview %out[%i, 0] [1, 64] [1, 1] : memref<8x64xf32> to memref<64xf32, strided<[1], offset: ?>>
      memref.copy %buf, %dst : memref<64xf32> to memref<64xf32, strided<[1], offset: ?>>
      memref.dealloc %buf : memref<64xf32>
    }
    omp.terminator
  }
  return
}

// -----

// Left alone: a buffer of run-time size, one freed in a branch, one that
// outlives its iteration (freed after the loop by its caller's code), and
// iterations that may run at once (scf.parallel).
// CHECK-LABEL: func.func @left_alone
// CHECK:      scf.for
// CHECK-NEXT:   memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:        memref.dealloc %{{.*}} : memref<?xf32>
// CHECK:        memref.alloc() : memref<8xf32>
// CHECK:        scf.if
// CHECK-NEXT:     memref.dealloc %{{.*}} : memref<8xf32>
// CHECK:      scf.parallel
// CHECK-NEXT:   memref.alloc() : memref<4xf32>
// CHECK:        memref.dealloc %{{.*}} : memref<4xf32>
func.func @left_alone(%n: index, %flag: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %dyn = memref.alloc(%n) : memref<?xf32>
    linalg.fill ins(%cst : f32) outs(%dyn : memref<?xf32>)
    memref.dealloc %dyn : memref<?xf32>
    %cond = memref.alloc() : memref<8xf32>
    linalg.fill ins(%cst : f32) outs(%cond : memref<8xf32>)
    scf.if %flag {
      memref.dealloc %cond : memref<8xf32>
    }
  }
  scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
    %p = memref.alloc() : memref<4xf32>
    linalg.fill ins(%cst : f32) outs(%p : memref<4xf32>)
    memref.dealloc %p : memref<4xf32>
    scf.reduce
  }
  return
}
