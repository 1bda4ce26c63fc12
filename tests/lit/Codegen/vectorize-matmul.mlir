// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=256}))' | FileCheck %s --check-prefix=AVX2
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=512}))' | FileCheck %s --check-prefix=AVX512
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=256 max-tile-m=16 max-tile-n=32 max-tile-k=8}))' | FileCheck %s --check-prefix=TILES

// The register tile follows the vector width, the accumulators live in
// registers across the K loop (iter_args), and the inner loop is FMAs.
// AVX2-LABEL: func.func @matmul
// AVX2: scf.for {{.*}} step %c4
// AVX2: scf.for {{.*}} step %c16
// AVX2: scf.for {{.*}} iter_args({{.*}}) -> (vector<4x16xf32>)
// AVX2-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// AVX2-NOT: linalg.matmul
// AVX512-LABEL: func.func @matmul
// AVX512: scf.for {{.*}} step %c8
// AVX512: scf.for {{.*}} step %c32
// AVX512: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)
// AVX512-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// Cache tiles are capped by the options (and divide the dims).
// TILES-LABEL: func.func @matmul
// TILES: scf.for {{.*}} to %c64 step %c16
// TILES: scf.for {{.*}} to %c64 step %c32
// TILES: scf.for {{.*}} to %c64 step %c8
func.func @matmul(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}

// -----

// AVX2 gives 12 of its 16 registers to accumulators: six rows of two
// vectors where M allows (resnet's 48-384 filters), else four rows (above).
// AVX-512 keeps eight rows of two vectors.
// AVX2-LABEL: func.func @matmul_rows_of_6
// AVX2: scf.for {{.*}} step %c6
// AVX2: scf.for {{.*}} iter_args({{.*}}) -> (vector<6x16xf32>)
// AVX2-COUNT-6: vector.fma {{.*}} : vector<16xf32>
// AVX512-LABEL: func.func @matmul_rows_of_6
// AVX512: scf.for {{.*}} iter_args({{.*}}) -> (vector<8x32xf32>)
func.func @matmul_rows_of_6(%a: memref<48x64xf32>, %b: memref<64x64xf32>, %c: memref<48x64xf32>) {
  linalg.matmul ins(%a, %b : memref<48x64xf32>, memref<64x64xf32>) outs(%c : memref<48x64xf32>)
  return
}

// -----

// Batched products get a unit batch tile and the same register tile.
// AVX2-LABEL: func.func @batch_matmul
// AVX2: scf.for {{.*}} to %c12 step %c1
// AVX2: iter_args({{.*}}) -> (vector<1x4x16xf32>)
// AVX2: vector.fma
func.func @batch_matmul(%a: memref<12x32x16xf32>, %b: memref<12x16x32xf32>, %c: memref<12x32x32xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<12x32x16xf32>, memref<12x16x32xf32>) outs(%c : memref<12x32x32xf32>)
  return
}

// -----

// A single row (GEMV) spreads the accumulators along N.
// AVX2-LABEL: func.func @gemv
// AVX2: iter_args({{.*}}) -> (vector<1x64xf32>)
func.func @gemv(%a: memref<1x32xf32>, %b: memref<32x128xf32>, %c: memref<1x128xf32>) {
  linalg.matmul ins(%a, %b : memref<1x32xf32>, memref<32x128xf32>) outs(%c : memref<1x128xf32>)
  return
}

// -----

// A view output is scheduled in a stand-in buffer, so that the accumulators
// are hoisted; then the loads and stores go to the view itself and no copy
// is left: the accumulators start from the view's values, and go back to it.
// AVX2-LABEL: func.func @view_output
// AVX2-NOT: memref.alloc
// AVX2-NOT: memref.copy
// AVX2: %[[VIEW:.*]] = memref.collapse_shape %arg2
// AVX2: vector.load %[[VIEW]]
// AVX2: iter_args
// AVX2: vector.store {{.*}}, %[[VIEW]]
// AVX2-NOT: memref.copy
// AVX2: return
func.func @view_output(%a: memref<16x16xf32>, %b: memref<16x16xf32>, %c: memref<1x16x16xf32>) {
  %cv = memref.collapse_shape %c [[0, 1], [2]] : memref<1x16x16xf32> into memref<16x16xf32>
  linalg.matmul ins(%a, %b : memref<16x16xf32>, memref<16x16xf32>) outs(%cv : memref<16x16xf32>)
  return
}

