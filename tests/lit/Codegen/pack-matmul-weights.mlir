// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-pack-matmul-weights{vector-bits=256}))' | FileCheck %s --check-prefix=AVX2
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-pack-matmul-weights{vector-bits=512}))' | FileCheck %s --check-prefix=AVX512
// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-pack-matmul-weights{vector-bits=512 threads=2}))' | FileCheck %s --check-prefix=THREADS

// A constant B [2, 64] is stored as panels of the register tile's width
// (16 on AVX2, [4, 2, 16]; 32 on AVX-512, [2, 2, 32]): panel j holds
// columns j*P .. j*P+P-1 of every row, so row 1 of panel 0 starts with
// element (1, 0) = 64.0 (0x42800000) right after the P values of row 0.
// The matmul's zero-init mark carries over to the generic.
// AVX2-LABEL: func.func @packs_constant_b
// AVX2: %[[P:.*]] = arith.constant dense_resource<[[BLOB:.*]]> : tensor<4x2x16xf32>
// AVX2: %[[C:.*]] = tensor.expand_shape {{.*}} output_shape [8, 4, 16]
// AVX2: linalg.generic
// AVX2-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// AVX2-SAME: ins(%{{.*}}, %[[P]] : tensor<8x2xf32>, tensor<4x2x16xf32>) outs(%[[C]] : tensor<8x4x16xf32>)
// AVX2-SAME: openopt.packed_b
// AVX2-SAME: openopt.zero_init
// AVX2: arith.mulf
// AVX2: arith.addf
// AVX2: tensor.collapse_shape {{.*}} : tensor<8x4x16xf32> into tensor<8x64xf32>
// AVX2: [[BLOB]]: "0x40000000{{0+}}803F{{.*}}0000704100008042
// AVX512-LABEL: func.func @packs_constant_b
// AVX512: arith.constant dense_resource<{{.*}}> : tensor<2x2x32xf32>
// AVX512: linalg.generic
// AVX512-SAME: tensor<2x2x32xf32>) outs(%{{.*}} : tensor<8x2x32xf32>)
// AVX512-NOT: linalg.matmul
func.func @packs_constant_b(%a: tensor<8x2xf32>) -> tensor<8x64xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0], [64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0]]> : tensor<2x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r = linalg.matmul {openopt.zero_init} ins(%a, %w : tensor<8x2xf32>, tensor<2x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// Matmuls that keep their layout: B computed at run time, an odd row count,
// N one register tile wide (already one panel), N not a multiple of 8 lanes.
// AVX2-LABEL: func.func @keeps
// AVX2-NOT: linalg.generic
// AVX2-COUNT-4: linalg.matmul
// AVX512-LABEL: func.func @keeps
// AVX512-NOT: linalg.generic
func.func @keeps(%a: tensor<8x4xf32>, %b: tensor<4x64xf32>, %a7: tensor<7x4xf32>) -> (tensor<8x64xf32>, tensor<7x64xf32>, tensor<8x16xf32>, tensor<8x12xf32>) {
  %w = arith.constant dense<1.5> : tensor<4x64xf32>
  %w16 = arith.constant dense<1.5> : tensor<4x16xf32>
  %w12 = arith.constant dense<1.5> : tensor<4x12xf32>
  %c0 = tensor.empty() : tensor<8x64xf32>
  %c7 = tensor.empty() : tensor<7x64xf32>
  %c16 = tensor.empty() : tensor<8x16xf32>
  %c12 = tensor.empty() : tensor<8x12xf32>
  %r0 = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x64xf32>) outs(%c0 : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r7 = linalg.matmul ins(%a7, %w : tensor<7x4xf32>, tensor<4x64xf32>) outs(%c7 : tensor<7x64xf32>) -> tensor<7x64xf32>
  %r16 = linalg.matmul ins(%a, %w16 : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c16 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %r12 = linalg.matmul ins(%a, %w12 : tensor<8x4xf32>, tensor<4x12xf32>) outs(%c12 : tensor<8x12xf32>) -> tensor<8x12xf32>
  return %r0, %r7, %r16, %r12 : tensor<8x64xf32>, tensor<7x64xf32>, tensor<8x16xf32>, tensor<8x12xf32>
}

// -----

// A single row (a GEMV) is packed too: its weight streams from memory, and
// a row-major B [K, N] read a tile's columns at a stride of N floats, one
// short run a row, which the prefetchers follow badly across pages; a
// panel is read front to back (mlp_b1 at 1 thread 0.314 -> 0.250 ms).
// AVX512-LABEL: func.func @single_row
// AVX512: arith.constant dense<1.500000e+00> : tensor<2x4x32xf32>
// AVX512: linalg.generic
// AVX2-LABEL: func.func @single_row
// AVX2: arith.constant dense<1.500000e+00> : tensor<4x4x16xf32>
// AVX2: linalg.generic
func.func @single_row(%a1: tensor<1x4xf32>) -> tensor<1x64xf32> {
  %w = arith.constant dense<1.5> : tensor<4x64xf32>
  %c1 = tensor.empty() : tensor<1x64xf32>
  %r1 = linalg.matmul ins(%a1, %w : tensor<1x4xf32>, tensor<4x64xf32>) outs(%c1 : tensor<1x64xf32>) -> tensor<1x64xf32>
  return %r1 : tensor<1x64xf32>
}

// -----

// A splat weight stays a splat, in the packed shape.
// AVX512-LABEL: func.func @splat
// AVX512: arith.constant dense<1.500000e+00> : tensor<2x4x32xf32>
// AVX512: linalg.generic
func.func @splat(%a: tensor<8x4xf32>) -> tensor<8x64xf32> {
  %w = arith.constant dense<1.5> : tensor<4x64xf32>
  %c = tensor.empty() : tensor<8x64xf32>
  %r = linalg.matmul ins(%a, %w : tensor<8x4xf32>, tensor<4x64xf32>) outs(%c : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// A weight two matmuls share (tied layers) is packed once: both generics
// read the same packed constant.
// AVX512-LABEL: func.func @shared_weight
// AVX512: %[[P:.*]] = arith.constant dense_resource<{{.*}}> : tensor<2x2x32xf32>
// AVX512-NOT: arith.constant dense_resource
// AVX512: linalg.generic {{.*}} ins(%{{.*}}, %[[P]] :
// AVX512: linalg.generic {{.*}} ins(%{{.*}}, %[[P]] :
func.func @shared_weight(%a: tensor<8x2xf32>, %b: tensor<8x2xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0], [65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0]]> : tensor<2x64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %r = linalg.matmul ins(%a, %w : tensor<8x2xf32>, tensor<2x64xf32>) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %s = linalg.matmul ins(%b, %w : tensor<8x2xf32>, tensor<2x64xf32>) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %r, %s : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// A weight something else also reads unpacked (here a matmul of 7 rows)
// would be stored twice: it stays as it is for both.
// AVX512-LABEL: func.func @also_unpacked
// AVX512-NOT: linalg.generic
// AVX512-COUNT-2: linalg.matmul
func.func @also_unpacked(%a: tensor<8x4xf32>, %a7: tensor<7x4xf32>) -> (tensor<8x64xf32>, tensor<7x64xf32>) {
  %w = arith.constant dense<1.5> : tensor<4x64xf32>
  %c8 = tensor.empty() : tensor<8x64xf32>
  %c7 = tensor.empty() : tensor<7x64xf32>
  %r8 = linalg.matmul ins(%a, %w : tensor<8x4xf32>, tensor<4x64xf32>) outs(%c8 : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r7 = linalg.matmul ins(%a7, %w : tensor<7x4xf32>, tensor<4x64xf32>) outs(%c7 : tensor<7x64xf32>) -> tensor<7x64xf32>
  return %r8, %r7 : tensor<8x64xf32>, tensor<7x64xf32>
}

// -----

// On two threads a packed matmul is split into whole panels or groups of
// 8 rows per thread, else into units of 8 rows by one panel, two or more
// per thread: 3 panels of 48 and 8 rows allow none (3 units; kept), 16
// rows or 4 panels allow a split, 56 rows by 5 panels 35 units (packed).
// THREADS-LABEL: func.func @two_threads
// THREADS: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<4x144xf32>)
// THREADS: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<16x4xf32>, tensor<3x4x48xf32>)
// THREADS: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<8x4xf32>, tensor<4x4x32xf32>)
// THREADS: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<56x4xf32>, tensor<5x4x32xf32>)
func.func @two_threads(%a8: tensor<8x4xf32>, %a16: tensor<16x4xf32>, %a56: tensor<56x4xf32>) -> (tensor<8x144xf32>, tensor<16x144xf32>, tensor<8x128xf32>, tensor<56x160xf32>) {
  %w = arith.constant dense<1.5> : tensor<4x144xf32>
  %v = arith.constant dense<2.5> : tensor<4x144xf32>
  %u = arith.constant dense<1.5> : tensor<4x128xf32>
  %t = arith.constant dense<0.5> : tensor<4x160xf32>
  %c0 = tensor.empty() : tensor<8x144xf32>
  %c1 = tensor.empty() : tensor<16x144xf32>
  %c2 = tensor.empty() : tensor<8x128xf32>
  %c3 = tensor.empty() : tensor<56x160xf32>
  %r0 = linalg.matmul ins(%a8, %w : tensor<8x4xf32>, tensor<4x144xf32>) outs(%c0 : tensor<8x144xf32>) -> tensor<8x144xf32>
  %r1 = linalg.matmul ins(%a16, %v : tensor<16x4xf32>, tensor<4x144xf32>) outs(%c1 : tensor<16x144xf32>) -> tensor<16x144xf32>
  %r2 = linalg.matmul ins(%a8, %u : tensor<8x4xf32>, tensor<4x128xf32>) outs(%c2 : tensor<8x128xf32>) -> tensor<8x128xf32>
  %r3 = linalg.matmul ins(%a56, %t : tensor<56x4xf32>, tensor<4x160xf32>) outs(%c3 : tensor<56x160xf32>) -> tensor<56x160xf32>
  return %r0, %r1, %r2, %r3 : tensor<8x144xf32>, tensor<16x144xf32>, tensor<8x128xf32>, tensor<56x160xf32>
}

// -----

// 96 columns and 8 rows: panels of 48 on AVX-512 (the 8 x 48 register
// tile), of 16 on AVX2.
// AVX512-LABEL: func.func @panels_of_48
// AVX512: arith.constant dense<2.500000e+00> : tensor<2x4x48xf32>
// AVX512: linalg.generic {{.*}} outs(%{{.*}} : tensor<8x2x48xf32>)
// AVX2-LABEL: func.func @panels_of_48
// AVX2: arith.constant dense<2.500000e+00> : tensor<6x4x16xf32>
func.func @panels_of_48(%a: tensor<8x4xf32>) -> tensor<8x96xf32> {
  %w = arith.constant dense<2.5> : tensor<4x96xf32>
  %e = tensor.empty() : tensor<8x96xf32>
  %r = linalg.matmul ins(%a, %w : tensor<8x4xf32>, tensor<4x96xf32>) outs(%e : tensor<8x96xf32>) -> tensor<8x96xf32>
  return %r : tensor<8x96xf32>
}
