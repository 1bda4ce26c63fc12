// RUN: openopt-opt %s -split-input-file --openopt-infer-shapes | FileCheck %s
// Shape inference of every nn op whose result shape is computed: results
// are declared with `?` dims and the pass must make them static.

// CHECK-LABEL: func.func @add
// CHECK-SAME: -> tensor<2x4x3xf32>
func.func @add(%a: tensor<2x1x3xf32>, %b: tensor<4x1xf32>) -> (tensor<?x?x?xf32>) {
  %r = nn.add %a, %b : (tensor<2x1x3xf32>, tensor<4x1xf32>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @sub
// CHECK-SAME: -> tensor<5x3xf32>
func.func @sub(%a: tensor<5x3xf32>, %b: tensor<3xf32>) -> (tensor<?x?xf32>) {
  %r = nn.sub %a, %b : (tensor<5x3xf32>, tensor<3xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @mul
// CHECK-SAME: -> tensor<7x2xf32>
func.func @mul(%a: tensor<1xf32>, %b: tensor<7x2xf32>) -> (tensor<?x?xf32>) {
  %r = nn.mul %a, %b : (tensor<1xf32>, tensor<7x2xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @div
// CHECK-SAME: -> tensor<4x6xf32>
func.func @div(%a: tensor<4x1xf32>, %b: tensor<1x6xf32>) -> (tensor<?x?xf32>) {
  %r = nn.div %a, %b : (tensor<4x1xf32>, tensor<1x6xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @pow
// CHECK-SAME: -> tensor<3xf32>
func.func @pow(%a: tensor<3xf32>, %b: tensor<f32>) -> (tensor<?xf32>) {
  %r = nn.pow %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @min
// CHECK-SAME: -> tensor<2x3xf32>
func.func @min(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> (tensor<?x?xf32>) {
  %r = nn.min %a, %b : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @max
// CHECK-SAME: -> tensor<2x3xi64>
func.func @max(%a: tensor<2x3xi64>, %b: tensor<3xi64>) -> (tensor<?x?xi64>) {
  %r = nn.max %a, %b : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<?x?xi64>
  return %r : tensor<?x?xi64>
}

// -----

// CHECK-LABEL: func.func @equal
// CHECK-SAME: -> tensor<2x3xi1>
func.func @equal(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<?x?xi1>) {
  %r = nn.equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x?xi1>
  return %r : tensor<?x?xi1>
}

// -----

// CHECK-LABEL: func.func @less
// CHECK-SAME: -> tensor<2x3xi1>
func.func @less(%a: tensor<2x3xf32>, %b: tensor<1xf32>) -> (tensor<?x?xi1>) {
  %r = nn.less %a, %b : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<?x?xi1>
  return %r : tensor<?x?xi1>
}

// -----

// CHECK-LABEL: func.func @greater
// CHECK-SAME: -> tensor<2x3xi1>
func.func @greater(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> (tensor<?x?xi1>) {
  %r = nn.greater %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<?x?xi1>
  return %r : tensor<?x?xi1>
}

// -----

// CHECK-LABEL: func.func @where
// CHECK-SAME: -> tensor<4x3xf32>
func.func @where(%c: tensor<4x1xi1>, %a: tensor<3xf32>, %b: tensor<f32>) -> (tensor<?x?xf32>) {
  %r = nn.where %c, %a, %b : (tensor<4x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME: -> tensor<5x4x2x7xf32>
func.func @matmul_batched(%a: tensor<5x1x2x3xf32>, %b: tensor<4x3x7xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.matmul %a, %b : (tensor<5x1x2x3xf32>, tensor<4x3x7xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_vector
// CHECK-SAME: -> tensor<7xf32>
func.func @matmul_vector(%a: tensor<3xf32>, %b: tensor<3x7xf32>) -> (tensor<?xf32>) {
  %r = nn.matmul %a, %b : (tensor<3xf32>, tensor<3x7xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @gemm
// CHECK-SAME: -> tensor<4x5xf32>
func.func @gemm(%a: tensor<6x4xf32>, %b: tensor<5x6xf32>) -> (tensor<?x?xf32>) {
  %r = nn.gemm %a, %b {transA = 1, transB = 1} : (tensor<6x4xf32>, tensor<5x6xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @conv
// CHECK-SAME: -> tensor<1x6x5x3xf32>
func.func @conv(%x: tensor<1x4x9x9xf32>, %w: tensor<6x2x3x3xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>, dilations = array<i64: 1, 2>, group = 2} : (tensor<1x4x9x9xf32>, tensor<6x2x3x3xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// Channels last: input [N, H, W, C], weight [KH, KW, C/group, F], result [N, OH, OW, F].
// CHECK-LABEL: func.func @conv_channels_last
// CHECK-SAME: -> tensor<1x5x3x6xf32>
func.func @conv_channels_last(%x: tensor<1x9x9x4xf32>, %w: tensor<3x3x2x6xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>, dilations = array<i64: 1, 2>, group = 2, channels_last = true} : (tensor<1x9x9x4xf32>, tensor<3x3x2x6xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: -> tensor<1x3x8x7xf32>
func.func @conv_transpose(%x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x3xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 0>} : (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: -> tensor<2x3x4xf32>
func.func @batch_norm(%x: tensor<2x3x4xf32>, %p: tensor<3xf32>) -> (tensor<?x?x?xf32>) {
  %r = nn.batch_norm %x, %p, %p, %p, %p : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: -> tensor<2x3x4xf32>
func.func @layer_norm(%x: tensor<2x3x4xf32>, %p: tensor<3x4xf32>) -> (tensor<?x?x?xf32>) {
  %r = nn.layer_norm %x, %p {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool_ceil
// CHECK-SAME: -> tensor<1x2x4x4xf32>
func.func @max_pool_ceil(%x: tensor<1x2x7x7xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 1} : (tensor<1x2x7x7xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @average_pool
// CHECK-SAME: -> tensor<1x2x4x4xf32>
func.func @average_pool(%x: tensor<1x2x7x7xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x7x7xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @global_average_pool
// CHECK-SAME: -> tensor<2x3x1x1xf32>
func.func @global_average_pool(%x: tensor<2x3x5x5xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.global_average_pool %x : (tensor<2x3x5x5xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @pools_channels_last
// CHECK-SAME: -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<2x1x1x3xf32>)
func.func @pools_channels_last(%x: tensor<1x7x7x2xf32>, %y: tensor<2x5x5x3xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) {
  %m = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 1, channels_last = true} : (tensor<1x7x7x2xf32>) -> tensor<?x?x?x?xf32>
  %a = nn.average_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, channels_last = true} : (tensor<1x7x7x2xf32>) -> tensor<?x?x?x?xf32>
  %g = nn.global_average_pool %y {channels_last = true} : (tensor<2x5x5x3xf32>) -> tensor<?x?x?x?xf32>
  return %m, %a, %g : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @flatten
// CHECK-SAME: -> tensor<6x20xf32>
func.func @flatten(%x: tensor<2x3x4x5xf32>) -> (tensor<?x?xf32>) {
  %r = nn.flatten %x {axis = 2 : i64} : (tensor<2x3x4x5xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: -> tensor<2x6x2xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> (tensor<?x?x?xf32>) {
  %s = nn.constant dense<[0, -1, 2]> : tensor<3xi64>
  %r = nn.reshape %x, %s : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: -> tensor<3x4x2xf32>
func.func @transpose(%x: tensor<2x3x4xf32>) -> (tensor<?x?x?xf32>) {
  %r = nn.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze
// CHECK-SAME: -> tensor<3x4xf32>
func.func @squeeze(%x: tensor<1x3x1x4xf32>) -> (tensor<?x?xf32>) {
  %r = nn.squeeze %x {axes = array<i64>} : (tensor<1x3x1x4xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze
// CHECK-SAME: -> tensor<1x3x4x1xf32>
func.func @unsqueeze(%x: tensor<3x4xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.unsqueeze %x {axes = array<i64: 0, -1>} : (tensor<3x4xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-SAME: -> tensor<2x8xf32>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> (tensor<?x?xf32>) {
  %r = nn.concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK-SAME: -> (tensor<2x2xf32>, tensor<4x2xf32>)
func.func @split(%x: tensor<6x2xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %r:2 = nn.split %x {axis = 0 : i64, split = array<i64: 2, 4>} : (tensor<6x2xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
  return %r#0, %r#1 : tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-SAME: -> tensor<3x4xf32>
func.func @slice(%x: tensor<10x8xf32>) -> (tensor<?x?xf32>) {
  %r = nn.slice %x {starts = array<i64: -3, 7>, ends = array<i64: 100, 0>, axes = array<i64: 0, 1>, steps = array<i64: 1, -2>} : (tensor<10x8xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @gather
// CHECK-SAME: -> tensor<5x2x3x7xf32>
func.func @gather(%x: tensor<5x6x7xf32>, %i: tensor<2x3xi64>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.gather %x, %i {axis = 1 : i64} : (tensor<5x6x7xf32>, tensor<2x3xi64>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @shape
// CHECK-SAME: -> tensor<2xi64>
func.func @shape(%x: tensor<5x6x7xf32>) -> (tensor<?xi64>) {
  %r = nn.shape %x {start = 1 : i64} : (tensor<5x6x7xf32>) -> tensor<?xi64>
  return %r : tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @constant_of_shape
// CHECK-SAME: -> tensor<2x3xi32>
func.func @constant_of_shape() -> (tensor<?x?xi32>) {
  %s = nn.constant dense<[2, 3]> : tensor<2xi64>
  %r = nn.constant_of_shape %s {value = dense<7> : tensor<1xi32>} : (tensor<2xi64>) -> tensor<?x?xi32>
  return %r : tensor<?x?xi32>
}

// -----

// CHECK-LABEL: func.func @expand
// CHECK-SAME: -> tensor<2x3x4xf32>
func.func @expand(%x: tensor<3x1xf32>) -> (tensor<?x?x?xf32>) {
  %s = nn.constant dense<[2, 1, 4]> : tensor<3xi64>
  %r = nn.expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @tile
// CHECK-SAME: -> tensor<6x6xf32>
func.func @tile(%x: tensor<2x3xf32>) -> (tensor<?x?xf32>) {
  %s = nn.constant dense<[3, 2]> : tensor<2xi64>
  %r = nn.tile %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @pad
// CHECK-SAME: -> tensor<5x2xf32>
func.func @pad(%x: tensor<2x3xf32>) -> (tensor<?x?xf32>) {
  %r = nn.pad %x {pads = array<i64: 1, 0, 2, -1>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @resize
// CHECK-SAME: -> tensor<1x1x6x2xf32>
func.func @resize(%x: tensor<1x1x3x5xf32>) -> (tensor<?x?x?x?xf32>) {
  %r = nn.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 0.5>} : (tensor<1x1x3x5xf32>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean
// CHECK-SAME: -> tensor<1x3x1xf32>
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> (tensor<?x?x?xf32>) {
  %r = nn.reduce_mean %x {axes = array<i64: -1, 0>} : (tensor<2x3x4xf32>) -> tensor<?x?x?xf32>
  return %r : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: -> tensor<2x4xf32>
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> (tensor<?x?xf32>) {
  %r = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = 0} : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_max
// CHECK-SAME: -> tensor<f32>
func.func @reduce_max(%x: tensor<2x3x4xf32>) -> (tensor<f32>) {
  %r = nn.reduce_max %x {axes = array<i64>, keepdims = 0} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %r : tensor<f32>
}