// -----

// The same view, for a matmul that starts from zero: the view is only
// stored to.
// AVX2-LABEL: func.func @view_output_from_zero
// AVX2-NOT: memref.alloc
// AVX2-NOT: memref.copy
// AVX2-NOT: linalg.fill
// AVX2: %[[VIEW:.*]] = memref.collapse_shape %arg2
// AVX2-NOT: vector.load %[[VIEW]]
// AVX2: iter_args
// AVX2: vector.store {{.*}}, %[[VIEW]]
// AVX2-NOT: memref.copy
// AVX2: return
func.func @view_output_from_zero(%a: memref<16x16xf32>, %b: memref<16x16xf32>, %c: memref<1x16x16xf32>) {
  %cv = memref.collapse_shape %c [[0, 1], [2]] : memref<1x16x16xf32> into memref<16x16xf32>
  linalg.matmul {openopt.zero_init} ins(%a, %b : memref<16x16xf32>, memref<16x16xf32>) outs(%cv : memref<16x16xf32>)
  return
}

// -----

// A strided view (a slice of a wider buffer) keeps its stand-in: the
// stand-in is contiguous, the view is not, so the copies stay.
// AVX2-LABEL: func.func @strided_view_output
// AVX2: %[[TMP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
// AVX2: memref.copy %{{.*}}, %[[TMP]]
// AVX2: iter_args
// AVX2: memref.copy %[[TMP]], %{{.*}}
// AVX2: memref.dealloc %[[TMP]]
func.func @strided_view_output(%a: memref<16x16xf32>, %b: memref<16x16xf32>, %c: memref<16x32xf32>) {
  %cv = memref.subview %c[0, 0] [16, 16] [1, 1] : memref<16x32xf32> to memref<16x16xf32, strided<[32, 1]>>
  linalg.matmul ins(%a, %b : memref<16x16xf32>, memref<16x16xf32>) outs(%cv : memref<16x16xf32, strided<[32, 1]>>)
  return
}

// -----

// N not a multiple of 8 (the lowering pads those), dynamic shapes and
// tensors are left as they are.
// AVX2-LABEL: func.func @not_scheduled
// AVX2: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<8x4xf32>, memref<4x10xf32>)
// AVX2: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<?x16xf32>, memref<16x16xf32>)
// AVX2: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x16xf32>, tensor<16x16xf32>)
func.func @not_scheduled(%a: memref<8x4xf32>, %b: memref<4x10xf32>, %c: memref<8x10xf32>,
                         %d: memref<?x16xf32>, %e: memref<16x16xf32>, %f: memref<?x16xf32>,
                         %t: tensor<16x16xf32>) -> tensor<16x16xf32> {
  linalg.matmul ins(%a, %b : memref<8x4xf32>, memref<4x10xf32>) outs(%c : memref<8x10xf32>)
  linalg.matmul ins(%d, %e : memref<?x16xf32>, memref<16x16xf32>) outs(%f : memref<?x16xf32>)
  %r = linalg.matmul ins(%t, %t : tensor<16x16xf32>, tensor<16x16xf32>) outs(%t : tensor<16x16xf32>) -> tensor<16x16xf32>
  return %r : tensor<16x16xf32>
}

// -----

