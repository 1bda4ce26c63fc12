// RUN: openopt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(openopt-reassociate-reductions))' | FileCheck %s

// The combiner of a float reduction (the op that takes the accumulator) may
// be reassociated; the rest of the body keeps strict semantics.
// CHECK-LABEL: func.func @row_sum_of_exp
// CHECK: math.exp
// CHECK-NOT: fastmath
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
func.func @row_sum_of_exp(%x: memref<4x128xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x128xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %e = math.exp %in : f32
    %s = arith.addf %acc, %e : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Max reductions too; flags already there are kept.
// CHECK-LABEL: func.func @row_max
// CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<reassoc,nnan> : f32
func.func @row_max(%x: memref<4x128xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x128xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %acc, %in fastmath<nnan> : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Element-wise ops (no reduction loop) and integer reductions are left alone.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: fastmath
func.func @untouched(%x: memref<4x128xf32>, %y: memref<4x128xf32>, %a: memref<4x128xi32>, %b: memref<4xi32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x128xf32>) outs(%y : memref<4x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4x128xi32>) outs(%b : memref<4xi32>) {
  ^bb0(%in: i32, %acc: i32):
    %s = arith.addi %acc, %in : i32
    linalg.yield %s : i32
  }
  return
}
