// A failing pass leaves a reproducer (the IR before the pass and the
// pipeline to replay it) and the error says where it is.
// RUN: rm -rf %t && mkdir -p %t
// RUN: env TMPDIR=%t not openopt opt %s --pipeline 'func.func(canonicalize,openopt-convert-nn-to-linalg)' 2>&1 | FileCheck %s
// RUN: cat %t/openopt-reproducer-*.mlir | FileCheck %s --check-prefix=REPRO
// RUN: not openopt-opt %t/openopt-reproducer-*.mlir --run-reproducer 2>&1 | FileCheck %s --check-prefix=REPLAY

// CHECK: error: {{.*}}reproducer.mlir:{{[0-9]+}}:{{[0-9]+}}: dynamic shapes must be specialised before lowering
// CHECK: note: reproducer written to {{.*}}openopt-reproducer-{{.*}}.mlir (replay: openopt-opt {{.*}} --run-reproducer)
// REPRO: nn.max_pool
// REPRO: pipeline: "builtin.module(func.func(openopt-convert-nn-to-linalg{vector-bits=0}))"
// REPLAY: dynamic shapes must be specialised before lowering

// Channels-last pooling over spatial sizes known only at run time is not
// lowered (layout conversion only makes static ops channels-last).
func.func @main(%x: tensor<1x?x?x1xf32>) -> tensor<1x?x?x1xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x?x?x1xf32>) -> tensor<1x?x?x1xf32>
  return %0 : tensor<1x?x?x1xf32>
}
