// RUN: openopt-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg,canonicalize))' | FileCheck %s
// RUN: openopt-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg,canonicalize))' --mlir-print-local-scope | FileCheck %s --check-prefix=MAPS

// Broadcasting element-wise ops become one parallel generic per op; the
// smaller operand is read through a map that drops its missing dims.
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BCAST]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// x^2 is strength-reduced to a multiply (powf does not vectorize).
// CHECK-LABEL: func.func @pow_square
// CHECK-NOT: math.powf
// CHECK: arith.mulf %[[X:.*]], %[[X]]
func.func @pow_square(%a: tensor<4xf32>) -> tensor<4xf32> {
  %two = nn.constant dense<2.0> : tensor<f32>
  %0 = nn.pow %a, %two : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Gemm with C: the matmul starts from zero without reading its output
// (openopt.zero_init) and C is added after, fused with what follows; transB
// is a linalg.transpose of B.
// CHECK-LABEL: func.func @gemm_bias
// CHECK: linalg.transpose
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[MM:.*]] = linalg.matmul {openopt.zero_init} ins({{.*}}) outs(%[[ZERO]] : tensor<4x16xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[MM]], %arg2 : tensor<4x16xf32>, tensor<16xf32>)
// CHECK: arith.addf
func.func @gemm_bias(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>, %c: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = nn.gemm %a, %b, %c {transB = 1} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// N = 784 (28x28 pixels) is 16 past a multiple of 32: padded to 800 (2% more
// columns) so that the register tile holds two AVX-512 vectors per row. 24
// (a one-ymm tile, a quarter of the FMA rate) becomes 32; 16 would need 32,
// twice the columns for twice the rate, and stays. A multiple of 48 is three
// AVX-512 vectors and stays too (144, not 160); 36 becomes 48, not 64.
// CHECK-LABEL: func.func @pad_to_32
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<4x800xf32>)
// CHECK: tensor.extract_slice {{.*}} [4, 784] [1, 1] : tensor<4x800xf32> to tensor<4x784xf32>
// CHECK-LABEL: func.func @pad_24_to_32
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<4x32xf32>)
// CHECK: tensor.extract_slice {{.*}} [4, 24] [1, 1] : tensor<4x32xf32> to tensor<4x24xf32>
// CHECK-LABEL: func.func @not_worth_32
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<4x16xf32>)
// CHECK-LABEL: func.func @keeps_144
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<4x144xf32>)
// CHECK-NOT: tensor.extract_slice
// CHECK-LABEL: func.func @pad_36_to_48
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<4x48xf32>)
// CHECK: tensor.extract_slice {{.*}} [4, 36] [1, 1] : tensor<4x48xf32> to tensor<4x36xf32>
func.func @pad_to_32(%a: tensor<4x8xf32>, %b: tensor<8x784xf32>) -> tensor<4x784xf32> {
  %0 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x784xf32>) -> tensor<4x784xf32>
  return %0 : tensor<4x784xf32>
}
func.func @pad_24_to_32(%a: tensor<4x8xf32>, %b: tensor<8x24xf32>) -> tensor<4x24xf32> {
  %0 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x24xf32>) -> tensor<4x24xf32>
  return %0 : tensor<4x24xf32>
}
func.func @not_worth_32(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
func.func @keeps_144(%a: tensor<4x8xf32>, %b: tensor<8x144xf32>) -> tensor<4x144xf32> {
  %0 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x144xf32>) -> tensor<4x144xf32>
  return %0 : tensor<4x144xf32>
}
func.func @pad_36_to_48(%a: tensor<4x8xf32>, %b: tensor<8x36xf32>) -> tensor<4x36xf32> {
  %0 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x36xf32>) -> tensor<4x36xf32>
  return %0 : tensor<4x36xf32>
}

// -----

// M = 196 (14x14 pixels) is a multiple of 4 but not of 16: 12 zero rows
// make 208, so the register tile has 8 rows and two threads split M into
// 104s. M = 192 and M = 100 (under 128 rows) are left alone.
// CHECK-LABEL: func.func @pad_rows_to_16
// CHECK: tensor.pad %{{.*}} low[0, 0] high[12, 0]
// CHECK: linalg.matmul {openopt.zero_init} {{.*}} outs(%{{.*}} : tensor<208x32xf32>)
// CHECK: tensor.extract_slice {{.*}} [196, 32] [1, 1] : tensor<208x32xf32> to tensor<196x32xf32>
// CHECK-LABEL: func.func @rows_of_16
// CHECK-NOT: tensor.pad
// CHECK: linalg.matmul {{.*}} -> tensor<192x32xf32>
// CHECK-LABEL: func.func @few_rows_of_4
// CHECK-NOT: tensor.pad
// CHECK: linalg.matmul {{.*}} -> tensor<100x32xf32>
func.func @pad_rows_to_16(%a: tensor<196x8xf32>, %b: tensor<8x32xf32>) -> tensor<196x32xf32> {
  %0 = nn.matmul %a, %b : (tensor<196x8xf32>, tensor<8x32xf32>) -> tensor<196x32xf32>
  return %0 : tensor<196x32xf32>
}
func.func @rows_of_16(%a: tensor<192x8xf32>, %b: tensor<8x32xf32>) -> tensor<192x32xf32> {
  %0 = nn.matmul %a, %b : (tensor<192x8xf32>, tensor<8x32xf32>) -> tensor<192x32xf32>
  return %0 : tensor<192x32xf32>
}
func.func @few_rows_of_4(%a: tensor<100x8xf32>, %b: tensor<8x32xf32>) -> tensor<100x32xf32> {
  %0 = nn.matmul %a, %b : (tensor<100x8xf32>, tensor<8x32xf32>) -> tensor<100x32xf32>
  return %0 : tensor<100x32xf32>
}

