// RUN: openopt-opt %s -split-input-file --openopt-infer-shapes | FileCheck %s
// Shape inference of the ops added for the ONNX backend suite: each case is
// an op as the importer builds it from a suite model (named), its results
// declared with `?` dims; the pass must give back the static shapes.


// From test_and2d.
// CHECK-LABEL: func.func @and
// CHECK-SAME: -> tensor<3x4xi1>
func.func @and(%arg0: tensor<3x4xi1>, %arg1: tensor<3x4xi1>) -> (tensor<?x?xi1>) {
  %0 = nn.and %arg0, %arg1 : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<?x?xi1>
  return %0 : tensor<?x?xi1>
}

// -----


// From test_argmax_default_axis_example.
// CHECK-LABEL: func.func @arg_max
// CHECK-SAME: -> tensor<1x2xi64>
func.func @arg_max(%arg0: tensor<2x2xf32>) -> (tensor<?x?xi64>) {
  %0 = nn.arg_max %arg0 : (tensor<2x2xf32>) -> tensor<?x?xi64>
  return %0 : tensor<?x?xi64>
}

// -----


// From test_argmin_default_axis_example.
// CHECK-LABEL: func.func @arg_min
// CHECK-SAME: -> tensor<1x2xi64>
func.func @arg_min(%arg0: tensor<2x2xf32>) -> (tensor<?x?xi64>) {
  %0 = nn.arg_min %arg0 : (tensor<2x2xf32>) -> tensor<?x?xi64>
  return %0 : tensor<?x?xi64>
}

// -----


// From test_bitshift_left_uint16.
// CHECK-LABEL: func.func @bit_shift
// CHECK-SAME: -> tensor<3xui16>
func.func @bit_shift(%arg0: tensor<3xui16>, %arg1: tensor<3xui16>) -> (tensor<?xui16>) {
  %0 = nn.bit_shift %arg0, %arg1 {direction = "LEFT"} : (tensor<3xui16>, tensor<3xui16>) -> tensor<?xui16>
  return %0 : tensor<?xui16>
}

// -----


// From test_cumsum_1d.
// CHECK-LABEL: func.func @cum_sum
// CHECK-SAME: -> tensor<5xf64>
func.func @cum_sum(%arg0: tensor<5xf64>, %arg1: tensor<i32>) -> (tensor<?xf64>) {
  %0 = nn.cum_sum %arg0, %arg1 : (tensor<5xf64>, tensor<i32>) -> tensor<?xf64>
  return %0 : tensor<?xf64>
}

// -----


