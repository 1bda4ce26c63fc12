// RUN: openopt-opt %s -split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(openopt-convert-nn-to-linalg))' | FileCheck %s
// Every op added for the ONNX backend suite lowers completely (no nn op
// left) from the form the importer builds it in (named suite model); the
// suite itself checks the numbers.


// From test_acos.
// CHECK-LABEL: func.func @acos
// CHECK-NOT: nn.
// CHECK: return
func.func @acos(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.acos %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_acosh.
// CHECK-LABEL: func.func @acosh
// CHECK-NOT: nn.
// CHECK: return
func.func @acosh(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.acosh %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_and2d.
// CHECK-LABEL: func.func @and
// CHECK-NOT: nn.
// CHECK: return
func.func @and(%arg0: tensor<3x4xi1>, %arg1: tensor<3x4xi1>) -> (tensor<3x4xi1>) {
  %0 = nn.and %arg0, %arg1 : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

// -----


// From test_argmax_default_axis_example.
// CHECK-LABEL: func.func @arg_max
// CHECK-NOT: nn.
// CHECK: return
func.func @arg_max(%arg0: tensor<2x2xf32>) -> (tensor<1x2xi64>) {
  %0 = nn.arg_max %arg0 : (tensor<2x2xf32>) -> tensor<1x2xi64>
  return %0 : tensor<1x2xi64>
}

// -----


// From test_argmin_default_axis_example.
// CHECK-LABEL: func.func @arg_min
// CHECK-NOT: nn.
// CHECK: return
func.func @arg_min(%arg0: tensor<2x2xf32>) -> (tensor<1x2xi64>) {
  %0 = nn.arg_min %arg0 : (tensor<2x2xf32>) -> tensor<1x2xi64>
  return %0 : tensor<1x2xi64>
}

// -----


// From test_asin.
// CHECK-LABEL: func.func @asin
// CHECK-NOT: nn.
// CHECK: return
func.func @asin(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.asin %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_asinh.
// CHECK-LABEL: func.func @asinh
// CHECK-NOT: nn.
// CHECK: return
func.func @asinh(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.asinh %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_atan.
// CHECK-LABEL: func.func @atan
// CHECK-NOT: nn.
// CHECK: return
func.func @atan(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.atan %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_atanh.
// CHECK-LABEL: func.func @atanh
// CHECK-NOT: nn.
// CHECK: return
func.func @atanh(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.atanh %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_bitshift_left_uint16.
// CHECK-LABEL: func.func @bit_shift
// CHECK-NOT: nn.
// CHECK: return
func.func @bit_shift(%arg0: tensor<3xui16>, %arg1: tensor<3xui16>) -> (tensor<3xui16>) {
  %0 = nn.bit_shift %arg0, %arg1 {direction = "LEFT"} : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  return %0 : tensor<3xui16>
}

// -----


// From test_ceil.
// CHECK-LABEL: func.func @ceil
// CHECK-NOT: nn.
// CHECK: return
func.func @ceil(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.ceil %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_celu.
// CHECK-LABEL: func.func @celu
// CHECK-NOT: nn.
// CHECK: return
func.func @celu(%arg0: tensor<3x3x3x1xf32>) -> (tensor<3x3x3x1xf32>) {
  %0 = nn.celu %arg0 {alpha = 2.000000e+00 : f32} : tensor<3x3x3x1xf32>
  return %0 : tensor<3x3x3x1xf32>
}

// -----


// From test_compress_0.
// CHECK-LABEL: func.func @compress
// CHECK-NOT: nn.
// CHECK: return
func.func @compress(%arg0: tensor<3x2xf32>, %arg1: tensor<3xi1>) -> (tensor<?x2xf32>) {
  %0 = nn.compress %arg0, %arg1 {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3xi1>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----


// From test_cos.
// CHECK-LABEL: func.func @cos
// CHECK-NOT: nn.
// CHECK: return
func.func @cos(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.cos %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_cosh.
// CHECK-LABEL: func.func @cosh
// CHECK-NOT: nn.
// CHECK: return
func.func @cosh(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.cosh %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_cumsum_1d.
// CHECK-LABEL: func.func @cum_sum
// CHECK-NOT: nn.
// CHECK: return
func.func @cum_sum(%arg0: tensor<5xf64>, %arg1: tensor<i32>) -> (tensor<5xf64>) {
  %0 = nn.cum_sum %arg0, %arg1 : (tensor<5xf64>, tensor<i32>) -> tensor<5xf64>
  return %0 : tensor<5xf64>
}

// -----


// From test_det_2d.
// CHECK-LABEL: func.func @det
// CHECK-NOT: nn.
// CHECK: return
func.func @det(%arg0: tensor<2x2xf32>) -> (tensor<f32>) {
  %0 = nn.det %arg0 : (tensor<2x2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----


// From test_dft.
// CHECK-LABEL: func.func @dft
// CHECK-NOT: nn.
// CHECK: return
func.func @dft(%arg0: tensor<1x10x10x1xf32>) -> (tensor<1x10x10x2xf32>) {
  %0 = nn.dft %arg0 : (tensor<1x10x10x1xf32>) -> tensor<1x10x10x2xf32>
  return %0 : tensor<1x10x10x2xf32>
}

// -----


// From test_einsum_batch_diagonal.
// CHECK-LABEL: func.func @einsum
// CHECK-NOT: nn.
// CHECK: return
func.func @einsum(%arg0: tensor<3x5x5xf64>) -> (tensor<3x5xf64>) {
  %0 = nn.einsum %arg0 {equation = "Aii->Ai"} : (tensor<3x5x5xf64>) -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}

// -----


// From test_eyelike_populate_off_main_diagonal.
// CHECK-LABEL: func.func @eye_like
// CHECK-NOT: nn.
// CHECK: return
func.func @eye_like(%arg0: tensor<4x5xi32>) -> (tensor<4x5xf32>) {
  %0 = nn.eye_like %arg0 {k = 1 : i64} : (tensor<4x5xi32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----


// From test_floor.
// CHECK-LABEL: func.func @floor
// CHECK-NOT: nn.
// CHECK: return
func.func @floor(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.floor %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_gather_elements_0.
// CHECK-LABEL: func.func @gather_elements
// CHECK-NOT: nn.
// CHECK: return
func.func @gather_elements(%arg0: tensor<2x2xf32>, %arg1: tensor<2x2xi64>) -> (tensor<2x2xf32>) {
  %0 = nn.gather_elements %arg0, %arg1 {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----


// From test_gathernd_example_float32.
// CHECK-LABEL: func.func @gather_nd
// CHECK-NOT: nn.
// CHECK: return
func.func @gather_nd(%arg0: tensor<2x2x2xf32>, %arg1: tensor<2x1x2xi64>) -> (tensor<2x1x2xf32>) {
  %0 = nn.gather_nd %arg0, %arg1 : (tensor<2x2x2xf32>, tensor<2x1x2xi64>) -> tensor<2x1x2xf32>
  return %0 : tensor<2x1x2xf32>
}

// -----


// From test_greater_equal.
// CHECK-LABEL: func.func @greater_or_equal
// CHECK-NOT: nn.
// CHECK: return
func.func @greater_or_equal(%arg0: tensor<3x4x5xf32>, %arg1: tensor<3x4x5xf32>) -> (tensor<3x4x5xi1>) {
  %0 = nn.greater_or_equal %arg0, %arg1 : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xi1>
  return %0 : tensor<3x4x5xi1>
}

// -----


// From test_gridsample.
// CHECK-LABEL: func.func @grid_sample
// CHECK-NOT: nn.
// CHECK: return
func.func @grid_sample(%arg0: tensor<1x1x4x4xf32>, %arg1: tensor<1x6x6x2xf32>) -> (tensor<1x1x6x6xf32>) {
  %0 = nn.grid_sample %arg0, %arg1 : (tensor<1x1x4x4xf32>, tensor<1x6x6x2xf32>) -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}

// -----


// From test_hardmax_axis_0.
// CHECK-LABEL: func.func @hardmax
// CHECK-NOT: nn.
// CHECK: return
func.func @hardmax(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.hardmax %arg0 {axis = 0 : i64} : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_instancenorm_epsilon.
// CHECK-LABEL: func.func @instance_norm
// CHECK-NOT: nn.
// CHECK: return
func.func @instance_norm(%arg0: tensor<2x3x4x5xf32>, %arg1: tensor<3xf32>, %arg2: tensor<3xf32>) -> (tensor<2x3x4x5xf32>) {
  %0 = nn.instance_norm %arg0, %arg1, %arg2 {epsilon = 0.00999999977 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----


// From test_isinf.
// CHECK-LABEL: func.func @is_inf
// CHECK-NOT: nn.
// CHECK: return
func.func @is_inf(%arg0: tensor<6xf32>) -> (tensor<6xi1>) {
  %0 = nn.is_inf %arg0 : (tensor<6xf32>) -> tensor<6xi1>
  return %0 : tensor<6xi1>
}

// -----


// From test_isnan.
// CHECK-LABEL: func.func @is_nan
// CHECK-NOT: nn.
// CHECK: return
func.func @is_nan(%arg0: tensor<4xf32>) -> (tensor<4xi1>) {
  %0 = nn.is_nan %arg0 : (tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----


// From test_less_equal.
// CHECK-LABEL: func.func @less_or_equal
// CHECK-NOT: nn.
// CHECK: return
func.func @less_or_equal(%arg0: tensor<3x4x5xf32>, %arg1: tensor<3x4x5xf32>) -> (tensor<3x4x5xi1>) {
  %0 = nn.less_or_equal %arg0, %arg1 : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<3x4x5xi1>
  return %0 : tensor<3x4x5xi1>
}

// -----


// From test_logsoftmax_axis_0.
// CHECK-LABEL: func.func @log_softmax
// CHECK-NOT: nn.
// CHECK: return
func.func @log_softmax(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.log_softmax %arg0 {axis = 0 : i64} : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_lrn.
// CHECK-LABEL: func.func @lrn
// CHECK-NOT: nn.
// CHECK: return
func.func @lrn(%arg0: tensor<5x5x5x5xf32>) -> (tensor<5x5x5x5xf32>) {
  %0 = nn.lrn %arg0 {alpha = 2.000000e-04 : f32, beta = 5.000000e-01 : f32, bias = 2.000000e+00 : f32, size = 3 : i64} : tensor<5x5x5x5xf32>
  return %0 : tensor<5x5x5x5xf32>
}

// -----


// From test_maxunpool_export_with_output_shape.
// CHECK-LABEL: func.func @max_unpool
// CHECK-NOT: nn.
// CHECK: return
func.func @max_unpool(%arg0: tensor<1x1x2x2xf32>, %arg1: tensor<1x1x2x2xi64>, %arg2: tensor<4xi64>) -> (tensor<?x?x?x?xf32>) {
  %0 = nn.max_unpool %arg0, %arg1, %arg2 {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----


// From test_melweightmatrix.
// CHECK-LABEL: func.func @mel_weight_matrix
// CHECK-NOT: nn.
// CHECK: return
func.func @mel_weight_matrix(%arg0: tensor<i32>, %arg1: tensor<i32>, %arg2: tensor<i32>, %arg3: tensor<f32>, %arg4: tensor<f32>) -> (tensor<?x?xf32>) {
  %0 = nn.mel_weight_matrix %arg0, %arg1, %arg2, %arg3, %arg4 : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----


// From test_mod_broadcast.
// CHECK-LABEL: func.func @mod
// CHECK-NOT: nn.
// CHECK: return
func.func @mod(%arg0: tensor<3x2x5xi32>, %arg1: tensor<1xi32>) -> (tensor<3x2x5xi32>) {
  %0 = nn.mod %arg0, %arg1 : (tensor<3x2x5xi32>, tensor<1xi32>) -> tensor<3x2x5xi32>
  return %0 : tensor<3x2x5xi32>
}

// -----


// From test_nllloss_NC.
// CHECK-LABEL: func.func @nll_loss
// CHECK-NOT: nn.
// CHECK: return
func.func @nll_loss(%arg0: tensor<3x5xf32>, %arg1: tensor<3xi64>) -> (tensor<3xf32>) {
  %0 = nn.nll_loss %arg0, %arg1 {reduction = "none"} : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----


// From test_nonmaxsuppression_center_point_box_format.
// CHECK-LABEL: func.func @non_max_suppression
// CHECK-NOT: nn.
// CHECK: return
func.func @non_max_suppression(%arg0: tensor<1x6x4xf32>, %arg1: tensor<1x1x6xf32>, %arg2: tensor<1xi64>, %arg3: tensor<1xf32>, %arg4: tensor<1xf32>) -> (tensor<?x3xi64>) {
  %0 = nn.non_max_suppression %arg0, %arg1 max %arg2 iou %arg3 score %arg4 {center_point_box = 1 : i64} : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----


// From test_nonzero_example.
// CHECK-LABEL: func.func @non_zero
// CHECK-NOT: nn.
// CHECK: return
func.func @non_zero(%arg0: tensor<2x2xi1>) -> (tensor<2x?xi64>) {
  %0 = nn.non_zero %arg0 : (tensor<2x2xi1>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----


// From test_onehot_negative_indices.
// CHECK-LABEL: func.func @one_hot
// CHECK-NOT: nn.
// CHECK: return
func.func @one_hot(%arg0: tensor<3xi64>, %arg1: tensor<f32>, %arg2: tensor<2xf32>) -> (tensor<3x?xf32>) {
  %0 = nn.one_hot %arg0, %arg1, %arg2 {axis = 1 : i64} : (tensor<3xi64>, tensor<f32>, tensor<2xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----


// From test_or2d.
// CHECK-LABEL: func.func @or
// CHECK-NOT: nn.
// CHECK: return
func.func @or(%arg0: tensor<3x4xi1>, %arg1: tensor<3x4xi1>) -> (tensor<3x4xi1>) {
  %0 = nn.or %arg0, %arg1 : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

// -----


// From test_prelu_broadcast.
// CHECK-LABEL: func.func @prelu
// CHECK-NOT: nn.
// CHECK: return
func.func @prelu(%arg0: tensor<3x4x5xf32>, %arg1: tensor<5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.prelu %arg0, %arg1 : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_bernoulli_seed.
// CHECK-LABEL: func.func @random
// CHECK-NOT: nn.
// CHECK: return
func.func @random(%arg0: tensor<10xf32>) -> (tensor<10xf32>) {
  %0 = nn.random %arg0 : tensor<10xf32> {distribution = "bernoulli", dtype = f32, seed = 0.000000e+00 : f64} -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----


// From test_range_float_type_positive_delta.
// CHECK-LABEL: func.func @range
// CHECK-NOT: nn.
// CHECK: return
func.func @range(%arg0: tensor<f32>, %arg1: tensor<f32>, %arg2: tensor<f32>) -> (tensor<?xf32>) {
  %0 = nn.range %arg0, %arg1, %arg2 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----


// From test_reduce_log_sum.
// CHECK-LABEL: func.func @reduce_log_sum
// CHECK-NOT: nn.
// CHECK: return
func.func @reduce_log_sum(%arg0: tensor<3x4x5xf32>) -> (tensor<3xf32>) {
  %0 = nn.reduce_log_sum %arg0 {axes = array<i64: 2, 1>, keepdims = 0 : i64} : (tensor<3x4x5xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----


// From test_reduce_log_sum_exp_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_log_sum_exp
// CHECK-NOT: nn.
// CHECK: return
func.func @reduce_log_sum_exp(%arg0: tensor<3x2x2xf64>) -> (tensor<1x1x1xf64>) {
  %0 = nn.reduce_log_sum_exp %arg0 {axes = array<i64>} : (tensor<3x2x2xf64>) -> tensor<1x1x1xf64>
  return %0 : tensor<1x1x1xf64>
}

// -----


// From test_reduce_min_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_min
// CHECK-NOT: nn.
// CHECK: return
func.func @reduce_min(%arg0: tensor<3x2x2xf32>) -> (tensor<1x1x1xf32>) {
  %0 = nn.reduce_min %arg0 {axes = array<i64>} : (tensor<3x2x2xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----


// From test_reduce_prod_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_prod
// CHECK-NOT: nn.
// CHECK: return
func.func @reduce_prod(%arg0: tensor<3x2x2xf32>) -> (tensor<1x1x1xf32>) {
  %0 = nn.reduce_prod %arg0 {axes = array<i64>} : (tensor<3x2x2xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----


// From test_reduce_sum_square_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_sum_square
// CHECK-NOT: nn.
// CHECK: return
func.func @reduce_sum_square(%arg0: tensor<3x2x2xf32>) -> (tensor<1x1x1xf32>) {
  %0 = nn.reduce_sum_square %arg0 {axes = array<i64>} : (tensor<3x2x2xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----


// From test_reversesequence_batch.
// CHECK-LABEL: func.func @reverse_sequence
// CHECK-NOT: nn.
// CHECK: return
func.func @reverse_sequence(%arg0: tensor<4x4xf32>, %arg1: tensor<4xi64>) -> (tensor<4x4xf32>) {
  %0 = nn.reverse_sequence %arg0, %arg1 {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----


// From test_roialign_aligned_false.
// CHECK-LABEL: func.func @roi_align
// CHECK-NOT: nn.
// CHECK: return
func.func @roi_align(%arg0: tensor<1x1x10x10xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<3xi64>) -> (tensor<3x1x5x5xf32>) {
  %0 = nn.roi_align %arg0, %arg1, %arg2 {coordinate_transformation_mode = "output_half_pixel", output_height = 5 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x5x5xf32>
  return %0 : tensor<3x1x5x5xf32>
}

// -----


// From test_round.
// CHECK-LABEL: func.func @round
// CHECK-NOT: nn.
// CHECK: return
func.func @round(%arg0: tensor<15xf32>) -> (tensor<15xf32>) {
  %0 = nn.round %arg0 : tensor<15xf32>
  return %0 : tensor<15xf32>
}

// -----


// From test_scatter_elements_with_axis.
// CHECK-LABEL: func.func @scatter_elements
// CHECK-NOT: nn.
// CHECK: return
func.func @scatter_elements(%arg0: tensor<1x5xf32>, %arg1: tensor<1x2xi64>, %arg2: tensor<1x2xf32>) -> (tensor<1x5xf32>) {
  %0 = nn.scatter_elements %arg0, %arg1, %arg2 {axis = 1 : i64} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}

// -----


// From test_scatternd.
// CHECK-LABEL: func.func @scatter_nd
// CHECK-NOT: nn.
// CHECK: return
func.func @scatter_nd(%arg0: tensor<4x4x4xf32>, %arg1: tensor<2x1xi64>, %arg2: tensor<2x4x4xf32>) -> (tensor<4x4x4xf32>) {
  %0 = nn.scatter_nd %arg0, %arg1, %arg2 : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0 : tensor<4x4x4xf32>
}

// -----


// From test_selu.
// CHECK-LABEL: func.func @selu
// CHECK-NOT: nn.
// CHECK: return
func.func @selu(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.selu %arg0 {alpha = 2.000000e+00 : f32, gamma = 3.000000e+00 : f32} : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_shrink_hard.
// CHECK-LABEL: func.func @shrink
// CHECK-NOT: nn.
// CHECK: return
func.func @shrink(%arg0: tensor<5xf32>) -> (tensor<5xf32>) {
  %0 = nn.shrink %arg0 {lambd = 1.500000e+00 : f32} : tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----


// From test_sign.
// CHECK-LABEL: func.func @sign
// CHECK-NOT: nn.
// CHECK: return
func.func @sign(%arg0: tensor<11xf32>) -> (tensor<11xf32>) {
  %0 = nn.sign %arg0 : tensor<11xf32>
  return %0 : tensor<11xf32>
}

// -----


// From test_sin.
// CHECK-LABEL: func.func @sin
// CHECK-NOT: nn.
// CHECK: return
func.func @sin(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.sin %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_sinh.
// CHECK-LABEL: func.func @sinh
// CHECK-NOT: nn.
// CHECK: return
func.func @sinh(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.sinh %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_softplus.
// CHECK-LABEL: func.func @softplus
// CHECK-NOT: nn.
// CHECK: return
func.func @softplus(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.softplus %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_softsign.
// CHECK-LABEL: func.func @softsign
// CHECK-NOT: nn.
// CHECK: return
func.func @softsign(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.softsign %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_stft.
// CHECK-LABEL: func.func @stft
// CHECK-NOT: nn.
// CHECK: return
func.func @stft(%arg0: tensor<1x128x1xf32>, %arg1: tensor<i64>, %arg2: tensor<i64>) -> (tensor<1x?x?x2xf32>) {
  %0 = nn.stft %arg0, %arg1 length %arg2 : (tensor<1x128x1xf32>, tensor<i64>, tensor<i64>) -> tensor<1x?x?x2xf32>
  return %0 : tensor<1x?x?x2xf32>
}

// -----


// From test_tan.
// CHECK-LABEL: func.func @tan
// CHECK-NOT: nn.
// CHECK: return
func.func @tan(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.tan %arg0 : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_tfidfvectorizer_tf_batch_onlybigrams_skip0.
// CHECK-LABEL: func.func @tf_idf_vectorizer
// CHECK-NOT: nn.
// CHECK: return
func.func @tf_idf_vectorizer(%arg0: tensor<2x6xi32>) -> (tensor<2x7xf32>) {
  %0 = nn.tf_idf_vectorizer %arg0 {max_gram_length = 2 : i64, max_skip_count = 0 : i64, min_gram_length = 2 : i64, mode = "TF", ngram_counts = array<i64: 0, 4>, ngram_indexes = array<i64: 0, 1, 2, 3, 4, 5, 6>, pool_int64s = array<i64: 2, 3, 5, 4, 5, 6, 7, 8, 6, 7>} : (tensor<2x6xi32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----


// From test_thresholdedrelu.
// CHECK-LABEL: func.func @thresholded_relu
// CHECK-NOT: nn.
// CHECK: return
func.func @thresholded_relu(%arg0: tensor<3x4x5xf32>) -> (tensor<3x4x5xf32>) {
  %0 = nn.thresholded_relu %arg0 {alpha = 2.000000e+00 : f32} : tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----


// From test_blackmanwindow.
// CHECK-LABEL: func.func @window
// CHECK-NOT: nn.
// CHECK: return
func.func @window(%arg0: tensor<i32>) -> (tensor<?xf32>) {
  %0 = nn.window %arg0 {kind = "blackman"} : (tensor<i32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----


// From test_xor2d.
// CHECK-LABEL: func.func @xor
// CHECK-NOT: nn.
// CHECK: return
func.func @xor(%arg0: tensor<3x4xi1>, %arg1: tensor<3x4xi1>) -> (tensor<3x4xi1>) {
  %0 = nn.xor %arg0, %arg1 : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

// -----

// CHECK-LABEL: func.func @recurrent
// CHECK-NOT: nn.
// CHECK: return
func.func @recurrent(%arg0: tensor<1x3x2xf32>, %arg1: tensor<1x12x2xf32>, %arg2: tensor<1x12x3xf32>, %arg3: tensor<1x15x2xf32>, %arg4: tensor<1x15x5xf32>, %arg5: tensor<1x5x2xf32>, %arg6: tensor<1x5x5xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x3x5xf32>, tensor<1x1x3x5xf32>) {
  %y, %y_h, %y_c = nn.lstm %arg0, %arg1, %arg2 {activations = ["Sigmoid", "Tanh", "Tanh"], hidden_size = 3 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>} : (tensor<1x3x2xf32>, tensor<1x12x2xf32>, tensor<1x12x3xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x3x3xf32>, tensor<1x3x3xf32>)
  %g, %g_h = nn.gru %arg0, %arg3, %arg4 {activations = ["Sigmoid", "Tanh"], hidden_size = 5 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<1x3x2xf32>, tensor<1x15x2xf32>, tensor<1x15x5xf32>) -> (tensor<1x1x3x5xf32>, tensor<1x3x5xf32>)
  %r, %r_h = nn.rnn %arg0, %arg5, %arg6 {activations = ["Tanh"], hidden_size = 5 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<1x3x2xf32>, tensor<1x5x2xf32>, tensor<1x5x5xf32>) -> (tensor<1x1x3x5xf32>, tensor<1x3x5xf32>)
  return %y, %g_h, %r : tensor<1x1x3x3xf32>, tensor<1x3x5xf32>, tensor<1x1x3x5xf32>
}

// -----

// CHECK-LABEL: func.func @selection
// CHECK-NOT: nn.
// CHECK: return
func.func @selection(%arg0: tensor<3x4xf32>, %arg1: tensor<1xi64>, %arg2: tensor<3x3xf32>, %arg3: tensor<1x1x5x5xf32>, %arg4: tensor<4x5xi64>) -> (tensor<3x?xf32>, tensor<?x3xf32>, tensor<1x1x5x5xi64>, tensor<4x5xi64>) {
  %values, %indices = nn.top_k %arg0, %arg1 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  %output, %idx, %inverse, %counts = nn.unique %arg2 {axis = 0 : i64} : (tensor<3x3xf32>) -> (tensor<?x3xf32>, tensor<?xi64>, tensor<3xi64>, tensor<?xi64>)
  %pooled, %where = nn.max_pool_with_indices %arg3 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 5, 5>, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
  %upper = nn.trilu %arg4 : (tensor<4x5xi64>) -> tensor<4x5xi64>
  return %values, %output, %where, %upper : tensor<3x?xf32>, tensor<?x3xf32>, tensor<1x1x5x5xi64>, tensor<4x5xi64>
}

// -----

// Slice bounds computed by the model; Elu.
// CHECK-LABEL: func.func @dynamic_slice_elu
// CHECK-NOT: nn.
// CHECK: return
func.func @dynamic_slice_elu(%arg0: tensor<6x4xf32>, %arg1: tensor<1xi64>, %arg2: tensor<1xi64>) -> tensor<?x4xf32> {
  %0 = nn.dynamic_slice %arg0[%arg1 : %arg2] {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<6x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  %1 = nn.elu %0 {alpha = 2.000000e+00 : f32} : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