// A reshaped input is read through a reinterpret_cast of its contiguous
// source, so transfers are not folded into multi-dimensional indexing.
// AVX2-LABEL: func.func @reshaped_input
// AVX2: %[[FLAT:.*]] = memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [16, 16], strides: [16, 1] : memref<1x16x16xf32> to memref<16x16xf32>
// AVX2: vector.load %[[FLAT]]
func.func @reshaped_input(%a: memref<1x16x16xf32>, %b: memref<16x16xf32>, %c: memref<16x16xf32>) {
  %av = memref.collapse_shape %a [[0, 1], [2]] : memref<1x16x16xf32> into memref<16x16xf32>
  linalg.matmul ins(%av, %b : memref<16x16xf32>, memref<16x16xf32>) outs(%c : memref<16x16xf32>)
  return
}

// -----

// A packed matmul (constant B in panels, openopt-pack-matmul-weights) gets
// the matmul's register tile, one panel wide, with the panels' loop outside
// the rows' loop: each K step loads one row of the panel (a contiguous
// vector) and broadcasts the A values into FMAs; the accumulators start
// from zero (zero_init), not from the output.
// AVX512-LABEL: func.func @packed
// AVX512: scf.for %[[J:.*]] = %c0 to %c4 step %c1
// AVX512: scf.for %[[M:.*]] = %c0 to %c16 step %c8
// AVX512-NOT: vector.load %arg2
// AVX512: scf.for %[[K:.*]] = %c0 to %c64 step %c1 iter_args({{.*}}) -> (vector<8x1x32xf32>)
// AVX512: vector.load %arg1[%[[J]], %[[K]], %c0] : memref<4x64x32xf32>, vector<32xf32>
// AVX512-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// AVX512: vector.store {{.*}}, %arg2[%[[M]], %[[J]], %c0]
// Panels wider than the ISA's tile (32 for AVX2's 16) are not scheduled:
// the generic stays, and gets the zero fill its mark left out.
// AVX2-LABEL: func.func @packed
// AVX2: linalg.fill
// AVX2-NEXT: linalg.generic
#mA = affine_map<(m, j, n, k) -> (m, k)>
#mB = affine_map<(m, j, n, k) -> (j, k, n)>
#mC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @packed(%a: memref<16x64xf32>, %b: memref<4x64x32xf32>, %c: memref<16x4x32xf32>) {
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
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

// A few odd rows (a direct convolution's run of 7 pixels) are one register
// tile, as wide as the accumulators allow: 7 x 32 on AVX-512, 7 x 8 on AVX2
// (7 x 16 would need 14 of its 12 accumulators), not a row at a time.
// AVX2-LABEL: func.func @matmul_odd_rows
// AVX2: iter_args({{.*}}) -> (vector<7x8xf32>)
// AVX2-COUNT-7: vector.fma {{.*}} : vector<8xf32>
// AVX512-LABEL: func.func @matmul_odd_rows
// AVX512: iter_args({{.*}}) -> (vector<7x32xf32>)
// AVX512-COUNT-7: vector.fma {{.*}} : vector<32xf32>
func.func @matmul_odd_rows(%a: memref<7x64xf32>, %b: memref<64x32xf32>, %c: memref<7x32xf32>) {
  linalg.matmul ins(%a, %b : memref<7x64xf32>, memref<64x32xf32>) outs(%c : memref<7x32xf32>)
  return
}

// -----