// From test_dft.
// CHECK-LABEL: func.func @dft
// CHECK-SAME: -> tensor<1x10x10x2xf32>
func.func @dft(%arg0: tensor<1x10x10x1xf32>) -> (tensor<?x?x?x?xf32>) {
  %0 = nn.dft %arg0 : (tensor<1x10x10x1xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----


// From test_einsum_batch_diagonal.
// CHECK-LABEL: func.func @einsum
// CHECK-SAME: -> tensor<3x5xf64>
func.func @einsum(%arg0: tensor<3x5x5xf64>) -> (tensor<?x?xf64>) {
  %0 = nn.einsum %arg0 {equation = "Aii->Ai"} : (tensor<3x5x5xf64>) -> tensor<?x?xf64>
  return %0 : tensor<?x?xf64>
}

// -----


// From test_gather_elements_0.
// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME: -> tensor<2x2xf32>
func.func @gather_elements(%arg0: tensor<2x2xf32>, %arg1: tensor<2x2xi64>) -> (tensor<?x?xf32>) {
  %0 = nn.gather_elements %arg0, %arg1 {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----


// From test_gathernd_example_float32.
// CHECK-LABEL: func.func @gather_nd
// CHECK-SAME: -> tensor<2x1x2xf32>
func.func @gather_nd(%arg0: tensor<2x2x2xf32>, %arg1: tensor<2x1x2xi64>) -> (tensor<?x?x?xf32>) {
  %0 = nn.gather_nd %arg0, %arg1 : (tensor<2x2x2xf32>, tensor<2x1x2xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----


// From test_greater_equal.
// CHECK-LABEL: func.func @greater_or_equal
// CHECK-SAME: -> tensor<3x4x5xi1>
func.func @greater_or_equal(%arg0: tensor<3x4x5xf32>, %arg1: tensor<3x4x5xf32>) -> (tensor<?x?x?xi1>) {
  %0 = nn.greater_or_equal %arg0, %arg1 : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<?x?x?xi1>
  return %0 : tensor<?x?x?xi1>
}

// -----


// From test_gridsample.
// CHECK-LABEL: func.func @grid_sample
// CHECK-SAME: -> tensor<1x1x6x6xf32>
func.func @grid_sample(%arg0: tensor<1x1x4x4xf32>, %arg1: tensor<1x6x6x2xf32>) -> (tensor<?x?x?x?xf32>) {
  %0 = nn.grid_sample %arg0, %arg1 : (tensor<1x1x4x4xf32>, tensor<1x6x6x2xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----


// From test_instancenorm_epsilon.
// CHECK-LABEL: func.func @instance_norm
// CHECK-SAME: -> tensor<2x3x4x5xf32>
func.func @instance_norm(%arg0: tensor<2x3x4x5xf32>, %arg1: tensor<3xf32>, %arg2: tensor<3xf32>) -> (tensor<?x?x?x?xf32>) {
  %0 = nn.instance_norm %arg0, %arg1, %arg2 {epsilon = 0.00999999977 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----


// From test_isinf.
// CHECK-LABEL: func.func @is_inf
// CHECK-SAME: -> tensor<6xi1>
func.func @is_inf(%arg0: tensor<6xf32>) -> (tensor<?xi1>) {
  %0 = nn.is_inf %arg0 : (tensor<6xf32>) -> tensor<?xi1>
  return %0 : tensor<?xi1>
}

// -----


// From test_isnan.
// CHECK-LABEL: func.func @is_nan
// CHECK-SAME: -> tensor<4xi1>
func.func @is_nan(%arg0: tensor<4xf32>) -> (tensor<?xi1>) {
  %0 = nn.is_nan %arg0 : (tensor<4xf32>) -> tensor<?xi1>
  return %0 : tensor<?xi1>
}

// -----


// From test_less_equal.
// CHECK-LABEL: func.func @less_or_equal
// CHECK-SAME: -> tensor<3x4x5xi1>
func.func @less_or_equal(%arg0: tensor<3x4x5xf32>, %arg1: tensor<3x4x5xf32>) -> (tensor<?x?x?xi1>) {
  %0 = nn.less_or_equal %arg0, %arg1 : (tensor<3x4x5xf32>, tensor<3x4x5xf32>) -> tensor<?x?x?xi1>
  return %0 : tensor<?x?x?xi1>
}

// -----


// From test_mod_broadcast.
// CHECK-LABEL: func.func @mod
// CHECK-SAME: -> tensor<3x2x5xi32>
func.func @mod(%arg0: tensor<3x2x5xi32>, %arg1: tensor<1xi32>) -> (tensor<?x?x?xi32>) {
  %0 = nn.mod %arg0, %arg1 : (tensor<3x2x5xi32>, tensor<1xi32>) -> tensor<?x?x?xi32>
  return %0 : tensor<?x?x?xi32>
}

// -----


// From test_nllloss_NC.
// CHECK-LABEL: func.func @nll_loss
// CHECK-SAME: -> tensor<3xf32>
func.func @nll_loss(%arg0: tensor<3x5xf32>, %arg1: tensor<3xi64>) -> (tensor<?xf32>) {
  %0 = nn.nll_loss %arg0, %arg1 {reduction = "none"} : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----


// From test_or2d.
// CHECK-LABEL: func.func @or
// CHECK-SAME: -> tensor<3x4xi1>
func.func @or(%arg0: tensor<3x4xi1>, %arg1: tensor<3x4xi1>) -> (tensor<?x?xi1>) {
  %0 = nn.or %arg0, %arg1 : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<?x?xi1>
  return %0 : tensor<?x?xi1>
}

// -----


// From test_prelu_broadcast.
// CHECK-LABEL: func.func @prelu
// CHECK-SAME: -> tensor<3x4x5xf32>
func.func @prelu(%arg0: tensor<3x4x5xf32>, %arg1: tensor<5xf32>) -> (tensor<?x?x?xf32>) {
  %0 = nn.prelu %arg0, %arg1 : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----


// From test_bernoulli_seed.
// CHECK-LABEL: func.func @random
// CHECK-SAME: -> tensor<10xf32>
func.func @random(%arg0: tensor<10xf32>) -> (tensor<?xf32>) {
  %0 = nn.random %arg0 : tensor<10xf32> {distribution = "bernoulli", dtype = f32, seed = 0.000000e+00 : f64} -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----


// From test_reduce_log_sum.
// CHECK-LABEL: func.func @reduce_log_sum
// CHECK-SAME: -> tensor<3xf32>
func.func @reduce_log_sum(%arg0: tensor<3x4x5xf32>) -> (tensor<?xf32>) {
  %0 = nn.reduce_log_sum %arg0 {axes = array<i64: 2, 1>, keepdims = 0 : i64} : (tensor<3x4x5xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----


// From test_reduce_log_sum_exp_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_log_sum_exp
// CHECK-SAME: -> tensor<1x1x1xf64>
func.func @reduce_log_sum_exp(%arg0: tensor<3x2x2xf64>) -> (tensor<?x?x?xf64>) {
  %0 = nn.reduce_log_sum_exp %arg0 {axes = array<i64>} : (tensor<3x2x2xf64>) -> tensor<?x?x?xf64>
  return %0 : tensor<?x?x?xf64>
}

// -----


// From test_reduce_min_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_min
// CHECK-SAME: -> tensor<1x1x1xf32>
func.func @reduce_min(%arg0: tensor<3x2x2xf32>) -> (tensor<?x?x?xf32>) {
  %0 = nn.reduce_min %arg0 {axes = array<i64>} : (tensor<3x2x2xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----


// From test_reduce_prod_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_prod
// CHECK-SAME: -> tensor<1x1x1xf32>
func.func @reduce_prod(%arg0: tensor<3x2x2xf32>) -> (tensor<?x?x?xf32>) {
  %0 = nn.reduce_prod %arg0 {axes = array<i64>} : (tensor<3x2x2xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----


// From test_reduce_sum_square_default_axes_keepdims_example.
// CHECK-LABEL: func.func @reduce_sum_square
// CHECK-SAME: -> tensor<1x1x1xf32>
func.func @reduce_sum_square(%arg0: tensor<3x2x2xf32>) -> (tensor<?x?x?xf32>) {
  %0 = nn.reduce_sum_square %arg0 {axes = array<i64>} : (tensor<3x2x2xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----


// From test_reversesequence_batch.
// CHECK-LABEL: func.func @reverse_sequence
// CHECK-SAME: -> tensor<4x4xf32>
func.func @reverse_sequence(%arg0: tensor<4x4xf32>, %arg1: tensor<4xi64>) -> (tensor<?x?xf32>) {
  %0 = nn.reverse_sequence %arg0, %arg1 {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----


// From test_roialign_aligned_false.
// CHECK-LABEL: func.func @roi_align
// CHECK-SAME: -> tensor<3x1x5x5xf32>
func.func @roi_align(%arg0: tensor<1x1x10x10xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<3xi64>) -> (tensor<?x?x?x?xf32>) {
  %0 = nn.roi_align %arg0, %arg1, %arg2 {coordinate_transformation_mode = "output_half_pixel", output_height = 5 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----


// From test_scatter_elements_with_axis.
// CHECK-LABEL: func.func @scatter_elements
// CHECK-SAME: -> tensor<1x5xf32>
func.func @scatter_elements(%arg0: tensor<1x5xf32>, %arg1: tensor<1x2xi64>, %arg2: tensor<1x2xf32>) -> (tensor<?x?xf32>) {
  %0 = nn.scatter_elements %arg0, %arg1, %arg2 {axis = 1 : i64} : (tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----


// From test_scatternd.
// CHECK-LABEL: func.func @scatter_nd
// CHECK-SAME: -> tensor<4x4x4xf32>
func.func @scatter_nd(%arg0: tensor<4x4x4xf32>, %arg1: tensor<2x1xi64>, %arg2: tensor<2x4x4xf32>) -> (tensor<?x?x?xf32>) {
  %0 = nn.scatter_nd %arg0, %arg1, %arg2 : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----


// From test_xor2d.
// CHECK-LABEL: func.func @xor
// CHECK-SAME: -> tensor<3x4xi1>
func.func @xor(%arg0: tensor<3x4xi1>, %arg1: tensor<3x4xi1>) -> (tensor<?x?xi1>) {
  %0 = nn.xor %arg0, %arg1 : (tensor<3x4xi1>, tensor<3x4xi1>) -> tensor<?x?xi1>
  return %0 : tensor<?x?xi1>
}

// -----

// The recurrent ops: Y [seq, dirs, batch, hidden] and the last states.
// From test_lstm_defaults.
// CHECK-LABEL: func.func @lstm
// CHECK-SAME: -> (tensor<1x1x3x3xf32>, tensor<1x3x3xf32>, tensor<1x3x3xf32>)
func.func @lstm(%arg0: tensor<1x3x2xf32>, %arg1: tensor<1x12x2xf32>, %arg2: tensor<1x12x3xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>) {
  %y, %y_h, %y_c = nn.lstm %arg0, %arg1, %arg2 {activations = ["Sigmoid", "Tanh", "Tanh"], hidden_size = 3 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>} : (tensor<1x3x2xf32>, tensor<1x12x2xf32>, tensor<1x12x3xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>)
  return %y, %y_h, %y_c : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>
}

// -----

// From test_gru_defaults.
// CHECK-LABEL: func.func @gru
// CHECK-SAME: -> (tensor<1x1x3x5xf32>, tensor<1x3x5xf32>)
func.func @gru(%arg0: tensor<1x3x2xf32>, %arg1: tensor<1x15x2xf32>, %arg2: tensor<1x15x5xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) {
  %y, %y_h = nn.gru %arg0, %arg1, %arg2 {activations = ["Sigmoid", "Tanh"], hidden_size = 5 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<1x3x2xf32>, tensor<1x15x2xf32>, tensor<1x15x5xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>)
  return %y, %y_h : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

// -----

// From test_rnn_seq_length.
// CHECK-LABEL: func.func @rnn
// CHECK-SAME: -> (tensor<2x1x3x5xf32>, tensor<1x3x5xf32>)
func.func @rnn(%arg0: tensor<2x3x3xf32>, %arg1: tensor<1x5x3xf32>, %arg2: tensor<1x5x5xf32>, %arg3: tensor<1x10xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) {
  %y, %y_h = nn.rnn %arg0, %arg1, %arg2, %arg3 {activations = ["Tanh"], hidden_size = 5 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0>} : (tensor<2x3x3xf32>, tensor<1x5x3xf32>, tensor<1x5x5xf32>, tensor<1x10xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>)
  return %y, %y_h : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
}

// -----

// MaxPool's Indices output has the values' shape.
// From test_maxpool_with_argmax_2d_precomputed_pads.
// CHECK-LABEL: func.func @max_pool_with_indices
// CHECK-SAME: -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
func.func @max_pool_with_indices(%arg0: tensor<1x1x5x5xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xi64>) {
  %output, %indices = nn.max_pool_with_indices %arg0 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 5, 5>, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x1x5x5xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xi64>)
  return %output, %indices : tensor<?x?x?x?xf32>, tensor<?x?x?x?xi64>
}

// -----

// A constant k gives TopK a static result; Unique's count stays dynamic.
// CHECK-LABEL: func.func @top_k_unique
// CHECK-SAME: -> (tensor<3x2xf32>, tensor<3x2xi64>, tensor<?x3xf32>)
func.func @top_k_unique(%arg0: tensor<3x4xf32>, %arg1: tensor<3x3xf32>) -> (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xf32>) {
  %k = nn.constant dense<2> : tensor<1xi64>
  %values, %indices = nn.top_k %arg0, %k {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>)
  %output, %idx, %inverse, %counts = nn.unique %arg1 {axis = 0 : i64} : (tensor<3x3xf32>) -> (tensor<?x?xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
  return %values, %indices, %output : tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xf32>
}
