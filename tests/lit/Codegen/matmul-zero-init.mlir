// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=512 max-tile-m=64}))' | FileCheck %s
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=512 threads=2}))' | FileCheck %s --check-prefix=THREADS

// K fits one cache tile: the accumulators start from zero, the output is
// only stored (no load of %c, no fill left), and the mark is gone.
// CHECK-LABEL: func.func @whole_k
// CHECK-NOT: openopt.zero_init
// CHECK-NOT: linalg.fill
// CHECK-NOT: vector.load %arg2
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)
// CHECK: vector.store {{.*}}, %arg2
// THREADS-LABEL: func.func @whole_k
// THREADS: scf.forall
// THREADS-NOT: vector.load %arg2
// THREADS: vector.store {{.*}}, %arg2
func.func @whole_k(%a: memref<64x128xf32>, %b: memref<128x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// -----

// K = 768 in six cache tiles: the first tile starts from zero, the later
// ones from the partial sums stored in %c. The loop over K tiles is the one
// that does not index %c (here M, N and K tiles are 64, 192 and 128 wide
// for the 8 x 48 register tile, cut into one-row, one-vector pieces, each
// with its own start).
// CHECK-LABEL: func.func @k_tiles
// CHECK: scf.for {{.*}} to %c128 step %c64
// CHECK: scf.for {{.*}} to %c768 step %c192
// CHECK: scf.for %[[KT:.*]] = %c0 to %c768 step %c128
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[KT]], %c0
// CHECK: scf.if %[[FIRST]] -> (vector<16xf32>)
// CHECK: arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: } else {
// CHECK: vector.load %arg2
// CHECK-NOT: linalg.fill
func.func @k_tiles(%a: memref<128x768xf32>, %b: memref<768x768xf32>, %c: memref<128x768xf32>) {
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<128x768xf32>, memref<768x768xf32>) outs(%c : memref<128x768xf32>)
  return
}

// -----

// N = 12 is not a multiple of 8: no schedule, so the loops that lower the
// matmul read %c, and a zero fill is put back before it.
// CHECK-LABEL: func.func @unscheduled
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%arg2 : memref<16x12xf32>)
// CHECK-NEXT: linalg.matmul ins
// CHECK-NOT: openopt.zero_init
func.func @unscheduled(%a: memref<16x8xf32>, %b: memref<8x12xf32>, %c: memref<16x12xf32>) {
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<16x8xf32>, memref<8x12xf32>) outs(%c : memref<16x12xf32>)
  return
}

// -----

// Without the mark, the accumulators are loaded from %c as before.
// CHECK-LABEL: func.func @accumulates
// CHECK: vector.load %arg2
func.func @accumulates(%a: memref<64x128xf32>, %b: memref<128x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x128xf32>, memref<128x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// -----

// A tile covers the whole matmul: no loop around the register tile, each
// accumulator row loaded (before) by straight-line code; every row starts
// from zero.
// CHECK-LABEL: func.func @one_tile
// CHECK-NOT: vector.load %arg2
// CHECK-NOT: linalg.fill
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<2x16xf32>)
func.func @one_tile(%a: memref<2x3xf32>, %b: memref<3x16xf32>, %c: memref<2x16xf32>) {
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<2x3xf32>, memref<3x16xf32>) outs(%c : memref<2x16xf32>)
  return
}

// -----

// Batched products (Winograd's, attention's) start from zero the same way.
// CHECK-LABEL: func.func @batched
// CHECK-NOT: vector.load %arg2
// CHECK-NOT: linalg.fill
// CHECK: vector.store {{.*}}, %arg2
func.func @batched(%a: memref<4x16x32xf32>, %b: memref<4x32x64xf32>, %c: memref<4x16x64xf32>) {
  linalg.batch_matmul {openopt.zero_init} ins(%a, %b : memref<4x16x32xf32>, memref<4x32x64xf32>) outs(%c : memref<4x16x64xf32>)
  return
}

// -----

// A packed matmul that two threads share as units of one register tile
// (56 rows by 5 panels: 7 x 5 units of 8 x 32): the accumulators are
// hoisted out of the loop over K tiles too (K = 512 in two), and start from
// zero before it; the output is only stored.
// THREADS-LABEL: func.func @packed_units
// THREADS: scf.forall (%{{.*}}, %{{.*}}) in (7, 5)
// THREADS-NOT: vector.load %arg2
// THREADS: arith.constant dense<0.000000e+00> : vector<32xf32>
// THREADS: scf.for {{.*}} to %c512 step %c256 iter_args({{.*}}) -> (vector<8x1x32xf32>)
// THREADS-NOT: vector.load %arg2
// THREADS-NOT: linalg.fill
// THREADS: vector.store {{.*}}, %arg2
#mA = affine_map<(m, j, n, k) -> (m, k)>
#mB = affine_map<(m, j, n, k) -> (j, k, n)>
#mC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @packed_units(%a: memref<56x512xf32>, %b: memref<5x512x32xf32>, %c: memref<56x5x32xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<56x512xf32>, memref<5x512x32xf32>) outs(%c : memref<56x5x32xf32>)
      attrs = {openopt.packed_b, openopt.zero_init} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