// Three AVX-512 vectors wide (N = 48, M a multiple of 8): 24 accumulators,
// scheduled as one-row, one-vector pieces, each with its own accumulator,
// so that no vector<48xf32> reaches LLVM (which rebuilt it element by
// element around every step of K). The K tile is 128 deep (one K tile of
// the 48 columns in 24 KB). A run of 7 rows gets 21. AVX2 has 6 x 16
// tiles for N = 48 (4 x 16 where M is no multiple of 6).
// AVX512-LABEL: func.func @three_vectors
// AVX512: scf.for {{.*}} to %c256 step %c128
// AVX512: scf.for {{.*}} step %c8
// AVX512: scf.for {{.*}} -> ({{(vector<1x16xf32>, )+}}vector<1x16xf32>)
// AVX512-COUNT-24: vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT: vector.fma
// AVX512-NOT: vector<48xf32>
// AVX512-LABEL: func.func @seven_rows
// AVX512: scf.for {{.*}} -> ({{(vector<1x16xf32>, )+}}vector<1x16xf32>)
// AVX512-COUNT-21: vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT: vector.fma
// AVX512-NOT: vector<48xf32>
// AVX2-LABEL: func.func @three_vectors
// AVX2: iter_args({{.*}}) -> (vector<4x16xf32>)
// AVX2-LABEL: func.func @seven_rows
// AVX2: iter_args({{.*}}) -> (vector<7x8xf32>)
func.func @three_vectors(%a: memref<64x256xf32>, %b: memref<256x48xf32>, %c: memref<64x48xf32>) {
  linalg.matmul ins(%a, %b : memref<64x256xf32>, memref<256x48xf32>) outs(%c : memref<64x48xf32>)
  return
}
func.func @seven_rows(%a: memref<7x128xf32, strided<[384, 1], offset: ?>>, %b: memref<128x48xf32>, %c: memref<7x48xf32>) {
  linalg.matmul ins(%a, %b : memref<7x128xf32, strided<[384, 1], offset: ?>>, memref<128x48xf32>) outs(%c : memref<7x48xf32>)
  return
}

// -----

// The same split for a packed matmul (panels of 48, loops m, j, n, k: the
// pieces cut m and n) and a batched one (b, m, n, k). On AVX2 a 48-wide
// panel is wider than its tile and stays unscheduled; three rows by 48
// columns there are 3 x 16 (three-vector tiles are AVX-512's only), on
// AVX-512 nine pieces.
// AVX512-LABEL: func.func @packed_three_vectors
// AVX512: scf.for {{.*}} step %c8
// AVX512: scf.for {{.*}} -> ({{(vector<1x1x16xf32>, )+vector<1x1x16xf32>}})
// AVX512-COUNT-24: vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT: vector.fma
// AVX512-LABEL: func.func @batched_three_vectors
// AVX512: scf.for {{.*}} -> ({{(vector<1x1x16xf32>, )+vector<1x1x16xf32>}})
// AVX512-COUNT-24: vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT: vector.fma
// AVX512-LABEL: func.func @three_rows_48
// AVX512-COUNT-9: vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT: vector.fma
// AVX2-LABEL: func.func @packed_three_vectors
// AVX2: linalg.fill
// AVX2-NEXT: linalg.generic
// AVX2-LABEL: func.func @three_rows_48
// AVX2: iter_args({{.*}}) -> (vector<3x16xf32>)
#pA = affine_map<(m, j, n, k) -> (m, k)>
#pB = affine_map<(m, j, n, k) -> (j, k, n)>
#pC = affine_map<(m, j, n, k) -> (m, j, n)>
func.func @packed_three_vectors(%a: memref<16x64xf32>, %b: memref<2x64x48xf32>, %c: memref<16x2x48xf32>) {
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
func.func @batched_three_vectors(%a: memref<2x16x32xf32>, %b: memref<2x32x48xf32>, %c: memref<2x16x48xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<2x16x32xf32>, memref<2x32x48xf32>) outs(%c : memref<2x16x48xf32>)
  return
}
func.func @three_rows_48(%a: memref<3x32xf32>, %b: memref<32x48xf32>, %c: memref<3x48xf32>) {
  linalg.matmul ins(%a, %b : memref<3x32xf32>, memref<32x48xf32>) outs(%c : memref<3x48xf32>)
  return
}

// -----

// The default cache tile takes up to 128 rows (256 rows: two tiles).
// AVX512-LABEL: func.func @rows_256
// AVX512: scf.for %{{.*}} = %c0 to %c256 step %c128
// AVX512-NEXT: scf.for %{{.*}} = %c0 to %c128 step %c8
func.func @rows_256(%a: memref<256x64xf32>, %b: memref<64x64xf32>, %c: memref<256x64xf32>) {
  linalg.matmul ins(%a, %b : memref<256x64xf32>, memref<64x64xf32>) outs(%c : memref<256x64xf32>)
  return
}