// -----

// M = 49 (7x7 pixels, or tokens) would get a one-row register tile: A gets
// 7 zero rows, the product is sliced back to 49 rows, and the zero-init
// mark stays on the padded matmul. M = 4 is left alone. With a dynamic N the
// rows are left alone too.
// CHECK-LABEL: func.func @pad_rows_to_8
// CHECK: tensor.pad %{{.*}} low[0, 0] high[7, 0]
// CHECK: linalg.matmul {openopt.zero_init} {{.*}} outs(%{{.*}} : tensor<56x32xf32>)
// CHECK: tensor.extract_slice {{.*}} [49, 32] [1, 1] : tensor<56x32xf32> to tensor<49x32xf32>
// CHECK-LABEL: func.func @rows_with_dynamic_n
// CHECK-NOT: tensor.pad
// CHECK: linalg.matmul {{.*}} -> tensor<49x?xf32>
func.func @pad_rows_to_8(%a: tensor<49x8xf32>, %b: tensor<8x32xf32>) -> tensor<49x32xf32> {
  %0 = nn.matmul %a, %b : (tensor<49x8xf32>, tensor<8x32xf32>) -> tensor<49x32xf32>
  return %0 : tensor<49x32xf32>
}
func.func @rows_with_dynamic_n(%a: tensor<49x8xf32>, %b: tensor<8x?xf32>) -> tensor<49x?xf32> {
  %0 = nn.matmul %a, %b : (tensor<49x8xf32>, tensor<8x?xf32>) -> tensor<49x?xf32>
  return %0 : tensor<49x?xf32>
}
func.func @not_worth_32(%a: tensor<4x8xf32>, %b: tensor<8x48xf32>) -> tensor<4x48xf32> {
  %0 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x48xf32>) -> tensor<4x48xf32>
  return %0 : tensor<4x48xf32>
}

// -----

// A single row (GEMV) by a constant B: N = 1000 is padded to 1024 (waste
// <= 1/8) so that the schedule can keep 8 accumulators; the result is sliced
// back. A B computed at run time is not copied for that: only an N that is not
// a multiple of 8 is padded (to 16), as for any matmul.
// CHECK-LABEL: func.func @gemv_constant
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<1x1024xf32>)
// CHECK: tensor.extract_slice {{.*}} [1, 1000] [1, 1] : tensor<1x1024xf32> to tensor<1x1000xf32>
// CHECK-LABEL: func.func @gemv_runtime
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<1x1000xf32>)
// CHECK-LABEL: func.func @gemv_runtime_odd
// CHECK: linalg.matmul {{.*}} outs(%{{.*}} : tensor<1x112xf32>)
func.func @gemv_constant(%a: tensor<1x8xf32>) -> tensor<1x1000xf32> {
  %b = arith.constant dense<1.0> : tensor<1000x8xf32>
  %0 = nn.gemm %a, %b {transB = 1} : (tensor<1x8xf32>, tensor<1000x8xf32>) -> tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}
func.func @gemv_runtime(%a: tensor<1x8xf32>, %b: tensor<8x1000xf32>) -> tensor<1x1000xf32> {
  %0 = nn.gemm %a, %b : (tensor<1x8xf32>, tensor<8x1000xf32>) -> tensor<1x1000xf32>
  return %0 : tensor<1x1000xf32>
}
func.func @gemv_runtime_odd(%a: tensor<1x8xf32>, %b: tensor<8x100xf32>) -> tensor<1x100xf32> {
  %0 = nn.gemm %a, %b : (tensor<1x8xf32>, tensor<8x100xf32>) -> tensor<1x100xf32>
  return %0 : tensor<1x100xf32>
}

// -----

// A Linear layer: leading dims fold into M of one 2-D matmul.
// CHECK-LABEL: func.func @matmul_3d_by_2d
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x8x16xf32> into tensor<16x16xf32>
// CHECK: linalg.matmul {{.*}} -> tensor<16x32xf32>
// CHECK: tensor.expand_shape
func.func @matmul_3d_by_2d(%a: tensor<2x8x16xf32>, %b: tensor<16x32xf32>) -> tensor<2x8x32xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x8x16xf32>, tensor<16x32xf32>) -> tensor<2x8x32xf32>
  return %0 : tensor<2x8x32xf32>
}

// -----

// Batched attention-style products become one batch_matmul.
// CHECK-LABEL: func.func @matmul_batched
// CHECK: linalg.batch_matmul {{.*}} -> tensor<12x8x8xf32>
func.func @matmul_batched(%a: tensor<1x12x8x16xf32>, %b: tensor<1x12x16x8xf32>) -> tensor<1x12x8x8xf32> {
  %0 = nn.matmul %a, %b : (tensor<1x12x8x16xf32>, tensor<1x12x16x8xf32>) -> tensor<1x12x8x8xf32>
  return %0 : tensor<1x12x8x8xf32>
}

