// RUN: openopt-opt %s --openopt-gpu-row-reductions | FileCheck %s

// Softmax's sum over rows of 128: a block of 256 threads per row (12 x 128
// rows); each thread folds its strided share of the row, then all threads'
// shares are added, and thread 0 adds the total into the output.
// Costs: 196608 elements x (subf, exp, addf); x and max read, sum read and
// written. (@row_max, without a node name, is k_op: 1200 maxima.)
// CHECK: module attributes {openopt.kernel_costs = {k_op = [1200, 4832], k_softmax_Softmax = [589824, 804864]}}
// CHECK-LABEL: func.func @softmax_sum
// CHECK: %[[ROWS:.*]] = arith.muli %{{.*}}, %c128 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, {{.*}} function(@k_softmax_Softmax)
// A sum starts from -0 (so that a row of -0 stays -0).
// CHECK: %[[ZERO:.*]] = arith.constant -0.000000e+00 : f32
// CHECK: %[[PART:.*]] = scf.for %[[K:.*]] = %[[TX]] to %{{.*}} step %c256 iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32)
// CHECK: affine.apply #{{.*}}(%{{.*}}, %{{.*}}, %{{.*}}, %[[K]])
// CHECK: memref.load %arg0[
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %{{.*}} : f32
// CHECK: scf.yield %[[SUM]]
// CHECK: %[[ALL:.*]] = gpu.all_reduce add %[[PART]] uniform
// CHECK: scf.if
// CHECK: %[[OLD:.*]] = memref.load %arg2
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[ALL]] : f32
// CHECK: memref.store %[[NEW]], %arg2
// CHECK-NOT: linalg.generic
func.func @softmax_sum(%x: memref<1x12x128x128xf32>, %max: memref<1x12x128x1xf32>, %sum: memref<1x12x128xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>,
                                   affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %max : memref<1x12x128x128xf32>, memref<1x12x128x1xf32>) outs(%sum : memref<1x12x128xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %e = math.exp %d : f32
    %s = arith.addf %out, %e : f32
    linalg.yield %s : f32
  } loc("/softmax/Softmax")
  return
}

// maxnumf starts from NaN (maxnum(NaN, x) = x, and a row of NaN stays NaN),
// whichever side the output is on.
// CHECK-LABEL: func.func @row_max
// CHECK: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[NAN]])
// CHECK: gpu.all_reduce maxnumf
func.func @row_max(%x: memref<4x300xf32>, %m: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x300xf32>) outs(%m : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maxnumf %in, %out : f32
    linalg.yield %r : f32
  }
  return
}

// Short rows, a reduction that is not the last dimension, and a fold
// gpu.all_reduce lacks stay as they are.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: gpu.launch
func.func @left_alone(%x: memref<4x10xf32>, %r: memref<4xf32>, %c: memref<10xf32>, %y: memref<4x300xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x10xf32>) outs(%r : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<4x10xf32>) outs(%c : memref<10xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %out, %in : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%y : memref<4x300xf32>) outs(%r : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.divf %out, %in : f32
    linalg.yield %s : f32
  }
  return
}
