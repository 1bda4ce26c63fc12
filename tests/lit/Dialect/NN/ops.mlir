// RUN: openopt-opt %s | openopt-opt | FileCheck %s
// Round trip of every nn op through the printer and parser.

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x3xi1>) -> tensor<2x3xf32> {
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.sub
  %1 = nn.sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.mul
  %2 = nn.mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.div
  %3 = nn.div %2, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.pow
  %4 = nn.pow %3, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.min
  %5 = nn.min %4, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.max
  %6 = nn.max %5, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.equal {{.*}} -> tensor<2x3xi1>
  %7 = nn.equal %6, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.less
  %8 = nn.less %6, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.greater
  %9 = nn.greater %6, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.not
  %10 = nn.not %9 : tensor<2x3xi1>
  // CHECK: nn.where
  %11 = nn.where %10, %6, %a : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.sqrt
  %12 = nn.sqrt %11 : tensor<2x3xf32>
  // CHECK: nn.exp
  %13 = nn.exp %12 : tensor<2x3xf32>
  // CHECK: nn.log
  %14 = nn.log %13 : tensor<2x3xf32>
  // CHECK: nn.neg
  %15 = nn.neg %14 : tensor<2x3xf32>
  // CHECK: nn.abs
  %16 = nn.abs %15 : tensor<2x3xf32>
  // CHECK: nn.reciprocal
  %17 = nn.reciprocal %16 : tensor<2x3xf32>
  // CHECK: nn.tanh
  %18 = nn.tanh %17 : tensor<2x3xf32>
  // CHECK: nn.sigmoid
  %19 = nn.sigmoid %18 : tensor<2x3xf32>
  // CHECK: nn.hard_sigmoid %{{.*}} {alpha = 3.000000e-01 : f32}
  %20 = nn.hard_sigmoid %19 {alpha = 0.3 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  // CHECK: nn.hard_swish
  %21 = nn.hard_swish %20 : tensor<2x3xf32>
  // CHECK: nn.relu
  %22 = nn.relu %21 : tensor<2x3xf32>
  // CHECK: nn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %23 = nn.leaky_relu %22 {alpha = 0.1 : f32} : tensor<2x3xf32>
  // CHECK: nn.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %24 = nn.clip %23 {min = 0.0, max = 6.0} : tensor<2x3xf32>
  // CHECK: nn.erf
  %25 = nn.erf %24 : tensor<2x3xf32>
  // CHECK: nn.gelu %{{.*}} {approximate = "tanh"}
  %26 = nn.gelu %25 {approximate = "tanh"} : tensor<2x3xf32>
  // CHECK: nn.identity
  %27 = nn.identity %26 : tensor<2x3xf32>
  // CHECK: nn.dropout
  %28 = nn.dropout %27 : tensor<2x3xf32>
  // CHECK: nn.cast %{{.*}} : tensor<2x3xf32> to tensor<2x3xi64>
  %29 = nn.cast %28 : tensor<2x3xf32> to tensor<2x3xi64>
  return %28 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @network
func.func @network(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %wg: tensor<4x2x3x3xf32>, %s8: tensor<8xf32>,
                   %m: tensor<8x16xf32>, %n: tensor<16x4xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: nn.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads
  // CHECK: nn.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64
  %c = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %cg = nn.conv %c, %wg {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nn.conv_transpose
  %t = nn.conv_transpose %c, %wg {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x16x16xf32>
  // CHECK: nn.batch_norm
  %bn = nn.batch_norm %c, %b, %b, %b, %b {epsilon = 1.0e-5 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nn.layer_norm
  %ln = nn.layer_norm %bn, %s8 {axis = -1 : i64} : (tensor<1x4x8x8xf32>, tensor<8xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: nn.softmax
  %sm = nn.softmax %ln {axis = 1 : i64} : tensor<1x4x8x8xf32>
  // CHECK: nn.max_pool
  %mp = nn.max_pool %sm {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: nn.average_pool
  %ap = nn.average_pool %sm {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = 1} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: nn.global_average_pool
  %gp = nn.global_average_pool %sm : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: nn.matmul
  %mm = nn.matmul %m, %n : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  // CHECK: nn.gemm
  %gm = nn.gemm %m, %m, %s8 {transB = 1, alpha = 0.5 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<8x8xf32>
  // CHECK: nn.reduce_mean
  %rm = nn.reduce_mean %m {axes = array<i64: 1>} : (tensor<8x16xf32>) -> tensor<8x1xf32>
  // CHECK: nn.reduce_sum
  %rs = nn.reduce_sum %m {axes = array<i64: 0>, keepdims = 0} : (tensor<8x16xf32>) -> tensor<16xf32>
  // CHECK: nn.reduce_max
  %rx = nn.reduce_max %m {axes = array<i64>} : (tensor<8x16xf32>) -> tensor<1x1xf32>
  return %mp : tensor<1x4x4x4xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %i: tensor<2xi64>) -> tensor<24xf32> {
  %shape = nn.constant dense<[24]> : tensor<1xi64>
  // CHECK: nn.reshape
  %r = nn.reshape %x, %shape : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<24xf32>
  // CHECK: nn.flatten
  %f = nn.flatten %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: nn.transpose %{{.*}} {perm = array<i64: 2, 0, 1>}
  %t = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: nn.unsqueeze
  %u = nn.unsqueeze %x {axes = array<i64: 0>} : (tensor<2x3x4xf32>) -> tensor<1x2x3x4xf32>
  // CHECK: nn.squeeze
  %s = nn.squeeze %u {axes = array<i64: 0>} : (tensor<1x2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.concat
  %c = nn.concat %x, %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  // CHECK: nn.split
  %p:2 = nn.split %c {axis = 1 : i64, split = array<i64: 2, 4>} : (tensor<2x6x4xf32>) -> (tensor<2x2x4xf32>, tensor<2x4x4xf32>)
  // CHECK: nn.slice
  %sl = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 3>, axes = array<i64: 2>, steps = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  // CHECK: nn.gather
  %g = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x2x4xf32>
  // CHECK: nn.shape
  %sh = nn.shape %x : (tensor<2x3x4xf32>) -> tensor<3xi64>
  // CHECK: nn.size
  %sz = nn.size %x : (tensor<2x3x4xf32>) -> tensor<i64>
  // CHECK: nn.constant_of_shape
  %cs = nn.constant_of_shape %sh {value = dense<1.0> : tensor<1xf32>} : (tensor<3xi64>) -> tensor<2x3x4xf32>
  // CHECK: nn.expand
  %e = nn.expand %x, %sh : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  // CHECK: nn.tile
  %tl = nn.tile %x, %sh : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<4x9x16xf32>
  // CHECK: nn.pad %{{.*}} {mode = "reflect"
  %pd = nn.pad %x {pads = array<i64: 0, 1, 1, 0, 1, 1>, mode = "reflect"} : (tensor<2x3x4xf32>) -> tensor<2x5x6xf32>
  // CHECK: nn.resize
  %rz = nn.resize %x {scales = array<f64: 1.0, 2.0, 2.0>, mode = "linear"} : (tensor<2x3x4xf32>) -> tensor<2x6x8xf32>
  return %r : tensor<24xf32>
}