// -----

// Conv: pad, im2col gather, matmul of the [F, C*KH*KW] weight with the
// columns, starting from zero (openopt.zero_init); the bias is added after.
// N = 8x8 = 64 pixels is already a multiple of 16, so no padding of the
// columns.
// CHECK-DAG: #[[IM2COL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0 * 3 + d1, d2 + d4, d3 + d5)>
// CHECK-LABEL: func.func @conv3x3
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[IM2COL]]
// CHECK: linalg.matmul {openopt.zero_init} ins(%{{.*}}, %{{.*}} : tensor<4x27xf32>, tensor<27x64xf32>) outs(%{{.*}} : tensor<4x64xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>)
// CHECK: arith.addf
func.func @conv3x3(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// A 1x1 stride-1 conv needs no gather: the input already is the columns.
// 7x7 = 49 pixels are padded to 64 so the matmul vectorizes.
// CHECK-LABEL: func.func @conv1x1
// CHECK-NOT: linalg.generic
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 15]
// CHECK: linalg.matmul {{.*}} tensor<16x8xf32>, tensor<8x64xf32>
// CHECK: tensor.extract_slice {{.*}}[0, 0] [16, 49] [1, 1]
func.func @conv1x1(%x: tensor<1x8x7x7xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x7x7xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x7x7xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// -----

// Grouped convolution: one batch_matmul over the groups.
// CHECK-LABEL: func.func @conv_groups
// CHECK: linalg.batch_matmul {{.*}} tensor<2x3x18xf32>, tensor<2x18x64xf32>
func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x8x8xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x8x8xf32>
  return %0 : tensor<1x6x8x8xf32>
}

// -----

// Groups of at least 16 channels and 16 filters: one group-1 convolution
// per group (a constant weight is split at compile time, so that the routes
// that pack it still apply), each result inserted at its group's filters;
// the bias is sliced per group.
// CHECK-LABEL: func.func @conv_wide_groups
// CHECK-NOT: linalg.batch_matmul
// CHECK: %[[IN0:.*]] = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 16, 8, 8] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %arg1[0] [16] [1]
// CHECK: linalg.matmul
// CHECK: %[[OUT0:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 16, 8, 8]
// CHECK: tensor.extract_slice %arg0[0, 16, 0, 0] [1, 16, 8, 8] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %arg1[16] [16] [1]
// CHECK: linalg.matmul
// CHECK: tensor.insert_slice %{{.*}} into %[[OUT0]][0, 16, 0, 0] [1, 16, 8, 8]
// CHECK-NOT: linalg.batch_matmul
func.func @conv_wide_groups(%x: tensor<1x32x8x8xf32>, %b: tensor<32xf32>) -> tensor<1x32x8x8xf32> {
  %w = nn.constant dense<0.5> : tensor<32x16x3x3xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x32x8x8xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<1x32x8x8xf32>
  return %0 : tensor<1x32x8x8xf32>
}

// A weight computed at run time is sliced per group instead.
// CHECK-LABEL: func.func @conv_wide_groups_runtime_weight
// CHECK-NOT: linalg.batch_matmul
// CHECK: tensor.extract_slice %arg1[0, 0, 0, 0] [16, 16, 3, 3] [1, 1, 1, 1]
// CHECK: linalg.matmul
// CHECK: tensor.extract_slice %arg1[16, 0, 0, 0] [16, 16, 3, 3] [1, 1, 1, 1]
// CHECK: linalg.matmul
// CHECK-NOT: linalg.batch_matmul
func.func @conv_wide_groups_runtime_weight(%x: tensor<1x32x8x8xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x8x8xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x32x8x8xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x8x8xf32>
  return %0 : tensor<1x32x8x8xf32>
}

// -----

