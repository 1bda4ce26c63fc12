// RUN: openopt-opt %s --pass-pipeline="builtin.module(func.func(openopt-decompose-pads))" | FileCheck %s
// RUN: openopt-opt %s --pass-pipeline="builtin.module(func.func(openopt-decompose-pads),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries},canonicalize,cse,canonicalize)" | FileCheck %s --check-prefix=BUF

// The pad becomes its border, filled slab by slab (rows 0 and 9 across the
// whole width, then columns 0 and 9 of rows 1-8: no element twice) before
// the op that computes the source, with the source inserted into the
// interior ...
// CHECK-LABEL: func.func @clip_then_pad
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x10x10xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[EMPTY]][0, 0, 0] [4, 1, 10] [1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : tensor<4x1x10xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 9, 0] [4, 1, 10] [1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 0] [4, 8, 1] [1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 9] [4, 8, 1] [1, 1, 1]
// CHECK: %[[BORDER:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 9] [4, 8, 1] [1, 1, 1]
// CHECK: %[[CLIP:.*]] = linalg.generic
// CHECK: tensor.insert_slice %[[CLIP]] into %[[BORDER]][0, 1, 1] [4, 8, 8] [1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK-LABEL: func.func @dynamic_pad
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x10xf32>)
// CHECK: tensor.insert_slice

// ... so that after bufferization the clip writes into the padded buffer's
// interior, with no copy, and only the border is filled.
// BUF-LABEL: func.func @clip_then_pad
// BUF: %[[PADDED:.*]] = memref.alloc() {{.*}} : memref<4x10x10xf32>
// BUF: linalg.fill {{.*}} outs(%{{.*}} : memref<4x1x10xf32, strided<[100, 10, 1]>>)
// BUF: linalg.fill {{.*}} outs(%{{.*}} : memref<4x1x10xf32, strided<[100, 10, 1], offset: 90>>)
// BUF: linalg.fill {{.*}} outs(%{{.*}} : memref<4x8x1xf32, strided<[100, 10, 1], offset: 10>>)
// BUF: linalg.fill {{.*}} outs(%{{.*}} : memref<4x8x1xf32, strided<[100, 10, 1], offset: 19>>)
// BUF-NOT: linalg.fill
// BUF: %[[INTERIOR:.*]] = memref.subview %[[PADDED]][0, 1, 1] [4, 8, 8] [1, 1, 1]
// BUF: linalg.generic {{.*}} outs(%[[INTERIOR]]
// BUF-NOT: memref.copy
// BUF: return %[[PADDED]]
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @clip_then_pad(%x: tensor<4x8x8xf32>) -> tensor<4x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %empty = tensor.empty() : tensor<4x8x8xf32>
  %clip = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<4x8x8xf32>) outs(%empty : tensor<4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %lo = arith.maximumf %in, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  } -> tensor<4x8x8xf32>
  %padded = tensor.pad %clip low[0, 1, 1] high[0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<4x8x8xf32> to tensor<4x10x10xf32>
  return %padded : tensor<4x10x10xf32>
}

// A dynamic size: the whole tensor is filled, then the source inserted.
func.func @dynamic_pad(%x: tensor<?x8xf32>) -> tensor<?x10xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<?x8xf32> to tensor<?x10xf32>
  return %padded : tensor<?x10xf32>
}

// A source computed in another shape and collapsed (an im2col gather read as
// [K, pixels], padded to a multiple of the register tile): the gather writes
// into the interior viewed in its own shape ...
// CHECK-LABEL: func.func @gather_collapse_pad
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<6x16xf32>
// CHECK: %[[RIGHT:.*]] = tensor.extract_slice %[[EMPTY]][0, 4] [6, 12] [1, 1]
// CHECK: %[[BORDER:.*]] = tensor.insert_slice %{{.*}} into %[[EMPTY]][0, 4] [6, 12] [1, 1]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[BORDER]][0, 0] [6, 4] [1, 1]
// CHECK: %[[VIEW:.*]] = tensor.expand_shape %[[INTERIOR]] {{\[}}[0, 1], [2]] output_shape [2, 3, 4]
// CHECK: %[[GATHER:.*]] = linalg.generic {{.*}} outs(%[[VIEW]] : tensor<2x3x4xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[GATHER]]
// CHECK: tensor.insert_slice %[[FLAT]] into %[[BORDER]][0, 0] [6, 4] [1, 1]
// ... and after bufferization there is no copy of it.
// BUF-LABEL: func.func @gather_collapse_pad
// BUF: %[[PADDED:.*]] = memref.alloc() {{.*}} : memref<6x16xf32>
// BUF: linalg.fill {{.*}} outs(%{{.*}} : memref<6x12xf32, strided<[16, 1], offset: 4>>)
// BUF: %[[INTERIOR:.*]] = memref.subview %[[PADDED]][0, 0] [6, 4] [1, 1]
// BUF: %[[VIEW:.*]] = memref.expand_shape %[[INTERIOR]]
// BUF: linalg.generic {{.*}} outs(%[[VIEW]]
// BUF-NOT: memref.copy
// BUF: return %[[PADDED]]
func.func @gather_collapse_pad(%x: tensor<2x8xf32>) -> tensor<6x16xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3x4xf32>
  %gather = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1 + d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%empty : tensor<2x3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x4xf32>
  %flat = tensor.collapse_shape %gather [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %padded = tensor.pad %flat low[0, 0] high[0, 12] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<6x4xf32> to tensor<6x16xf32>
  return %padded : tensor<6x16xf32>
}

// A rank-reducing insert is left as it is (its slice would need the
// reduced rank too).
// CHECK-LABEL: func.func @gather_collapse_rank_reducing_insert
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<2x3x4xf32>)
// BUF-LABEL: func.func @gather_collapse_rank_reducing_insert
func.func @gather_collapse_rank_reducing_insert(%x: tensor<2x8xf32>, %d: tensor<2x6x4xf32>) -> tensor<2x6x4xf32> {
  %empty = tensor.empty() : tensor<2x3x4xf32>
  %gather = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1 + d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%empty : tensor<2x3x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x4xf32>
  %flat = tensor.collapse_shape %gather [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %r = tensor.insert_slice %flat into %d[1, 0, 0] [1, 6, 4] [1, 1, 1] : tensor<6x4xf32> into tensor<2x6x4xf32>
  return %r : tensor<2x6x4xf32>
}
