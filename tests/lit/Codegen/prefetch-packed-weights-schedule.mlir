// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=512},openopt-prefetch-packed-weights,canonicalize))' | FileCheck %s --check-prefix=AVX512
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=256},openopt-prefetch-packed-weights,canonicalize))' | FileCheck %s --check-prefix=AVX2

// The prefetch pass on what openopt-vectorize-matmul makes of packed
// matmuls (weights as function arguments, as in an outlined kernel): one
// prefetch in the register loop of each multi-row tile, the row tile picking
// one of the panel row's lines; none in a GEMV's loop.

// AVX-512, 8 x 48 (three vectors, split into one-row pieces): line
// (row tile mod 3).
// AVX512-LABEL: func.func @panels_48
// AVX512: scf.for {{.*}} step %c8
// AVX512: arith.remui %{{.*}}, %c3 : index
// AVX512: scf.for
// AVX512-COUNT-1: "llvm.intr.prefetch"
// AVX512-NOT: "llvm.intr.prefetch"
// AVX512: return
#pA = affine_map<(m, j, n, k) -> (m, k)>
#pB = affine_map<(m, j, n, k) -> (j, k, n)>
#pC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @panels_48(%a: memref<16x64xf32>, %b: memref<2x64x48xf32>, %c: memref<16x2x48xf32>) {
  linalg.generic {indexing_maps = [#pA, #pB, #pC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x64xf32>, memref<2x64x48xf32>) outs(%c : memref<16x2x48xf32>)
      attrs = {openopt.packed_b, openopt.zero_init} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// AVX-512, 8 x 32: line (row tile mod 2).
// AVX512-LABEL: func.func @panels_32
// AVX512: scf.for {{.*}} step %c8
// AVX512: arith.remui %{{.*}}, %c2 : index
// AVX512: scf.for
// AVX512-COUNT-1: "llvm.intr.prefetch"
// AVX512-NOT: "llvm.intr.prefetch"
// AVX512: return
#pA = affine_map<(m, j, n, k) -> (m, k)>
#pB = affine_map<(m, j, n, k) -> (j, k, n)>
#pC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @panels_32(%a: memref<16x64xf32>, %b: memref<4x64x32xf32>, %c: memref<16x4x32xf32>) {
  linalg.generic {indexing_maps = [#pA, #pB, #pC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x64xf32>, memref<4x64x32xf32>) outs(%c : memref<16x4x32xf32>)
      attrs = {openopt.packed_b, openopt.zero_init} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A single row: no prefetch.
// AVX512-LABEL: func.func @gemv
// AVX512-NOT: "llvm.intr.prefetch"
// AVX512: return
#pA = affine_map<(m, j, n, k) -> (m, k)>
#pB = affine_map<(m, j, n, k) -> (j, k, n)>
#pC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @gemv(%a: memref<1x64xf32>, %b: memref<2x64x128xf32>, %c: memref<1x2x128xf32>) {
  linalg.generic {indexing_maps = [#pA, #pB, #pC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1x64xf32>, memref<2x64x128xf32>) outs(%c : memref<1x2x128xf32>)
      attrs = {openopt.packed_b, openopt.zero_init} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// AVX2, 6 x 16: one line a row, no line arithmetic.
// AVX2-LABEL: func.func @panels_16
// AVX2-NOT: arith.remui
// AVX2: scf.for {{.*}} step %c6
// AVX2: scf.for
// AVX2-COUNT-1: "llvm.intr.prefetch"
// AVX2-NOT: "llvm.intr.prefetch"
// AVX2: return
#pA = affine_map<(m, j, n, k) -> (m, k)>
#pB = affine_map<(m, j, n, k) -> (j, k, n)>
#pC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @panels_16(%a: memref<12x64xf32>, %b: memref<4x64x16xf32>, %c: memref<12x4x16xf32>) {
  linalg.generic {indexing_maps = [#pA, #pB, #pC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<12x64xf32>, memref<4x64x16xf32>) outs(%c : memref<12x4x16xf32>)
      attrs = {openopt.packed_b, openopt.zero_init} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Cache tiles of 4 panels, 4 K tiles of 128: in the last K tile (kc = 384)
// the same panel's next K tile is the next panel's first, which this cache
// tile has read; the prefetch skips 3 panels (3 x 512 x 48 floats) to the
// next cache tile's panel at the same place.
// AVX512-LABEL: func.func @panel_blocks
// AVX512: scf.for %[[KC:.*]] = %c0 to %c512 step %c128
// AVX512: scf.for {{.*}} = %c0 to %c4 step %c1
// AVX512: %[[LAST:.*]] = arith.cmpi eq, %[[KC]], %c384 : index
// AVX512: %[[SKIP:.*]] = arith.select %[[LAST]], %c73728, %c0 : index
// AVX512: scf.for
// AVX512: arith.addi %{{.*}}, %[[SKIP]]
// AVX512: "llvm.intr.prefetch"
#pA = affine_map<(m, j, n, k) -> (m, k)>
#pB = affine_map<(m, j, n, k) -> (j, k, n)>
#pC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @panel_blocks(%a: memref<16x512xf32>, %b: memref<8x512x48xf32>, %c: memref<16x8x48xf32>) {
  linalg.generic {indexing_maps = [#pA, #pB, #pC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x512xf32>, memref<8x512x48xf32>) outs(%c : memref<16x8x48xf32>)
      attrs = {openopt.packed_b, openopt.zero_init} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
