// RUN: openopt-opt %s --split-input-file --verify-diagnostics --openopt-instrument-profile | FileCheck %s

// Each nn op and each group as a whole sits between the hooks; constants,
// the ops inside the group and the return do not. The op table gives each
// id its graph node id, op, group kind, ONNX names and cost.
// CHECK-LABEL: module attributes {openopt.profile_ops = [
// CHECK-SAME: {bytes = 548 : i64, flops = 1824 : i64, id = "conv+relu", index = 0 : i64, kind = "epilogue", names = ["conv", "relu"], op = "nn.fused"},
// CHECK-SAME: {bytes = 384 : i64, flops = 48 : i64, id = "neg", index = 1 : i64, names = ["neg"], op = "nn.neg"},
// A name-less op (hand-written IR) is known by its position in the file.
// CHECK-SAME: {bytes = 392 : i64, flops = 0 : i64, id = "instrument-profile.mlir:{{[0-9]+}}:{{[0-9]+}}", index = 2 : i64, names = [], op = "nn.reshape"}]}
// CHECK: func.func @main
// CHECK-NEXT: nn.constant
// CHECK-NEXT: nn.constant
// CHECK-NEXT: %[[ID0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @openopt_profile_enter(%[[ID0]]) : (i64) -> ()
// CHECK-NEXT: %[[G:.*]] = nn.fused "epilogue" {
// CHECK-NEXT: nn.conv
// CHECK-NEXT: nn.relu
// CHECK-NEXT: nn.yield
// CHECK-NEXT: }
// CHECK-NEXT: call @openopt_profile_exit(%[[ID0]]) : (i64) -> ()
// CHECK-NEXT: %[[ID1:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @openopt_profile_enter(%[[ID1]])
// CHECK-NEXT: nn.neg %[[G]]
// CHECK-NEXT: call @openopt_profile_exit(%[[ID1]])
// CHECK-NEXT: nn.constant
// CHECK-NEXT: %[[ID2:.*]] = arith.constant 2 : i64
// CHECK-NEXT: call @openopt_profile_enter(%[[ID2]])
// CHECK-NEXT: nn.reshape
// CHECK-NEXT: call @openopt_profile_exit(%[[ID2]])
// CHECK-NEXT: return
// Other functions are left alone.
// CHECK: func.func @helper
// CHECK-NOT: call
// CHECK: func.func private @openopt_profile_enter(i64)
// CHECK: func.func private @openopt_profile_exit(i64)
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<48xf32> {
  %w = nn.constant dense<1.0> : tensor<3x2x3x3xf32> loc("w")
  %b = nn.constant dense<0.5> : tensor<3xf32> loc("b")
  %g = nn.fused "epilogue" {
    %c = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32> loc("conv")
    %r = nn.relu %c : tensor<1x3x4x4xf32> loc("relu")
    nn.yield %r : tensor<1x3x4x4xf32>
  } : tensor<1x3x4x4xf32> loc(fused["conv", "relu"])
  %n = nn.neg %g : tensor<1x3x4x4xf32> loc("neg")
  %s = nn.constant dense<48> : tensor<1xi64>
  %f = nn.reshape %n, %s : (tensor<1x3x4x4xf32>, tensor<1xi64>) -> tensor<48xf32>
  return %f : tensor<48xf32>
}
func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = nn.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A function of constants only: hooks declared, nothing bracketed.
// CHECK-LABEL: module attributes {openopt.profile_ops = []}
// CHECK: func.func @consts
// CHECK-NOT: call
// CHECK: return
func.func @consts() -> tensor<2xf32> {
  %c = nn.constant dense<1.0> : tensor<2xf32>
  return %c : tensor<2xf32>
}

// -----

// Hooks the module already declares with the right type are reused.
// CHECK-LABEL: func.func private @openopt_profile_enter(i64)
// CHECK: func.func @main
// CHECK: call @openopt_profile_enter
// CHECK-NOT: func.func private @openopt_profile_enter
func.func private @openopt_profile_enter(i64)
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = nn.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// expected-error @below {{openopt-instrument-profile: the module has no public function with a body}}
module {
  func.func private @f(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

module {
  // expected-error @below {{openopt-instrument-profile: @openopt_profile_exit is taken; the profiling hook must be an external (i64) -> () function}}
  func.func private @openopt_profile_exit(i32)
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %r = nn.relu %x : tensor<4xf32>
    return %r : tensor<4xf32>
  }
}

// -----

// expected-error @below {{openopt-instrument-profile: the module is already instrumented (it has 'openopt.profile_ops')}}
module attributes {openopt.profile_ops = []} {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %r = nn.relu %x : tensor<4xf32>
    return %r : tensor<4xf32>
  }
}

// -----

// A channels-last convolution: the filters are the weight's last axis, so
// 64 outputs x (2 x 18 + 1) = 2368 FLOPs (not 64 x 49, from its first axis).
// CHECK: {bytes = 688 : i64, flops = 2368 : i64, id = "conv_nhwc"
func.func @main(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<3x3x2x4xf32>
  %b = nn.constant dense<0.5> : tensor<4xf32>
  %c = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x4x4x2xf32>, tensor<3x3x2x4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32> loc("conv_nhwc")
  return %c : tensor<1x4x4x4xf32>
}