// Depthwise convolution (one input channel per group), stride 2: no im2col.
// The input is split into its four polyphase planes [4, 6, 5] (zero outside
// the input: the padding costs no pass of its own), then one parallel generic
// over the flattened [OH, 5] rows sums the 3x3 taps, bias first: tap (ky, kx)
// reads plane (ky%2)*2 + kx%2 at offset (ky/2)*5 + kx/2, i.e. 0, 30, 1, 60,
// 90, 61, 5, 35, 6 (plane size 30); the rows are then sliced to OW = 4.
// CHECK-LABEL: func.func @conv_depthwise
// CHECK-NOT: tensor.pad
// CHECK: scf.forall {{.*}} -> (tensor<1x4x4x6x5xf32>)
// CHECK-NOT: arith.select
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} into tensor<1x4x120xf32>
// CHECK-NOT: linalg.batch_matmul
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x20xf32>)
// CHECK: %[[Q:.*]] = linalg.index 2
// CHECK: %[[ACC:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<4xf32>
// CHECK: %[[IN:.*]] = tensor.extract %[[FLAT]][%c0, %{{.*}}, %[[Q]]]
// CHECK: %[[W:.*]] = tensor.extract %{{.*}} : tensor<4x3x3xf32>
// CHECK: math.fma %[[IN]], %[[W]], %[[ACC]]
// CHECK: arith.addi %[[Q]], %c30
// CHECK: arith.addi %[[Q]], %c1
// CHECK: arith.addi %[[Q]], %c60
// CHECK: arith.addi %[[Q]], %c90
// CHECK: arith.addi %[[Q]], %c61
// CHECK: arith.addi %[[Q]], %c5
// CHECK: arith.addi %[[Q]], %c35
// CHECK: arith.addi %[[Q]], %c6
// CHECK: math.fma
// CHECK-NOT: math.fma
// CHECK: linalg.yield
// CHECK: tensor.extract_slice {{.*}} : tensor<1x4x4x5xf32> to tensor<1x4x4x4xf32>
func.func @conv_depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Stride 2 with rows of at least 32 outputs: the same polyphase planes, then
// a generic over the output itself (dense, so a Clip can fuse into it) reading
// plane (ky%2)*2 + kx%2 at (oy + ky/2, ox + kx/2).
// CHECK-LABEL: func.func @conv_depthwise_wide_rows
// CHECK: scf.forall {{.*}} -> (tensor<1x2x4x34x33xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x32x32xf32>)
// CHECK: %[[Y:.*]] = linalg.index 2
// CHECK: %[[X:.*]] = linalg.index 3
// CHECK: tensor.extract %{{.*}}[%c0, %{{.*}}, %c0, %[[Y]], %[[X]]] : tensor<1x2x4x34x33xf32>
// CHECK: %[[X1:.*]] = arith.addi %[[X]], %c1
// CHECK: tensor.extract %{{.*}}[%c0, %{{.*}}, %c0, %[[Y]], %[[X1]]] : tensor<1x2x4x34x33xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @conv_depthwise_wide_rows(%x: tensor<1x2x64x64xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x32x32xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x2x64x64xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x32x32xf32>
  return %0 : tensor<1x2x32x32xf32>
}

// -----

// Stride 1 and a narrow output: computed over whole padded rows of the
// flattened plane (tap (ky, kx) at offset ky*8 + kx; one more zero row at the
// bottom keeps the last window in bounds), then sliced to the output width.
// A channel multiplier of 2: output channel f reads input channel f / 2.
// CHECK-LABEL: func.func @conv_depthwise_multiplier
// CHECK: tensor.pad {{.*}} low[0, 0, 1, 1] high[0, 0, 2, 1]
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} into tensor<1x2x72xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x48xf32>)
// CHECK: %[[F:.*]] = linalg.index 1
// CHECK: %[[P:.*]] = linalg.index 2
// CHECK: %[[C:.*]] = arith.divui %[[F]], %c2
// CHECK: tensor.extract %[[FLAT]][%c0, %[[C]], %[[P]]] : tensor<1x2x72xf32>
// CHECK: arith.addi %[[P]], %c1
// CHECK: arith.addi %[[P]], %c18
// CHECK: tensor.extract %[[FLAT]]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x4x6x8xf32>
// CHECK: tensor.extract_slice {{.*}}[0, 0, 0, 0] [1, 4, 6, 6] [1, 1, 1, 1] : tensor<1x4x6x8xf32> to tensor<1x4x6x6xf32>
func.func @conv_depthwise_multiplier(%x: tensor<1x2x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2} : (tensor<1x2x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// ConvTranspose with kernel = stride (no overlap): one matmul of the
// transposed weight [F*KH*KW, C] by the input [C, H*W] (25 columns padded
// to 32 like any matmul), its result
// rearranged [F, KH, KW, H, W] -> [F, H, KH, W, KW] (= [1, F, 2H, 2W]), then
// the bias; no stride-dilated input.
// CHECK-LABEL: func.func @conv_transpose_k2_s2
// CHECK-NOT: tensor.insert_slice
// CHECK: linalg.transpose ins(%{{.*}} : tensor<4x12xf32>) outs(%{{.*}} : tensor<12x4xf32>) permutation = [1, 0]
// CHECK: linalg.matmul {openopt.zero_init} ins(%{{.*}}, %{{.*}} : tensor<12x4xf32>, tensor<4x32xf32>) outs(%{{.*}} : tensor<12x32xf32>)
// CHECK: tensor.extract_slice {{.*}} : tensor<12x32xf32> to tensor<12x25xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<3x2x2x5x5xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<3x2x2x5x5xf32>) outs(%{{.*}} : tensor<3x5x2x5x2xf32>) permutation = [0, 3, 1, 4, 2]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x3x10x10xf32>
// CHECK: arith.addf
func.func @conv_transpose_k2_s2(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x2x2xf32>, %b: tensor<3xf32>) -> tensor<1x3x10x10xf32> {
  %0 = nn.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x4x5x5xf32>, tensor<4x3x2x2xf32>, tensor<3xf32>) -> tensor<1x3x10x10xf32>
  return %0 : tensor<1x3x10x10xf32>
}

// -----

