// RUN: openopt-opt %s --gpu-kernel-outlining --openopt-gpu-merge-modules | FileCheck %s

// Two launches: outlining makes a module each; merged, both kernels live in
// the first, renamed apart, and the launches call them there.
// CHECK: gpu.launch_func  @main_kernel::@main_kernel
// CHECK: gpu.launch_func  @main_kernel::@[[SECOND:main_kernel_[0-9]+]]
// CHECK: gpu.module @main_kernel
// CHECK-DAG: gpu.func @main_kernel(
// CHECK-DAG: gpu.func @[[SECOND]](
// CHECK-NOT: gpu.module
func.func @main(%a: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %x = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %x, %a[%c0] : memref<4xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %x, %a[%c1] : memref<4xf32>
    gpu.terminator
  }
  return
}
