// RUN: openopt-opt %s --openopt-gpu-device-memory --split-input-file --verify-diagnostics | FileCheck %s

// Buffers become device allocations, contiguous copies device copies, and a
// weight its device copy through the runtime (uploaded once per session).
// CHECK-LABEL: func.func private @openopt_cuda_constant_f32(memref<?xf32>) -> memref<?xf32>
// CHECK-SAME: llvm.emit_c_interface
// CHECK-LABEL: func.func @main
// CHECK: %[[W:.*]] = memref.get_global @w : memref<4x3xf32>
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[W]] to offset: [0], sizes: [12], strides: [1]
// CHECK: %[[DYN:.*]] = memref.cast %[[FLAT]] : memref<12xf32> to memref<?xf32>
// CHECK: %[[DEV:.*]] = call @openopt_cuda_constant_f32(%[[DYN]])
// CHECK: %[[DW:.*]] = memref.reinterpret_cast %[[DEV]] to offset: [0], sizes: [4, 3], strides: [3, 1] : memref<?xf32> to memref<4x3xf32>
// CHECK: %[[T:.*]] = gpu.alloc  () : memref<4x3xf32>
// CHECK: gpu.memcpy  %[[T]], %[[DW]]
// CHECK: linalg.copy ins(%[[T]] : memref<4x3xf32>) outs(%arg1
// CHECK: gpu.dealloc  %[[T]]
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
module {
  memref.global "private" constant @w : memref<4x3xf32> = dense<1.0>
  func.func @main(%a: memref<4x3xf32>, %o: memref<4x3xf32>) {
    %w = memref.get_global @w : memref<4x3xf32>
    %t = memref.alloc() {alignment = 64 : i64} : memref<4x3xf32>
    memref.copy %w, %t : memref<4x3xf32> to memref<4x3xf32>
    linalg.copy ins(%t : memref<4x3xf32>) outs(%o : memref<4x3xf32>)
    memref.dealloc %t : memref<4x3xf32>
    return
  }
}

// -----

// The runtime has no device copy for weights of other element types.
module {
  memref.global "private" constant @c : memref<2xcomplex<f32>> = dense<[(1.0, 2.0), (3.0, 4.0)]>
  func.func @main(%o: memref<2xcomplex<f32>>) {
    // expected-error @+1 {{the cuda target cannot place weights of type 'complex<f32>' on the GPU}}
    %c = memref.get_global @c : memref<2xcomplex<f32>>
    memref.copy %c, %o : memref<2xcomplex<f32>> to memref<2xcomplex<f32>>
    return
  }
}
