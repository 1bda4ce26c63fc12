// A recorded compile lists its passes, marks the ones that changed the IR,
// and shows one pass's unified diff with the ops it replaced, by identity.
// RUN: rm -rf %t && openopt opt %s --pipeline 'func.func(canonicalize,openopt-fold-batchnorm,cse)' --record %t -o /dev/null
// RUN: openopt diff %t | FileCheck %s --check-prefix=LIST
// RUN: openopt diff %t --only-changed | FileCheck %s --check-prefix=CHANGED
// RUN: openopt diff %t --pass 1 | FileCheck %s --check-prefix=DIFF
// RUN: not openopt diff %t --pass 9 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not openopt diff %t.missing 2>&1 | FileCheck %s --check-prefix=MISSING

// LIST: pipeline: func.func(canonicalize,openopt-fold-batchnorm,cse)
// LIST-NEXT: 0 canonicalize{{.*}}func.func @main{{.*}}ms ops 5 -> 5 changed
// LIST-NEXT: 1 openopt-fold-batchnorm{{.*}}ops 5 -> 4 changed
// LIST-NEXT: 2 cse{{.*}}ops 4 -> 4{{$}}

// CHANGED: 0 canonicalize
// CHANGED-NEXT: 1 openopt-fold-batchnorm
// CHANGED-NOT: cse

// DIFF: ops of @main:
// DIFF-NEXT: conv1 (nn.conv) + bn1 (nn.batch_norm) -> conv1+bn1 (nn.conv)
// DIFF: --- @main before openopt-fold-batchnorm
// DIFF-NEXT: +++ @main after openopt-fold-batchnorm
// DIFF: -{{.*}}nn.batch_norm
// DIFF: +{{.*}}nn.conv

// RANGE: error: --pass 9: the record has 3 passes (0 to 2)
// MISSING: error: cannot read '{{.*}}record.json'

func.func @main(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %p = nn.constant dense<1.0> : tensor<2xf32>
  %y = nn.batch_norm %c, %p, %p, %p, %p : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("bn1")
  return %y : tensor<1x2x4x4xf32>
}
