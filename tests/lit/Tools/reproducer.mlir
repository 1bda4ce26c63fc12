// A failing pass leaves a reproducer (the IR before the pass and the
// pipeline to replay it) and the error says where it is.
// RUN: rm -rf %t && mkdir -p %t
// RUN: env TMPDIR=%t not openopt opt %s --pipeline 'func.func(canonicalize,openopt-convert-nn-to-linalg)' 2>&1 | FileCheck %s
// RUN: cat %t/openopt-reproducer-*.mlir | FileCheck %s --check-prefix=REPRO
// RUN: not openopt-opt %t/openopt-reproducer-*.mlir --run-reproducer 2>&1 | FileCheck %s --check-prefix=REPLAY

// CHECK: error: {{.*}}reproducer.mlir:{{[0-9]+}}:{{[0-9]+}}: dynamic shapes must be specialised before lowering
// CHECK: note: reproducer written to {{.*}}openopt-reproducer-{{.*}}.mlir (replay: openopt-opt {{.*}} --run-reproducer)
// REPRO: nn.relu
// REPRO: pipeline: "builtin.module(func.func(openopt-convert-nn-to-linalg))"
// REPLAY: dynamic shapes must be specialised before lowering

func.func @main(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
