// RUN: openopt-opt %s -split-input-file -verify-diagnostics
// Verifier and shape-inference errors of every nn op, in ONNX terms.

func.func @case0(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.sqrt"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case1(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.exp"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case2(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.log"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case3(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.neg"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case4(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.abs"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case5(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.reciprocal"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case6(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.tanh"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case7(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.sigmoid"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case8(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.hard_swish"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case9(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.relu"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case10(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.erf"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case11(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.identity"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case12(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.hard_sigmoid"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case13(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.leaky_relu"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case14(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.dropout"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @case15(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{must be ranked tensor of 1-bit signless integer values}}
  %0 = nn.not %a : tensor<2x3xf32>
  return
}

// -----

func.func @case16(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{Clip: min (6.000000e+00) is greater than max (0.000000e+00)}}
  %0 = nn.clip %a {min = 6.0, max = 0.0} : tensor<2x3xf32>
  return
}

// -----

func.func @case17(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{Gelu: approximate must be "none" or "tanh"}}
  %0 = nn.gelu %a {approximate = "fast"} : tensor<2x3xf32>
  return
}

// -----

func.func @case18(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = nn.cast %a : tensor<2x3xf32> to tensor<3x2xi64>
  return
}

// -----

func.func @case19(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{Add: shapes [2, 3] and [4, 3] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case20(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{Sub: shapes [2, 3] and [4, 3] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.sub %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case21(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{Mul: shapes [2, 3] and [4, 3] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.mul %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case22(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{Div: shapes [2, 3] and [4, 3] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.div %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case23(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{Pow: shapes [2, 3] and [4, 3] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pow %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case24(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{Min: shapes [2, 3] and [4, 3] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.min %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case25(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{Max: shapes [2, 3] and [4, 3] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case26(%a: tensor<2x3xf32>, %b: tensor<2x3xi64>) {
  // expected-error @+2 {{Equal: operand element types differ ('f32' vs 'i64')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.equal %a, %b : (tensor<2x3xf32>, tensor<2x3xi64>) -> tensor<2x3xi1>
  return
}

// -----

func.func @case27(%a: tensor<2x3xf32>, %b: tensor<2x3xi64>) {
  // expected-error @+2 {{Less: operand element types differ ('f32' vs 'i64')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.less %a, %b : (tensor<2x3xf32>, tensor<2x3xi64>) -> tensor<2x3xi1>
  return
}

// -----

func.func @case28(%a: tensor<2x3xf32>, %b: tensor<2x3xi64>) {
  // expected-error @+2 {{Greater: operand element types differ ('f32' vs 'i64')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.greater %a, %b : (tensor<2x3xf32>, tensor<2x3xi64>) -> tensor<2x3xi1>
  return
}

// -----

func.func @case29(%c: tensor<2x3xi1>, %a: tensor<2x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{Where: shapes [2, 3] and [5] cannot be broadcast together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.where %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<5xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case30(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{MatMul: A has 3 columns but B has 4 rows (A [2, 3], B [4, 5])}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @case31(%a: tensor<2x3xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+2 {{Gemm: op(A) has 3 columns but op(B) has 4 rows}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b {transB = 1} : (tensor<2x3xf32>, tensor<5x4xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @case32(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{Conv: weight has 2 input channels per group (group 1) but the input has 3 channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @case33(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{Conv: pads has 2 values but needs 4 (begins then ends of each spatial axis)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @case34(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x3x3xf32>) {
  // expected-error @+2 {{ConvTranspose: weight has 2 input channels but the input has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x9x9xf32>
  return
}

// -----

func.func @case35(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %m: tensor<4xf32>) {
  // expected-error @+2 {{BatchNormalization: mean must be [3] (one value per channel), got [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.batch_norm %x, %s, %s, %m, %s : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @case36(%x: tensor<2x4x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+2 {{LayerNormalization: axis 3 is out of range for rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.layer_norm %x, %s {axis = 3 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @case37(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{Softmax: axis 2 is out of range for rank 2}}
  %0 = nn.softmax %a {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @case38(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{MaxPool: kernel_shape has 1 values but the input has 2 spatial axes}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @case39(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{AveragePool: window larger than the padded input on spatial axis 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.average_pool %x {kernel_shape = array<i64: 9, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x3xf32>
  return
}

// -----

func.func @case40(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{GlobalAveragePool: input must be [N, C, spatial...], got [2, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.global_average_pool %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case41(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Flatten: axis 3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.flatten %a {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @case42(%a: tensor<2x3xf32>) {
  %s = nn.constant dense<[4, 2]> : tensor<2xi64>
  // expected-error @+2 {{Reshape: cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @case43(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Transpose: perm [0, 0] is not a permutation of 0..1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %a {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @case44(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Squeeze: axis 1 has size 3, not 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.squeeze %a {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @case45(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Unsqueeze: axis 5 is out of range or repeated (result rank 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.unsqueeze %a {axes = array<i64: 5>} : (tensor<2x3xf32>) -> tensor<2x3x1xf32>
  return
}

// -----

func.func @case46(%a: tensor<2x3xf32>, %b: tensor<4x4xf32>) {
  // expected-error @+2 {{Concat: inputs [2, 3] and [4, 4] differ on axis 1, which is not the concat axis}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<4x4xf32>) -> tensor<6x3xf32>
  return
}

// -----

func.func @case47(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Split: sizes [1, 1] add up to 2 but axis 1 has size 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = nn.split %a {axis = 1 : i64, split = array<i64: 1, 1>} : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @case48(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Slice: step must not be 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %a {starts = array<i64: 0>, ends = array<i64: 2>, axes = array<i64: 1>, steps = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @case49(%a: tensor<2x3xf32>, %i: tensor<4xi64>) {
  // expected-error @+2 {{Gather: axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %a, %i {axis = 2 : i64} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case50(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 must be 1D tensor of 64-bit signless integer values}}
  %0 = nn.shape %a : (tensor<2x3xf32>) -> tensor<2xi32>
  return
}

// -----

func.func @case51(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 must be 0D tensor of 64-bit signless integer values}}
  %0 = nn.size %a : (tensor<2x3xf32>) -> tensor<1xi64>
  return
}

// -----

func.func @case52(%s: tensor<2xi64>) {
  // expected-error @+2 {{ConstantOfShape: value must hold one element}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.constant_of_shape %s {value = dense<[1.0, 2.0]> : tensor<2xf32>} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @case53(%a: tensor<2x3xf32>) {
  %s = nn.constant dense<[4, 4]> : tensor<2xi64>
  // expected-error @+2 {{Expand: input [2, 3] cannot be broadcast to [4, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.expand %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x4xf32>
  return
}

// -----

func.func @case54(%a: tensor<2x3xf32>) {
  %s = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  // expected-error @+2 {{Tile: repeats has 3 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.tile %a, %s : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<2x6xf32>
  return
}

// -----

func.func @case55(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Pad: mode 'mirror' is not one of constant, reflect, edge, wrap}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %a {pads = array<i64: 0, 1, 0, 1>, mode = "mirror"} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @case56(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{Resize: mode 'bicubic' is not one of nearest, linear, cubic}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.resize %a {scales = array<f64: 1.0, 2.0>, mode = "bicubic"} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @case57(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{ReduceMean: axis 4 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_mean %a {axes = array<i64: 4>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @case58(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{ReduceSum: axis 4 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %a {axes = array<i64: 4>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @case59(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{ReduceMax: axis 4 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_max %a {axes = array<i64: 4>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @case60() {
  // expected-error @+2 {{op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "nn.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

// nn.fused verifies its body's yield against its results.
func.func @bad_yield(%x: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{yields}}
  %g = nn.fused "elementwise" {
    %t = nn.tanh %x : tensor<8xf32>
    nn.yield %t : tensor<8xf32>
  } : tensor<4xf32>
  return %g : tensor<4xf32>
}

// -----

func.func @case61(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x2x4xf32>) {
  // expected-error @+2 {{Conv: weight has 2 input channels per group (group 1) but the input has 3 channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x8x8x3xf32>, tensor<3x3x2x4xf32>) -> tensor<1x6x6x4xf32>
  return
}

// -----

func.func @no_kind(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{needs a kind}}
  %g = nn.fused "" {
    %t = nn.tanh %x : tensor<8xf32>
    nn.yield %t : tensor<8xf32>
  } : tensor<8xf32>
  return %g : tensor<8xf32>
}

// -----

func.func @case62(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{Conv: bias must be [4], got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<3xf32>) -> tensor<1x6x6x4xf32>
  return
}

// -----

func.func @case63(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{GlobalAveragePool: input must be [N, spatial..., C], got [2, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.global_average_pool %a {channels_last = true} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @case64(%x: tensor<1x8x8x3xf32>) {
  // expected-error @+2 {{op inferred type(s) 'tensor<1x4x4x3xf32>' are incompatible with return type(s) of operation 'tensor<1x3x4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, channels_last = true} : (tensor<1x8x8x3xf32>) -> tensor<1x3x4x4xf32>
  return
}