// ConvTranspose 3x3 stride 2 (pads 1, output padding 1): one convolution with
// a 2x2 sub-kernel per output phase, 4 phases x 3 filters = 12 output
// channels (the phase kernel is gathered from the weight, zero past its
// edge), then the phases are interleaved into [12, 12] and cropped at the
// pads; the bias add makes the result dense.
// CHECK-LABEL: func.func @conv_transpose_k3_s2
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<12x4x2x2xf32>)
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.matmul {openopt.zero_init} ins(%{{.*}}, %{{.*}} : tensor<12x16xf32>, tensor<16x48xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x2x2x3x6x6xf32>) outs(%{{.*}} : tensor<1x3x6x2x6x2xf32>) permutation = [0, 3, 4, 1, 5, 2]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 1] [1, 3, 10, 10] [1, 1, 1, 1]
// CHECK: arith.addf
func.func @conv_transpose_k3_s2(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x10x10xf32> {
  %0 = nn.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x10x10xf32>
  return %0 : tensor<1x3x10x10xf32>
}

// -----

// A kernel smaller than the stride leaves phases without taps: the input is
// spread out by the strides instead (no phase kernel).
// CHECK-LABEL: func.func @conv_transpose_gaps
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 4, 5, 5] [1, 1, 3, 3]
// CHECK-NOT: linalg.transpose
func.func @conv_transpose_gaps(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x2x2xf32>) -> tensor<1x3x14x14xf32> {
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x4x5x5xf32>, tensor<4x3x2x2xf32>) -> tensor<1x3x14x14xf32>
  return %0 : tensor<1x3x14x14xf32>
}

// -----

// Max pooling at stride 2 reads the input's four polyphase planes [4, 5, 5]
// (-inf outside the input), then one parallel generic over the output takes
// the max of the 3x3 taps, each a unit-stride read of a plane. The planes
// are written piece by piece: per row parity, one copy takes both column
// phases of the rows inside the input ([2, 4, 3], a stride-2 read with the
// phase innermost); the columns only one phase has, and the -inf border
// (fills, no per-element select), around it. Each half of the channels is
// one iteration of a parallel loop (one parallel region for all pieces).
// The copies' reads, rows 1-4 of the even-row planes (input rows 2i + 1,
// i from 0): column 4 of the even-column plane (input column 7), column 0
// of the odd one (input column 0), then columns 1-3 of both (2j + px + 1).
// MAPS-LABEL: func.func @max_pool(
// MAPS: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2 * 2 + 1, d3 * 2 + d4 + 7)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d2, d3)>]
// MAPS: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2 * 2 + 1, d3 * 2 + d4)>,
// MAPS: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2 * 2 + 1, d3 * 2 + d4 + 1)>,
// MAPS: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2 * 2, d3 * 2 + d4 + 7)>,
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000
// CHECK: %[[PLANES:.*]] = scf.forall (%[[HALF:.*]]) in (2) {{.*}} -> (tensor<1x2x4x5x5xf32>)
// CHECK: %[[IMAGE:.*]] = tensor.extract_slice %arg0[0, %[[HALF]], 0, 0] [1, 1, 8, 8]
// CHECK: linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<1x1x1x1x5xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[IMAGE]] : tensor<1x1x8x8xf32>) outs(%{{.*}} : tensor<1x1x2x4x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 2, 0, 1] [1, 1, 2, 4, 3] [1, 1, 1, 1, 1] : tensor<1x1x2x4x3xf32> into tensor<1x1x4x5x5xf32>
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: arith.select
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-COUNT-9: tensor.extract %[[PLANES]]
// CHECK-NOT: tensor.extract
// The taps' maximum: five NaN tests (pairs), then a tree of select(a > b)
// of depth four, and NaN if any tap was NaN.
// CHECK-COUNT-5: arith.cmpf uno
// CHECK-COUNT-8: arith.cmpf ogt
// CHECK: %[[MAX:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.select %{{.*}}, %[[NAN:.*]], %[[MAX]] : f32
// CHECK-NEXT: linalg.yield %[[OUT]]
// CHECK-NOT: arith.maximumf
func.func @max_pool(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// A 1-high input with no padding above: the odd-row planes have no row
// inside the input (fill only); a copy reading input row 1 would not verify.
// CHECK-LABEL: func.func @max_pool_one_row
// CHECK: scf.forall
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x1x4xf32>)
func.func @max_pool_one_row(%x: tensor<1x2x1x8xf32>) -> tensor<1x2x1x4xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 1, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x1x8xf32>) -> tensor<1x2x1x4xf32>
  return %0 : tensor<1x2x1x4xf32>
}

// -----

