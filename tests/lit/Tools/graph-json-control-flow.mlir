// openopt graph: an If's branches and a Loop's body are nested groups; each
// op inside names its region, and edges reach it from the values it reads
// outside.
// RUN: openopt graph %s | FileCheck %s

// The condition feeds the If; the branch ops read %x from the main graph;
// the loop body reads the If's result.
// CHECK: "edges": [
// CHECK: "source": "input:cond",
// CHECK-NEXT: "sourceResult": 0,
// CHECK-NEXT: "target": "[[IF:[^"]*]]",
// CHECK: "source": "input:x",
// CHECK-NEXT: "sourceResult": 0,
// CHECK-NEXT: "target": "[[MUL:[^"]*]]",
// CHECK: "source": "input:x",
// CHECK-NEXT: "sourceResult": 0,
// CHECK-NEXT: "target": "[[NEG:[^"]*]]",
// CHECK: "source": "[[IF]]",
// CHECK-NEXT: "sourceResult": 0,
// CHECK-NEXT: "target": "[[ADD:[^"]*]]",
// CHECK: "nodes": [
// CHECK: "children": [
// CHECK: "id": "[[MUL]]",
// CHECK: "op": "nn.mul",
// CHECK-NEXT: "region": "then_branch",
// CHECK: "id": "[[NEG]]",
// CHECK: "op": "nn.neg",
// CHECK-NEXT: "region": "else_branch",
// CHECK: "id": "[[IF]]",
// CHECK: "op": "nn.if",
// CHECK: "children": [
// CHECK: "id": "[[ADD]]",
// CHECK: "op": "nn.add",
// CHECK-NEXT: "region": "body",
// CHECK: "op": "nn.loop",
func.func @main(%cond: tensor<i1> {nn.name = "cond"}, %x: tensor<3xf32> {nn.name = "x"},
                %trips: tensor<i64> {nn.name = "trips"}) -> (tensor<3xf32>, tensor<3xf32>) {
  %two = nn.constant dense<2.0> : tensor<f32>
  %0 = nn.if %cond : tensor<i1> -> tensor<3xf32> {
    %m = nn.mul %x, %two : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
    nn.yield %m : tensor<3xf32>
  } else {
    %n = nn.neg %x : tensor<3xf32>
    nn.yield %n : tensor<3xf32>
  }
  %1 = nn.loop trip_count %trips : tensor<i64> (%x : tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<3xf32>):
    %s = nn.add %v, %0 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    nn.yield %c, %s : tensor<i1>, tensor<3xf32>
  }
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}
