// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-elide-matmul-init))' | FileCheck %s

// The zero fill, and the copy of a zero buffer after it, only write what the
// zero-init matmul overwrites: both go. The views between them stay.
// CHECK-LABEL: func.func @dead_writes
// CHECK-NOT: memref.copy
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[ZEROS:.*]] : memref<4x16xf32>)
// CHECK-NOT: linalg.fill
// CHECK: memref.collapse_shape
// CHECK-NEXT: linalg.matmul {openopt.zero_init}
func.func @dead_writes(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %zeros: memref<4x16xf32>) -> memref<1x4x16xf32> {
  %cst = arith.constant 0.0 : f32
  linalg.fill ins(%cst : f32) outs(%zeros : memref<4x16xf32>)
  %out = memref.alloc() : memref<1x4x16xf32>
  %flat = memref.collapse_shape %out [[0, 1], [2]] : memref<1x4x16xf32> into memref<4x16xf32>
  linalg.fill ins(%cst : f32) outs(%flat : memref<4x16xf32>)
  memref.copy %zeros, %flat : memref<4x16xf32> to memref<4x16xf32>
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%flat : memref<4x16xf32>)
  return %out : memref<1x4x16xf32>
}

// -----

// A read of the buffer between the fill and the matmul keeps the fill (and
// anything before the read).
// CHECK-LABEL: func.func @read_between
// CHECK: linalg.fill
// CHECK: memref.copy %[[OUT:.*]], %arg2
// CHECK: linalg.matmul {openopt.zero_init}
func.func @read_between(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %seen: memref<4x16xf32>) -> memref<4x16xf32> {
  %cst = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<4x16xf32>
  linalg.fill ins(%cst : f32) outs(%out : memref<4x16xf32>)
  memref.copy %out, %seen : memref<4x16xf32> to memref<4x16xf32>
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%out : memref<4x16xf32>)
  return %out : memref<4x16xf32>
}

// -----

// Without the mark the fill is the matmul's initial value; and a matmul that
// writes only part of its buffer (a subview) leaves the rest to the fill.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-2: linalg.fill
func.func @kept(%a: memref<4x8xf32>, %b: memref<8x16xf32>) -> (memref<4x16xf32>, memref<4x32xf32>) {
  %cst = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<4x16xf32>
  linalg.fill ins(%cst : f32) outs(%out : memref<4x16xf32>)
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%out : memref<4x16xf32>)
  %wide = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%cst : f32) outs(%wide : memref<4x32xf32>)
  %half = memref.subview %wide[0, 0] [4, 16] [1, 1] : memref<4x32xf32> to memref<4x16xf32, strided<[32, 1]>>
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%half : memref<4x16xf32, strided<[32, 1]>>)
  return %out, %wide : memref<4x16xf32>, memref<4x32xf32>
}

// -----

// A batched product's fill goes the same way.
// CHECK-LABEL: func.func @batched
// CHECK-NOT: linalg.fill
// CHECK: linalg.batch_matmul {openopt.zero_init}
func.func @batched(%a: memref<2x4x8xf32>, %b: memref<2x8x16xf32>) -> memref<2x4x16xf32> {
  %cst = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<2x4x16xf32>
  linalg.fill ins(%cst : f32) outs(%out : memref<2x4x16xf32>)
  linalg.batch_matmul {openopt.zero_init} ins(%a, %b : memref<2x4x8xf32>, memref<2x8x16xf32>) outs(%out : memref<2x4x16xf32>)
  return %out : memref<2x4x16xf32>
}

// -----

// A packed matmul (openopt-pack-matmul-weights) writes its output through
// a [M, N/P, P] view: the fill of the whole buffer before it goes too.
// CHECK-LABEL: func.func @packed
// CHECK-NOT: linalg.fill
// CHECK: memref.expand_shape
// CHECK-NEXT: linalg.generic
#mA = affine_map<(m, j, n, k) -> (m, k)>
#mB = affine_map<(m, j, n, k) -> (j, k, n)>
#mC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @packed(%a: memref<4x8xf32>, %b: memref<2x8x16xf32>) -> memref<4x32xf32> {
  %cst = arith.constant 0.0 : f32
  %out = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%cst : f32) outs(%out : memref<4x32xf32>)
  %panels = memref.expand_shape %out [[0], [1, 2]] output_shape [4, 2, 16] : memref<4x32xf32> into memref<4x2x16xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<2x8x16xf32>) outs(%panels : memref<4x2x16xf32>)
      attrs = {openopt.packed_b, openopt.zero_init} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return %out : memref<4x32xf32>
}