// Output rows that split into an even number of chunks: a parallel loop over
// chunks of 8 output rows, each copying its 9 rows of the planes (per
// channel and plane row, the input row read 32 values at a time, masked
// past its end with the lowest value; a row outside the input is the lowest
// value: clamped read, select; split into even and odd columns, the odd ones
// one column in behind a lowest-valued padding column) and taking the max of
// the taps from them.
// CHECK-LABEL: func.func @max_pool_chunks
// CHECK-DAG: %[[NEGINF1:.*]] = arith.constant dense<0xFF800000> : vector<1xf32>
// CHECK-DAG: %[[NEGINFS:.*]] = arith.constant dense<0xFF800000> : vector<32xf32>
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: scf.forall (%[[CHUNK:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x2x16x16xf32>)
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[CHUNK]], %c8
// CHECK: tensor.empty() : tensor<1x2x4x9x17xf32>
// CHECK: scf.for %[[PC:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[PI:.*]] = %c0 to %c9 step %c1
// CHECK: arith.minsi
// CHECK: %[[CLAMPED:.*]] = arith.maxsi
// CHECK: %[[ROW0:.*]] = vector.transfer_read %arg0[%c0, %[[PC]], %[[CLAMPED]], %c0], %[[NEGINF]] {in_bounds = [true]} : tensor<1x2x32x32xf32>, vector<32xf32>
// CHECK: %[[SEL0:.*]] = arith.select %{{.*}}, %[[ROW0]], %[[NEGINFS]] : vector<32xf32>
// CHECK: %[[E0:.*]], %[[O0:.*]] = vector.deinterleave %[[SEL0]]
// CHECK: vector.transfer_write %[[E0]], %{{.*}}[%c0, %[[PC]], %c1, %[[PI]], %c0] {in_bounds = [true]}
// CHECK: vector.transfer_write %[[O0]], %{{.*}}[%c0, %[[PC]], %c0, %[[PI]], %c1] {in_bounds = [true]}
// CHECK: vector.transfer_read %arg0[%c0, %[[PC]], %[[CLAMPED]], %c32], %[[NEGINF]] : tensor<1x2x32x32xf32>, vector<32xf32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%c0, %[[PC]], %c1, %[[PI]], %c16] : vector<16xf32>
// CHECK: vector.transfer_write %[[NEGINF1]], %{{.*}}[%c0, %[[PC]], %c0, %[[PI]], %c0] {in_bounds = [true]} : vector<1xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK-COUNT-9: tensor.extract
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, 0, %[[FIRST]], 0] [1, 2, 8, 16]
func.func @max_pool_chunks(%x: tensor<1x2x32x32xf32>) -> tensor<1x2x16x16xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x32x32xf32>) -> tensor<1x2x16x16xf32>
  return %0 : tensor<1x2x16x16xf32>
}

// -----

// 3x3, stride 2, one row and column of padding, even H and W, 32 outputs a
// row: per chunk of 16 output rows, per channel and output row, each of
// the three input rows (row 2y - 1 clamped to 0) is read 32 values at a
// time and split into even and odd columns; m = max(even, odd) and
// o = max(odd) over the rows, and the output run is max(m, o shifted by
// one lane behind the previous run's last lane, -inf before the first).
// CHECK-LABEL: func.func @max_pool_column_pairs
// CHECK: %[[NEGINFS:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x2x32x32xf32>)
// CHECK:   scf.for %[[C:.*]] = %c0 to %c2 step %c1
// CHECK:     scf.for %[[Y:.*]] = %c0 to %c16 step %c1
// CHECK:       arith.maxsi
// CHECK:       %[[R0:.*]] = vector.transfer_read %arg0[%c0, %[[C]], %{{.*}}, %c0], {{.*}} : tensor<1x2x64x64xf32>, vector<32xf32>
// CHECK:       %[[E0:.*]], %[[O0:.*]] = vector.deinterleave %[[R0]]
// CHECK:       arith.maximumf %[[E0]], %[[O0]] : vector<16xf32>
// CHECK-COUNT-2: vector.deinterleave
// CHECK:       %[[SHIFT:.*]] = vector.shuffle %[[NEGINFS]], %[[ODD:.*]] [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
// CHECK:       %[[RES:.*]] = arith.maximumf %{{.*}}, %[[SHIFT]] : vector<16xf32>
// CHECK:       vector.transfer_write %[[RES]], %{{.*}}[%c0, %[[C]], %[[Y]], %c0] {in_bounds = [true]}
// CHECK-COUNT-3: vector.deinterleave
// CHECK:       vector.shuffle %[[ODD]], %{{.*}} [15, 16,
// CHECK:       vector.transfer_write %{{.*}}, %{{.*}}[%c0, %[[C]], %[[Y]], %c16] {in_bounds = [true]}
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]]
func.func @max_pool_column_pairs(%x: tensor<1x2x64x64xf32>) -> tensor<1x2x32x32xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x64x64xf32>) -> tensor<1x2x32x32xf32>
  return %0 : tensor<1x2x32x32xf32>
}

// -----

// Other strides pad with -inf and reduce over a window tensor; the window
// loops sit outside the output loops so the inner loop vectorizes.
// CHECK-LABEL: func.func @max_pool_stride1
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000
// CHECK: tensor.pad {{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[NEGINF]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]
// CHECK: arith.maximumf
func.func @max_pool_stride1(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}

// -----

// Softmax: the row's max (no NaN checks: a NaN reaches every output through
// the sum), exp(x - max) (stored once for the sum and the division to read:
// openopt.keep_stored), the sum, its inverse once a row, and a
// multiplication an element.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.maxnumf %{{.*}}, %{{.*}} fastmath<nnan>
// CHECK: linalg.generic {{.*}} attrs = {openopt.keep_stored}
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x1xf32>)
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x8xf32>)
// CHECK: arith.mulf
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = nn.softmax %x {axis = -1 : i64} : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Reshape-like ops are views: collapse to 1-D, expand to the target.
// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape
// CHECK: tensor.expand_shape
// CHECK-NOT: linalg
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %s = nn.constant dense<[4, -1]> : tensor<2xi64>
  %0 = nn.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// Gather clamps indices so a bad index cannot read outside the tensor.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: tensor.extract
