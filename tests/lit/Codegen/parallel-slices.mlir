// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-vectorize-matmul{vector-bits=512 threads=2 max-tile-m=64}))' | FileCheck %s

// A convolution-shaped matmul (few rows, many columns) is split along N:
// each thread then reads half of the large operand, not all of it.
// CHECK-LABEL: func.func @wide_matmul
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c1568 step %c224
// CHECK: scf.for %{{.*}} = %c0 to %c48 step %c8
func.func @wide_matmul(%a: memref<48x432xf32>, %b: memref<432x3136xf32>, %c: memref<48x3136xf32>) {
  linalg.matmul ins(%a, %b : memref<48x432xf32>, memref<432x3136xf32>) outs(%c : memref<48x3136xf32>)
  return
}

// -----

// A tall one is split along M. Its 48 columns are one 8 x 48 register
// tile, scheduled as 24 one-row, one-vector pieces with an accumulator each.
// CHECK-LABEL: func.func @tall_matmul
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c1568 step %c56
// CHECK: scf.for %{{.*}} = %c0 to %c56 step %c8
// CHECK: scf.for {{.*}} -> (vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>, vector<1x16xf32>)
// CHECK-COUNT-24: vector.fma {{.*}} : vector<16xf32>
func.func @tall_matmul(%a: memref<3136x432xf32>, %b: memref<432x48xf32>, %c: memref<3136x48xf32>) {
  linalg.matmul ins(%a, %b : memref<3136x432xf32>, memref<432x48xf32>) outs(%c : memref<3136x48xf32>)
  return
}

// -----

// N = 224 would split into 112s, not a multiple of 32: each thread's
// register tile would shrink to 8x16. M splits instead and the tile stays
// 8x32 (resnet's 3x3 stride-2 convolution into 14x14).
// CHECK-LABEL: func.func @n_not_32_per_thread
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c96 step
// CHECK: scf.for %{{.*}} = %c0 to %c224 step %c32
// CHECK: vector<8x32xf32>
func.func @n_not_32_per_thread(%a: memref<192x864xf32>, %b: memref<864x224xf32>, %c: memref<192x224xf32>) {
  linalg.matmul ins(%a, %b : memref<192x864xf32>, memref<864x224xf32>) outs(%c : memref<192x224xf32>)
  return
}

// -----

// Other linalg ops big enough to pay for a parallel region are split along
// their first parallel loop with at least two iterations (here the channels:
// the batch has one), partial slices included.
// CHECK-LABEL: func.func @big_generic
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: linalg.generic
// CHECK-SAME: memref<1x?x56x56xf32, strided<[147392, 3136, 56, 1], offset: ?>>
func.func @big_generic(%x: memref<1x47x56x56xf32>, %y: memref<1x47x56x56xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x47x56x56xf32>) outs(%y : memref<1x47x56x56xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// Three channels would split 2 + 1; the first loop that splits evenly (the
// 112 rows) is taken instead.
// CHECK-LABEL: func.func @uneven_channels
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: linalg.generic
// CHECK-SAME: memref<1x3x56x112xf32, strided<[37632, 12544, 112, 1], offset: ?>>
func.func @uneven_channels(%x: memref<1x3x112x112xf32>, %y: memref<1x3x112x112xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x3x112x112xf32>) outs(%y : memref<1x3x112x112xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A small one stays serial: a fork/join would cost more than it saves.
// CHECK-LABEL: func.func @small_generic
// CHECK-NOT: scf.forall
func.func @small_generic(%x: memref<64x64xf32>, %y: memref<64x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A matmul under 2^18 multiply-adds stays serial (tiny_conv_mm's 4x27x64 took
// 60 us a call split in two, 1.2 us whole).
// CHECK-LABEL: func.func @small_matmul
// CHECK-NOT: scf.forall
func.func @small_matmul(%a: memref<4x32xf32>, %b: memref<32x64xf32>, %c: memref<4x64xf32>) {
  linalg.matmul ins(%a, %b : memref<4x32xf32>, memref<32x64xf32>) outs(%c : memref<4x64xf32>)
  return
}

// -----

// A kernel called inside a parallel loop (openopt.serial) splits nothing:
// the matmul is scheduled for one thread, the generic stays whole.
// CHECK-LABEL: func.func @serial_kernel
// CHECK-NOT: scf.forall
// CHECK: scf.for %{{.*}} = %c0 to %c3136 step %c224
func.func @serial_kernel(%a: memref<48x432xf32>, %b: memref<432x3136xf32>, %c: memref<48x3136xf32>, %x: memref<1x47x56x56xf32>, %y: memref<1x47x56x56xf32>) attributes {openopt.serial} {
  linalg.matmul ins(%a, %b : memref<48x432xf32>, memref<432x3136xf32>) outs(%c : memref<48x3136xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : memref<1x47x56x56xf32>) outs(%y : memref<1x47x56x56xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// Seven rows split 4 + 3 (within 1/6 of even): the rows are taken, as a
// matmul split by rows wrote them, not the 960 channels.
// CHECK-LABEL: func.func @rows_of_seven
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: linalg.generic
// CHECK-SAME: memref<1x?x7x960xf32
func.func @rows_of_seven(%x: memref<1x7x7x960xf32>, %y: memref<1x7x7x960xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x7x7x960xf32>) outs(%y : memref<1x7x7x960xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// 28K iterations: one add stays serial, a body of eight operations (a small
// depthwise convolution's taps, say) is worth a parallel region.
// CHECK-LABEL: func.func @cheap_body
// CHECK-NOT: scf.forall
// CHECK: return
// CHECK-LABEL: func.func @costly_body
// CHECK: scf.forall (%{{.*}}) in (2)
func.func @cheap_body(%x: memref<1x7x7x576xf32>, %y: memref<1x7x7x576xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x7x7x576xf32>) outs(%y : memref<1x7x7x576xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  }
  return
}
func.func @costly_body(%x: memref<1x7x7x576xf32>, %y: memref<1x7x7x576xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x7x7x576xf32>) outs(%y : memref<1x7x7x576xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = math.fma %0, %in, %in : f32
    %2 = math.fma %1, %in, %0 : f32
    %3 = math.fma %2, %in, %1 : f32
    %4 = math.fma %3, %in, %2 : f32
    %5 = math.fma %4, %in, %3 : f32
    %6 = math.fma %5, %in, %4 : f32
    %7 = math.fma %6, %in, %5 : f32
    linalg.yield %7 : f32
  }
  return
}
