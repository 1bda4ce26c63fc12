// RUN: openopt-opt %s --split-input-file --openopt-fuse-elementwise | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>

// Two element-wise generics become one loop nest.
// CHECK-LABEL: func.func @chain
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
func.func @chain(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.maximumf %p, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A matmul is never folded into its element-wise consumer (it must stay a
// named op for the matmul schedule).
// CHECK-LABEL: func.func @matmul_then_relu
// CHECK: linalg.matmul
// CHECK: linalg.generic
func.func @matmul_then_relu(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  %e = tensor.empty() : tensor<4x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%p: f32, %o: f32):
    %v = arith.maximumf %p, %zero : f32
    linalg.yield %v : f32
  } -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A call between producer and consumer (a profiling hook) is a barrier: the
// producer's loop stays on its side of it.
// CHECK-LABEL: func.func @call_between
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: call @hook
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func private @hook(i64)
func.func @call_between(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %id = arith.constant 0 : i64
  %e = tensor.empty() : tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  call @hook(%id) : (i64) -> ()
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.maximumf %p, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// A convolution computed in chunks of rows (an scf.forall) whose result
// only the bias add uses: the add moves into the loop (its bias constant,
// defined after the loop, moves above it and folds into the body) and runs
// on each chunk's product; the loop yields the sums too, and the function
// returns them (the old loop result and add are dead, for canonicalize).
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bias4 = affine_map<(d0, d1, d2, d3) -> (0, 0, 0, d3)>
// CHECK-LABEL: func.func @chunks_then_bias
// CHECK: %[[LOOP:.*]]:2 = scf.forall (%[[I:.*]]) in (2)
// CHECK: linalg.matmul
// CHECK: %[[CHUNK:.*]] = tensor.expand_shape
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[CHUNK]] : tensor<1x2x4x16xf32>)
// CHECK: arith.addf
// CHECK: tensor.parallel_insert_slice %[[SUM]]
// CHECK: return %[[LOOP]]#1
func.func @chunks_then_bias(%x: tensor<1x4x4x8xf32>, %w: tensor<8x16xf32>) -> tensor<1x4x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<1x4x4x16xf32>
  %chunks = scf.forall (%i) in (2) shared_outs(%out = %init) -> (tensor<1x4x4x16xf32>) {
    %row = affine.apply affine_map<(d0) -> (d0 * 2)>(%i)
    %in = tensor.extract_slice %x[0, %row, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xf32> to tensor<1x2x4x8xf32>
    %a = tensor.collapse_shape %in [[0, 1, 2], [3]] : tensor<1x2x4x8xf32> into tensor<8x8xf32>
    %e = tensor.empty() : tensor<8x16xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
    %p = linalg.matmul ins(%a, %w : tensor<8x8xf32>, tensor<8x16xf32>) outs(%z : tensor<8x16xf32>) -> tensor<8x16xf32>
    %c = tensor.expand_shape %p [[0, 1, 2], [3]] output_shape [1, 2, 4, 16] : tensor<8x16xf32> into tensor<1x2x4x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %c into %out[0, %row, 0, 0] [1, 2, 4, 16] [1, 1, 1, 1] : tensor<1x2x4x16xf32> into tensor<1x4x4x16xf32>
    }
  }
  %b = arith.constant dense<1.0> : tensor<1x1x1x16xf32>
  %e2 = tensor.empty() : tensor<1x4x4x16xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #bias4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%chunks, %b : tensor<1x4x4x16xf32>, tensor<1x1x1x16xf32>) outs(%e2 : tensor<1x4x4x16xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x16xf32>
  return %sum : tensor<1x4x4x16xf32>
}

// -----