func.func @gather(%x: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = nn.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Dynamic dimensions stay dynamic: sizes are read at run time.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0 : tensor<?x3xf32>
// CHECK: tensor.empty(%[[D]]) : tensor<?x3xf32>
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Unsigned tensors become signless ones with unsigned arithmetic.
// CHECK-LABEL: func.func @cast_unsigned
// CHECK-SAME: tensor<4xi8>
// CHECK: arith.uitofp %{{.*}} : i8 to f32
func.func @cast_unsigned(%x: tensor<4xui8>) -> tensor<4xf32> {
  %0 = nn.cast %x : tensor<4xui8> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Channels-last pooling over spatial sizes known only at run time is refused
// with a message saying what to do (layout conversion only makes static ops
// channels-last; NCHW pools over run-time sizes lower, see dynamic-pooling).
func.func @dynamic_pool(%x: tensor<1x?x?x1xf32>) -> tensor<1x?x?x1xf32> {
  // expected-error @+2 {{dynamic shapes must be specialised before lowering}}
  // expected-error @+1 {{failed to legalize operation 'nn.max_pool'}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x?x?x1xf32>) -> tensor<1x?x?x1xf32>
  return %0 : tensor<1x?x?x1xf32>
}

// -----

// NCHW pooling over spatial sizes known only at run time computes the output
// size from tensor.dim, checks the window fits, pads the ragged edge with the
// reduction's identity and reduces over the window.
// CHECK-LABEL: func.func @dynamic_pool_nchw
// CHECK-DAG: %[[H:.*]] = tensor.dim %arg0, %c2
// CHECK-DAG: %[[W:.*]] = tensor.dim %arg0, %c3
// CHECK: cf.assert %{{.*}}, "{{.*}}spatial dimension 0 is smaller than the pooling window"
// CHECK: cf.assert %{{.*}}, "{{.*}}spatial dimension 1 is smaller than the pooling window"
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, %{{.*}}, %{{.*}}]
// CHECK: tensor.empty(%{{.*}}, %{{.*}}) : tensor<1x1x?x?xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]
// CHECK: arith.maximumf
func.func @dynamic_pool_nchw(%x: tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x?x?xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// A 3x3 stride-1 convolution with 16+ channels and a constant kernel:
// Winograd F(2x2, 3x3). The 16x16 output is 8x8 blocks of 2x2, computed in
// parallel chunks of 4 block rows (32 blocks): per chunk, its 5 rows of the
// input's polyphase planes, per channel and plane row one read of the input
// row (a row outside the input is the padding: clamped read, select) split
// into its even and odd columns, written to their planes (the odd ones one
// column in, after the padding); the input transform, per channel and block row, reads the
// 16 elements of a run of 8 blocks as vectors and writes the 16 transformed
// entries into [16, C, 32]; one batch_matmul of the transformed kernel
// [16, F, C] (computed at compile time) with it; the output transform, per
// filter and block row, reads the 16 entries, adds the bias and writes
// each output row's two columns interleaved into the chunk's 8 rows.
// CHECK-LABEL: func.func @conv_winograd
// CHECK-NOT: tensor.pad
// CHECK: %[[U:.*]] = arith.constant dense_resource<winograd_kernel{{.*}}> : tensor<16x16x16xf32>
// CHECK: scf.forall (%[[CHUNK:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<1x16x16x16xf32>)
// CHECK:   %[[FIRST:.*]] = arith.muli %[[CHUNK]], %c4
// CHECK:   tensor.empty() : tensor<1x16x4x5x9xf32>
// CHECK:   scf.for %[[PC:.*]] = %c0 to %c16 step %c1
// CHECK:     scf.for %[[PI:.*]] = %c0 to %c5 step %c1
// CHECK:       %[[ROW:.*]] = arith.addi %[[FIRST]], %[[PI]]
// CHECK:       arith.cmpi sge
// CHECK:       arith.cmpi sle
// CHECK:       arith.minsi
// CHECK:       %[[CLAMPED:.*]] = arith.maxsi
// CHECK:       %[[ROWVALS:.*]] = vector.transfer_read %arg0[%c0, %[[PC]], %[[CLAMPED]], %c0], %{{.*}} : tensor<1x16x16x16xf32>, vector<32xf32>
// CHECK:       %[[SEL:.*]] = arith.select %{{.*}}, %[[ROWVALS]], %{{.*}} : vector<32xf32>
// CHECK:       %[[EVEN:.*]], %[[ODD:.*]] = vector.deinterleave %[[SEL]] : vector<32xf32> -> vector<16xf32>
// CHECK:       vector.transfer_write %[[EVEN]], %{{.*}}[%c0, %[[PC]], %c1, %[[PI]], %c0] : vector<16xf32>, tensor<1x16x4x5x9xf32>
// CHECK:       vector.transfer_write %[[ODD]], %{{.*}}[%c0, %[[PC]], %c0, %[[PI]], %c1] : vector<16xf32>, tensor<1x16x4x5x9xf32>
// CHECK:       vector.transfer_write %{{.*}}, %{{.*}}[%c0, %[[PC]], %c0, %[[PI]], %c0] {in_bounds = [true]} : vector<1xf32>, tensor<1x16x4x5x9xf32>
// CHECK:   %[[V:.*]] = scf.for %[[C:.*]] = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<16x16x32xf32>)
// CHECK:     scf.for %[[TY:.*]] = %c0 to %c4 step %c1
// CHECK-COUNT-16: vector.transfer_read %{{.*}}[%c0, %[[C]], %{{.*}}, %{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<1x16x4x5x9xf32>, vector<8xf32>
// CHECK-NOT:      vector.transfer_read
// CHECK:          vector.transfer_write %{{.*}}[%c0, %[[C]], %{{.*}}] {in_bounds = [true]} : vector<8xf32>, tensor<16x16x32xf32>
// CHECK-COUNT-15: vector.transfer_write {{.*}} : vector<8xf32>, tensor<16x16x32xf32>
// CHECK:   %[[M:.*]] = linalg.batch_matmul {openopt.zero_init} ins(%[[U]], %[[V]] : tensor<16x16x16xf32>, tensor<16x16x32xf32>)
// CHECK:   scf.for %[[F:.*]] = %c0 to %c16 step %c1 iter_args({{.*}}) -> (tensor<16x8x16xf32>)
// CHECK:     scf.for
// CHECK:       tensor.extract %arg1[%[[F]]]
// CHECK-COUNT-16: vector.transfer_read %[[M]]
// CHECK:          vector.interleave {{.*}} : vector<8xf32> -> vector<16xf32>
// CHECK:          vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<16x8x16xf32>
// CHECK:          vector.interleave
// CHECK:          vector.transfer_write
// CHECK-NOT:      vector.transfer_write
// CHECK:   %[[ROWS:.*]] = arith.muli %[[CHUNK]], %c8
// CHECK:   tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, 0, %[[ROWS]], 0] [1, 16, 8, 16]
// CHECK-NOT: linalg.matmul
func.func @conv_winograd(%x: tensor<1x16x16x16xf32>, %b: tensor<16xf32>) -> tensor<1x16x16x16xf32> {
  %w = nn.constant dense<0.5> : tensor<16x16x3x3xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x16x16x16xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
  return %0 : tensor<1x16x16x16xf32>
}

// -----

// The same convolution with a kernel known only at run time, or with fewer
// than 16 input channels, stays im2col + matmul.
// CHECK-LABEL: func.func @conv_not_winograd
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul {{.*}} tensor<16x144xf32>, tensor<144x256xf32>
// CHECK: linalg.matmul {{.*}} tensor<16x72xf32>, tensor<72x256xf32>
func.func @conv_not_winograd(%x: tensor<1x16x16x16xf32>, %w: tensor<16x16x3x3xf32>, %y: tensor<1x8x16x16xf32>) -> (tensor<1x16x16x16xf32>, tensor<1x16x16x16xf32>) {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x16x16x16xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x16x16xf32>
  %w8 = nn.constant dense<0.5> : tensor<16x8x3x3xf32>
  %1 = nn.conv %y, %w8 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x16x16xf32>
  return %0, %1 : tensor<1x16x16x16xf32>, tensor<1x16x16x16xf32>
}

// -----

// Resize with static shapes and scales: each resized axis's source taps and
// linear weights are tables computed at compile time; the loop gathers and
// blends. half_pixel x2 of 2 samples: sources -0.25, 0.25, 0.75, 1.25 (the
// high taps, all 1, fold away).
// CHECK-LABEL: func.func @resize_linear_tables
// CHECK-DAG: arith.constant dense<[0, 0, 0, 1]> : tensor<4xi32>
// CHECK-DAG: arith.constant dense<[0.000000e+00, 2.500000e-01, 7.500000e-01, 2.500000e-01]> : tensor<4xf32>
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK-NOT: math.floor
func.func @resize_linear_tables(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = nn.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "linear"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Nearest (round_prefer_floor), asymmetric x2: sources 0, 0.5, 1, 1.5.
// CHECK-LABEL: func.func @resize_nearest_tables
// CHECK: arith.constant dense<[0, 0, 1, 1]> : tensor<4xi32>
// CHECK: linalg.generic
// CHECK-COUNT-1: tensor.extract %arg0
// CHECK-NOT: math.ceil
func.func @resize_nearest_tables(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = nn.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = "nearest", coordinate_transformation_mode = "asymmetric"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Depthwise, stride 2, into a map narrower than one AVX-512 vector with at
// least 64 channels: transposed to channels-last, summed along the channels
// ([N, OH, OW, C/16, 16]), transposed back with the bias added on the way.
// CHECK-LABEL: func.func @depthwise_stride2_small_map
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<1x64x14x14xf32>) outs(%{{.*}} : tensor<1x14x14x64xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<64x1x3x3xf32>) outs(%{{.*}} : tensor<3x3x1x64xf32>)
// CHECK: tensor.pad %{{.*}} low[0, 2, 1, 0] high[0, 0, 1, 0]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x7x7x4x16xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %arg1 : tensor<1x7x7x64xf32>, tensor<64xf32>) outs(%{{.*}} : tensor<1x64x7x7xf32>)
func.func @depthwise_stride2_small_map(%x: tensor<1x64x14x14xf32>, %b: tensor<64xf32>) -> tensor<1x64x7x7xf32> {
  %w = nn.constant dense<0.5> : tensor<64x1x3x3xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 2, 1, 0, 1>, dilations = array<i64: 1, 1>, group = 64} : (tensor<1x64x14x14xf32>, tensor<64x1x3x3xf32>, tensor<64xf32>) -> tensor<1x64x7x7xf32>
  return %0 : tensor<1x64x7x7xf32>
}
