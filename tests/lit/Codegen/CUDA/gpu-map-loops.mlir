// RUN: openopt-opt %s --openopt-gpu-map-loops --split-input-file --verify-diagnostics | FileCheck %s

// A 2-D parallel loop becomes one launch over its 12 x 70 iterations,
// flattened, in blocks of 256 threads: ceil(840 / 256) = 4 blocks.
// Its cost, for profiles: 840 multiplies, %a read and %b written (3360 bytes each).
// CHECK: module attributes {openopt.kernel_costs = {k_layer1_Mul = [840, 6720]}}
// CHECK-LABEL: func.func @parallel
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C840:.*]] = arith.constant 840 : index
// The kernel is named after the ONNX node it computes.
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C4]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], {{.*}} function(@k_layer1_Mul)
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %[[C256]]
// CHECK: %[[LIN:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[LIN]], %[[C840]]
// CHECK: scf.if %[[IN]]
// CHECK: %[[J:.*]] = arith.remui %[[LIN]], %{{.*}}
// CHECK: %[[I:.*]] = arith.divui %[[LIN]], %{{.*}}
// CHECK: %[[X:.*]] = memref.load %arg0[%{{.*}}, %{{.*}}]
// CHECK: arith.mulf %[[X]], %[[X]] fastmath<contract>
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @parallel(%a: memref<12x70xf32>, %b: memref<12x70xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c12 = arith.constant 12 : index
  %c70 = arith.constant 70 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c12, %c70) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<12x70xf32>
    %y = arith.mulf %x, %x : f32
    memref.store %y, %b[%i, %j] : memref<12x70xf32>
    scf.reduce
  } loc(fused["/layer1/Mul", "model.onnx":3:1])
  return
}

// -----

// A small loop gets one block of whole warps (40 -> 64 threads); a loop nest
// with no parallel dimension (a full reduction) runs in a one-thread kernel.
// The fill stores 160 bytes; the sum adds 40 times, reads %a and reads and
// writes %s. (Kernels without a node name are k_op, k_op_0, ...)
// CHECK: module attributes {openopt.kernel_costs = {k_op = [0, 160], k_op_0 = [40, 168]}}
// CHECK-LABEL: func.func @small_and_serial
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: gpu.launch {{.*}} threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C64]]
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ONE]], {{.*}} function(@k_op_0)
// CHECK-NEXT: scf.for
func.func @small_and_serial(%a: memref<40xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c40) step (%c1) {
    memref.store %zero, %a[%i] : memref<40xf32>
    scf.reduce
  }
  scf.for %i = %c0 to %c40 step %c1 {
    %x = memref.load %a[%i] : memref<40xf32>
    %acc = memref.load %s[] : memref<f32>
    %sum = arith.addf %acc, %x : f32
    memref.store %sum, %s[] : memref<f32>
  }
  return
}

// -----

// The host cannot branch on a tensor's value: it lives on the GPU.
func.func @data_dependent(%flag: memref<i1>, %a: memref<4xf32>) {
  // expected-error @+1 {{the cuda target cannot compute on the host what needs a tensor's value}}
  %f = memref.load %flag[] : memref<i1>
  scf.if %f {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    memref.store %zero, %a[%c0] : memref<4xf32>
  }
  return
}