// A call between the loop and its consumer (a profiling hook) keeps them
// apart.
#id4b = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @chunks_call_bias
// CHECK: scf.forall
// CHECK-NOT: linalg.generic
// CHECK: }
// CHECK: call @hook
// CHECK: linalg.generic
func.func private @hook()
func.func @chunks_call_bias(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %init = tensor.empty() : tensor<4x8xf32>
  %chunks = scf.forall (%i) in (2) shared_outs(%out = %init) -> (tensor<4x8xf32>) {
    %row = affine.apply affine_map<(d0) -> (d0 * 2)>(%i)
    %in = tensor.extract_slice %x[%row, 0] [2, 8] [1, 1] : tensor<4x8xf32> to tensor<2x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %in into %out[%row, 0] [2, 8] [1, 1] : tensor<2x8xf32> into tensor<4x8xf32>
    }
  }
  call @hook() : () -> ()
  %e2 = tensor.empty() : tensor<4x8xf32>
  %neg = linalg.generic {indexing_maps = [#id4b, #id4b], iterator_types = ["parallel", "parallel"]}
      ins(%chunks : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %neg : tensor<4x8xf32>
}

// -----

// The consumer's bias comes from a reshape of an argument made after the
// loop: the reshape moves above the loop with the consumer's empty result,
// and the add, its bias not a constant, runs inside the loop.
#id4c = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias4c = affine_map<(d0, d1, d2) -> (0, 0, d2)>
// CHECK-LABEL: func.func @chunks_then_argument_bias
// CHECK: %[[B:.*]] = tensor.expand_shape %arg1
// CHECK: %[[LOOP:.*]]:2 = scf.forall
// CHECK: %[[BS:.*]] = tensor.extract_slice %[[B]][0, 0, 0] [1, 1, 8]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[BS]] : tensor<1x2x8xf32>, tensor<1x1x8xf32>)
// CHECK: tensor.parallel_insert_slice %[[SUM]]
// CHECK: return %[[LOOP]]#1
func.func @chunks_then_argument_bias(%x: tensor<1x4x8xf32>, %bias: tensor<8xf32>) -> tensor<1x4x8xf32> {
  %init = tensor.empty() : tensor<1x4x8xf32>
  %chunks = scf.forall (%i) in (2) shared_outs(%out = %init) -> (tensor<1x4x8xf32>) {
    %row = affine.apply affine_map<(d0) -> (d0 * 2)>(%i)
    %in = tensor.extract_slice %x[0, %row, 0] [1, 2, 8] [1, 1, 1] : tensor<1x4x8xf32> to tensor<1x2x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %in into %out[0, %row, 0] [1, 2, 8] [1, 1, 1] : tensor<1x2x8xf32> into tensor<1x4x8xf32>
    }
  }
  %b = tensor.expand_shape %bias [[0, 1, 2]] output_shape [1, 1, 8] : tensor<8xf32> into tensor<1x1x8xf32>
  %e2 = tensor.empty() : tensor<1x4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id4c, #bias4c, #id4c], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%chunks, %b : tensor<1x4x8xf32>, tensor<1x1x8xf32>) outs(%e2 : tensor<1x4x8xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8xf32>
  return %sum : tensor<1x4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A gather (tensor.extract) that another op also uses is not recomputed in
// its consumer's loop: the consumer reads its stored result. A producer
// that only one op uses is fused even when that op reads it twice (x * x).
// CHECK-LABEL: func.func @shared_gather
// CHECK: %[[G:.*]] = linalg.generic
// CHECK: tensor.extract
// CHECK: linalg.generic {{.*}} ins(%[[G]] :
// CHECK-NOT: tensor.extract
// CHECK: arith.mulf
// CHECK: return
// CHECK-LABEL: func.func @gather_read_twice
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
func.func @shared_gather(%t: tensor<8xf32>, %i: tensor<4x8xindex>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%i : tensor<4x8xindex>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%k: index, %o: f32):
    %v = tensor.extract %t[%k] : tensor<8xf32>
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %m = arith.mulf %p, %p : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %s, %g : tensor<4x8xf32>, tensor<4x8xf32>
}
func.func @gather_read_twice(%t: tensor<8xf32>, %i: tensor<4x8xindex>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%i : tensor<4x8xindex>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%k: index, %o: f32):
    %v = tensor.extract %t[%k] : tensor<8xf32>
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %g : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %s : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A shared producer its lowering marked openopt.keep_stored (a softmax's
// exponentials, read by the sum and the division) is not recomputed in
// either consumer: each reads its stored result. Unmarked, the same producer
// is recomputed in both, as any short element-wise chain is (what it
// computes does not decide which kernels a model has: an edit of a ReLU
// into a Sigmoid keeps them).
// CHECK-LABEL: func.func @shared_exp
// CHECK: %[[E:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[E]] :
// CHECK-NOT: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[E]] :
// CHECK-NOT: math.exp
// CHECK: return
// CHECK-LABEL: func.func @shared_unmarked_exp
// CHECK: linalg.generic {{.*}} ins(%arg0 :
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%arg0 :
// CHECK: math.exp
// CHECK: arith.subf
func.func @shared_exp(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %x2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) attrs = {openopt.keep_stored} {
  ^bb0(%p: f32, %o: f32):
    %v = math.exp %p : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x2 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %v = arith.addf %p, %p : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x2 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %v = arith.subf %p, %p : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}
func.func @shared_unmarked_exp(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %x2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %v = math.exp %p : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x2 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %v = arith.addf %p, %p : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x2 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %v = arith.subf %p, %p : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// Two residual adds in a row (ResNet's blocks): the first, which the next
// convolution also reads, is not recomputed in the second, where it would
// read two activations in place of its one stored result. A shared bias add
// (one activation and a constant in) still is: the second add reads the
// activation instead of the stored sum, as many bytes.
// CHECK-LABEL: func.func @shared_residual
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 :
// CHECK: linalg.generic {{.*}} ins(%arg2, %[[R]] :
// CHECK-NOT: linalg.generic
// CHECK: return
// CHECK-LABEL: func.func @shared_bias
// CHECK: linalg.generic {{.*}} ins(%arg0, %cst :
// CHECK: linalg.generic {{.*}} ins(%arg1, %arg0, %cst :
// CHECK: return
func.func @shared_residual(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>, %c: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %v = arith.addf %p, %q : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %r : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %v = arith.addf %p, %q : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %s, %r : tensor<4x8xf32>, tensor<4x8xf32>
}
func.func @shared_bias(%a: tensor<4x8xf32>, %c: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %bias = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %bias : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %v = arith.addf %p, %q : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %r : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %v = arith.addf %p, %q : f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  return %s, %r : tensor<4x8xf32>, tensor<4x8xf32>
}
