// RUN: openopt-opt %s --split-input-file --openopt-convert-nn-to-linalg | FileCheck %s

// An element-wise group lowers to one loop nest, and the group dissolves.
// CHECK-LABEL: func.func @elementwise_group
// CHECK-NOT: nn.fused
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.tanh
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @elementwise_group(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %g = nn.fused "elementwise" {
    %m = nn.mul %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %a = nn.add %m, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %t = nn.tanh %a : tensor<8xf32>
    nn.yield %t : tensor<8xf32>
  } : tensor<8xf32>
  return %g : tensor<8xf32>
}

// -----

// Outside a group the same ops stay separate loops at this stage.
// CHECK-LABEL: func.func @ungrouped
// CHECK-COUNT-3: linalg.generic
func.func @ungrouped(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %m = nn.mul %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %a = nn.add %m, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %t = nn.tanh %a : tensor<8xf32>
  return %t : tensor<8xf32>
}

// -----

// An epilogue group: the matmul stays a named op (the matmul schedule
// tiles it); bias and activation become one loop after it.
// CHECK-LABEL: func.func @epilogue_group
// CHECK-NOT: nn.fused
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @epilogue_group(%x: tensor<2x4xf32>, %w: tensor<4x16xf32>, %b: tensor<16xf32>) -> tensor<2x16xf32> {
  %g = nn.fused "epilogue" {
    %m = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x16xf32>) -> tensor<2x16xf32>
    %a = nn.add %m, %b : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
    %r = nn.relu %a : tensor<2x16xf32>
    nn.yield %r : tensor<2x16xf32>
  } : tensor<2x16xf32>
  return %g : tensor<2x16xf32>
}


// -----

// A channels-last depthwise convolution computes over channel blocks
// [N, OH, OW, C/16, 16] and collapses its result: the Clip of its group takes
// the same blocked loops and fuses into it (one generic, its body the taps
// and the clamp), leaving the collapse after.
// CHECK-LABEL: func.func @depthwise_then_clip
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x4x2x16xf32>)
// CHECK-COUNT-9: math.fma
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: tensor.collapse_shape %{{.*}} : tensor<1x4x4x2x16xf32> into tensor<1x4x4x32xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @depthwise_then_clip(%x: tensor<1x6x6x32xf32>, %w: tensor<3x3x1x32xf32>) -> tensor<1x4x4x32xf32> {
  %g = nn.fused "epilogue" {
    %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 32, channels_last = true} : (tensor<1x6x6x32xf32>, tensor<3x3x1x32xf32>) -> tensor<1x4x4x32xf32>
    %r = nn.clip %c {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x4x4x32xf32>
    nn.yield %r : tensor<1x4x4x32xf32>
  } : tensor<1x4x4x32xf32>
  return %g : tensor<1x4x4x32xf32>
}

// -----

// A matmul whose input is the collapsed result of an element-wise op (a
// transformer's LayerNorm before its feed-forward layer) stays a named
// matmul: folding the reshape into it would turn it into a generic with a
// reduction, which the matmul schedule does not recognise.
// CHECK-LABEL: func.func @matmul_after_collapse
// CHECK: linalg.generic
// CHECK: math.tanh
// CHECK: tensor.collapse_shape
// CHECK: linalg.matmul
// CHECK: arith.maximumf
func.func @matmul_after_collapse(%x: tensor<1x4x8xf32>, %w: tensor<8x16xf32>) -> tensor<1x4x16xf32> {
  %t = nn.tanh %x : tensor<1x4x8xf32>
  %g = nn.fused "epilogue" {
    %m = nn.matmul %t, %w : (tensor<1x4x8xf32>, tensor<8x16xf32>) -> tensor<1x4x16xf32>
    %r = nn.relu %m : tensor<1x4x16xf32>
    nn.yield %r : tensor<1x4x16xf32>
  } : tensor<1x4x16xf32>
  return %g : tensor<1x4x16xf32>
}

// -----

// A max pool read by a group and by another op: the group's add does not
// take the pool's window into its loop (it would compute the pool again,
// nine gathers per element, while the other user still reads the stored
// result); it reads the pooled tensor.
// CHECK-LABEL: func.func @shared_pool_not_recomputed
// CHECK: %[[POOL:[0-9]+]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x4x4xf32>)
// CHECK-COUNT-8: arith.cmpf ogt
// CHECK: math.tanh
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[POOL]] :
// CHECK-NOT: tensor.extract
// CHECK: arith.addf
// CHECK: return
func.func @shared_pool_not_recomputed(%x: tensor<1x4x8x8xf32>, %y: tensor<1x4x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %p = nn.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %t = nn.tanh %p : tensor<1x4x4x4xf32>
  %g = nn.fused "elementwise" {
    %a = nn.add %y, %p : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
    nn.yield %a : tensor<1x4x4x4xf32>
  } : tensor<1x4x4x4xf32>
  return %g, %t : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// A cheap shared producer (a ReLU) is still fused into the group's add:
// recomputing one max is cheaper than reading its stored result.
// CHECK-LABEL: func.func @shared_relu_recomputed
// CHECK: linalg.generic {{.*}} ins(%arg0 :
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%arg1, %arg0 :
// CHECK: arith.maximumf
// CHECK: arith.addf
func.func @shared_relu_recomputed(%x: tensor<16xf32>, %y: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %r = nn.relu %x : tensor<16xf32>
  %g = nn.fused "elementwise" {
    %a = nn.add %y, %r : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
    nn.yield %a : tensor<16xf32>
  } : tensor<16xf32>
  return %g, %r : tensor<16xf32>, tensor<16xf32>
}
