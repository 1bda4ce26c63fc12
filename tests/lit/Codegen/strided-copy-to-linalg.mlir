// RUN: openopt-opt %s --openopt-strided-copy-to-linalg | FileCheck %s

// A copy into the interior of a padded buffer becomes linalg.copy (loops
// that vectorize); a contiguous copy stays a memref.copy (memcpy).
// CHECK-LABEL: func.func @copies
// CHECK: linalg.copy ins(%{{.*}} : memref<4x4xf32>) outs(%{{.*}} : memref<4x4xf32, strided<[6, 1], offset: 7>>)
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<4x4xf32> to memref<4x4xf32>
func.func @copies(%x: memref<4x4xf32>, %y: memref<4x4xf32>) {
  %padded = memref.alloc() : memref<6x6xf32>
  %inner = memref.subview %padded[1, 1] [4, 4] [1, 1] : memref<6x6xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  memref.copy %x, %inner : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
  memref.copy %x, %y : memref<4x4xf32> to memref<4x4xf32>
  memref.dealloc %padded : memref<6x6xf32>
  return
}
