// RUN: openopt-opt %s --openopt-expand-dynamic-reshapes | FileCheck %s
// An expand_shape that splits one dimension into several dynamic ones
// becomes a reinterpret_cast with strides computed from the sizes; one
// dynamic size per group stays as it is.

// CHECK-LABEL: func.func @two_dynamic
// CHECK-NOT: memref.expand_shape
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %arg0
// The outer stride: the inner size times the source dimension's stride.
// CHECK: %[[OUTER:.*]] = arith.muli %[[STRIDES]]#0, %arg2
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%arg1, %arg2, 4], strides: [%[[OUTER]], %[[STRIDES]]#0, %[[STRIDES]]#1]
// CHECK-NOT: memref.expand_shape
func.func @two_dynamic(%m: memref<?x4xf32>, %a: index, %b: index) -> memref<?x?x4xf32> {
  %0 = memref.expand_shape %m [[0, 1], [2]] output_shape [%a, %b, 4] : memref<?x4xf32> into memref<?x?x4xf32>
  return %0 : memref<?x?x4xf32>
}

// CHECK-LABEL: func.func @one_dynamic
// CHECK: memref.expand_shape
func.func @one_dynamic(%m: memref<?x4xf32>, %a: index) -> memref<?x2x4xf32> {
  %0 = memref.expand_shape %m [[0, 1], [2]] output_shape [%a, 2, 4] : memref<?x4xf32> into memref<?x2x4xf32>
  return %0 : memref<?x2x4xf32>
}
