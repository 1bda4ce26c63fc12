// RUN: openopt-opt %s --pass-pipeline="builtin.module(func.func(openopt-decompose-pads))" | FileCheck %s
// RUN: openopt-opt %s --pass-pipeline="builtin.module(func.func(openopt-decompose-pads),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries},canonicalize,cse,canonicalize)" | FileCheck %s --check-prefix=BUF

// The pad becomes a filled tensor with the source inserted ...
// CHECK-LABEL: func.func @clip_then_pad
// CHECK: %[[CLIP:.*]] = linalg.generic
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x10x10xf32>
// CHECK: %[[FILL:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<4x10x10xf32>)
// CHECK: tensor.insert_slice %[[CLIP]] into %[[FILL]][0, 1, 1] [4, 8, 8] [1, 1, 1]
// CHECK-NOT: tensor.pad

// ... so that after bufferization the clip writes into the padded buffer's
// interior, with no copy.
// BUF-LABEL: func.func @clip_then_pad
// BUF: %[[PADDED:.*]] = memref.alloc() {{.*}} : memref<4x10x10xf32>
// BUF: linalg.fill {{.*}} outs(%[[PADDED]]
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
