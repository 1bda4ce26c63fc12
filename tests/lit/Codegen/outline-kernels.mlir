// RUN: openopt-opt %s --openopt-outline-kernels --split-input-file | FileCheck %s

// Each top-level linalg op on buffers becomes a call of a kernel of its own.
// The two matmuls of equal shapes share one kernel (weights are arguments);
// the constant the fill's body uses moves into its kernel (the caller keeps
// no copy of it); views, allocations and the loop stay in the caller, and the
// op inside the loop becomes a call in the loop.
// CHECK-LABEL: func.func @model
// CHECK-NOT: arith.constant 0.0
// CHECK: %[[BUF:.*]] = memref.alloc
// CHECK: call @[[FILL:openopt_kernel_[0-9a-f]+]](%[[BUF]])
// CHECK: call @[[MM:openopt_kernel_[0-9a-f]+]](%arg0, %arg1, %[[BUF]])
// CHECK: call @[[MM]](%arg0, %arg2, %[[BUF]])
// CHECK: scf.for
// CHECK-NEXT: call @[[COPY:openopt_kernel_[0-9a-f]+]](%[[BUF]], %arg3)
// CHECK-DAG: func.func private @[[FILL]](%{{.*}}: memref<4x8xf32>) attributes {openopt.kernel}
// CHECK-DAG: func.func private @[[COPY]](%{{.*}}: memref<4x8xf32>, %{{.*}}: memref<4x8xf32>) attributes {openopt.kernel}
// CHECK-DAG: func.func private @[[MM]](%{{.*}}: memref<4x16xf32>, %{{.*}}: memref<16x8xf32>, %{{.*}}: memref<4x8xf32>) attributes {openopt.kernel}
func.func @model(%x: memref<4x16xf32>, %w1: memref<16x8xf32>, %w2: memref<16x8xf32>, %out: memref<4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %buf = memref.alloc() : memref<4x8xf32>
  linalg.map outs(%buf : memref<4x8xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  linalg.matmul ins(%x, %w1 : memref<4x16xf32>, memref<16x8xf32>) outs(%buf : memref<4x8xf32>)
  linalg.matmul ins(%x, %w2 : memref<4x16xf32>, memref<16x8xf32>) outs(%buf : memref<4x8xf32>)
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c2 step %c1 {
    linalg.copy ins(%buf : memref<4x8xf32>) outs(%out : memref<4x8xf32>)
  }
  memref.dealloc %buf : memref<4x8xf32>
  return
}

// -----

// An op inside a parallel loop becomes a kernel marked serial: it runs on
// the thread that calls it and must not split itself across threads again.
// CHECK-LABEL: func.func @in_parallel_loop
// CHECK: scf.forall
// CHECK: call @[[K:openopt_kernel_[0-9a-f]+]]
// CHECK: func.func private @[[K]]({{.*}}) attributes {openopt.kernel, openopt.serial}
func.func @in_parallel_loop(%x: memref<2x64xf32>, %out: memref<2x64xf32>) {
  scf.forall (%i) in (2) {
    %a = memref.subview %x[%i, 0] [1, 64] [1, 1] : memref<2x64xf32> to memref<64xf32, strided<[1], offset: ?>>
    %b = memref.subview %out[%i, 0] [1, 64] [1, 1] : memref<2x64xf32> to memref<64xf32, strided<[1], offset: ?>>
    linalg.copy ins(%a : memref<64xf32, strided<[1], offset: ?>>) outs(%b : memref<64xf32, strided<[1], offset: ?>>)
  }
  return
}

// -----

// A body that calls another function is left in place: it could not be
// compiled on its own.
// CHECK-LABEL: func.func @calls_helper
// CHECK-NOT: openopt_kernel
// CHECK: linalg.generic
func.func private @helper(f32) -> f32
func.func @calls_helper(%x: memref<4xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<4xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = func.call @helper(%in) : (f32) -> f32
    linalg.yield %r : f32
  }
  return
}
