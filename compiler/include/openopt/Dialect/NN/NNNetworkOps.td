//===- NNNetworkOps.td - norms, pooling, vision, recurrent ----*- tablegen -*-===//
#ifndef OPENOPT_DIALECT_NN_NETWORK_OPS
#define OPENOPT_DIALECT_NN_NETWORK_OPS

def NN_InstanceNormOp : NN_Op<"instance_norm", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX InstanceNormalization: normalise each channel of each sample";
  let description = [{
    `y = scale[c] * (x - mean) / sqrt(var + epsilon) + bias[c]` where mean and
    variance are taken over the spatial axes of each (n, c) of [N, C, D...].
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale, NN_FloatTensor:$bias,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)";
}

def NN_LrnOp : NN_Op<"lrn", [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "ONNX LRN: local response normalisation across channels";
  let description = [{
    `y = x / (bias + alpha / size * sum(x^2 over size neighbouring channels))^beta`
    for [N, C, D...]; the window of channel c spans
    `[c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]`.
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$size,
                       DefaultValuedAttr<F32Attr, "0.0001">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.75">:$beta,
                       DefaultValuedAttr<F32Attr, "1.0">:$bias);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_MaxPoolWithIndicesOp : NN_Op<"max_pool_with_indices", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX MaxPool with its Indices output";
  let description = [{
    MaxPool (same attributes as nn.max_pool, channels first) that also
    returns, for each output, the i64 flat index of the chosen input element
    (row-major, or column-major over the spatial axes with
    `storage_order = 1`).
  }];
  let arguments = (ins NN_NumericTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                       DefaultValuedAttr<I64Attr, "0">:$storage_order);
  let results = (outs NN_NumericTensor:$output, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_MaxUnpoolOp : NN_Op<"max_unpool", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX MaxUnpool: scatters pooled values back to their indices";
  let description = [{
    A zero tensor of the unpooled shape (from `kernel_shape`, `strides`,
    `pads`, or the optional `output_shape` operand) where each value of `input`
    lands at the flat index given by `indices` (as MaxPool's Indices output).
  }];
  let arguments = (ins NN_FloatTensor:$input, RankedTensorOf<[I64]>:$indices,
                       Optional<RankedTensorOf<[I64]>>:$output_shape,
                       DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $indices (`,` $output_shape^)? attr-dict `:` functional-type(operands, results)";
}

def NN_RoiAlignOp : NN_Op<"roi_align", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX RoiAlign: bilinear-sampled pooling of regions of interest";
  let description = [{
    For each box of `rois` [R, 4] (x1, y1, x2, y2 in input coordinates times
    `spatial_scale`) on image `batch_indices[r]` of [N, C, H, W], averages
    (`mode = "avg"`) or maxes bilinear samples on an output_height x
    output_width grid (`sampling_ratio` samples per bin, adaptive when 0).
    `coordinate_transformation_mode = "half_pixel"` shifts by -0.5.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$rois, NN_IndexTensor:$batch_indices,
                       DefaultValuedAttr<StrAttr, "\"avg\"">:$mode,
                       DefaultValuedAttr<I64Attr, "1">:$output_height,
                       DefaultValuedAttr<I64Attr, "1">:$output_width,
                       DefaultValuedAttr<I64Attr, "0">:$sampling_ratio,
                       DefaultValuedAttr<F32Attr, "1.0">:$spatial_scale,
                       DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $rois `,` $batch_indices attr-dict `:` functional-type(operands, results)";
}

def NN_GridSampleOp : NN_Op<"grid_sample", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX GridSample: samples an image at the (x, y) positions of a grid";
  let description = [{
    Output [N, C, Ho, Wo] samples input [N, C, H, W] at `grid` [N, Ho, Wo, 2]
    (x, y in [-1, 1]) with `mode` "bilinear", "nearest" or "bicubic";
    `padding_mode` "zeros", "border" or "reflection" handles positions
    outside; `align_corners` maps -1 and 1 to the corner pixel centres.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$grid,
                       DefaultValuedAttr<I64Attr, "0">:$align_corners,
                       DefaultValuedAttr<StrAttr, "\"bilinear\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"zeros\"">:$padding_mode);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input `,` $grid attr-dict `:` functional-type(operands, results)";
}

def NN_EinsumOp : NN_Op<"einsum", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Einsum: sums of products named by an index equation";
  let description = [{
    `equation` like "bij,bjk->bik" names each operand's axes; letters absent
    from the output are summed over, a repeated letter within an operand takes
    its diagonal. The importer expands "..." and the implicit output form, so
    the equation here is explicit and letter-only.
  }];
  let arguments = (ins Variadic<NN_NumericTensor>:$inputs, StrAttr:$equation);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def NN_DetOp : NN_Op<"det", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Det: determinant of the trailing square matrices";
  let description = "The determinant of each [M, M] matrix of [..., M, M], by LU "
                    "decomposition with partial pivoting.";
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_RandomOp : NN_Op<"random", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX RandomUniform(Like), RandomNormal(Like), Bernoulli";
  let description = [{
    Fills a tensor with pseudo-random values: `distribution` "uniform" in
    [low, high), "normal" with `mean` and `scale`, or "bernoulli" (1 with the
    probability held by the operand's element, else 0). The shape comes from
    the operand (the Like forms and Bernoulli) or the `shape` attribute. A
    `seed` makes the values repeatable; they are not the same numbers as
    ONNX Runtime's generator.
  }];
  let arguments = (ins Optional<NN_Tensor>:$input, StrAttr:$distribution,
                       OptionalAttr<DenseI64ArrayAttr>:$shape,
                       DefaultValuedAttr<F64Attr, "0.0">:$low,
                       DefaultValuedAttr<F64Attr, "1.0">:$high,
                       OptionalAttr<F64Attr>:$seed,
                       TypeAttr:$dtype);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "($input^ `:` type($input))? attr-dict `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Recurrent layers. Layout 0: X [seq, batch, input], Y [seq, dirs, batch,
// hidden], Y_h [dirs, batch, hidden]; layout 1 puts batch first.
//===----------------------------------------------------------------------===//

class NN_RecurrentOp<string mnemonic, string onnxName, string what, dag extraOperands,
                     dag extraAttrs, dag outputs>
    : NN_Op<mnemonic, [Pure, AttrSizedOperandSegments, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX " # onnxName # ": " # what;
  let arguments = !con(
      (ins NN_FloatTensor:$x, NN_FloatTensor:$w, NN_FloatTensor:$r,
           Optional<NN_FloatTensor>:$b, Optional<NN_IndexTensor>:$sequence_lens,
           Optional<NN_FloatTensor>:$initial_h),
      extraOperands,
      (ins StrArrayAttr:$activations, DefaultValuedAttr<F32ArrayAttr, "{}">:$activation_alpha,
           DefaultValuedAttr<F32ArrayAttr, "{}">:$activation_beta, OptionalAttr<F32Attr>:$clip,
           DefaultValuedAttr<StrAttr, "\"forward\"">:$direction, I64Attr:$hidden_size,
           DefaultValuedAttr<I64Attr, "0">:$layout),
      extraAttrs);
  let results = outputs;
}

def NN_RnnOp : NN_RecurrentOp<"rnn", "RNN", "a simple recurrent layer, H = f(X W^T + H R^T + b)",
    (ins), (ins), (outs NN_FloatTensor:$y, NN_FloatTensor:$y_h)> {
  let description = [{
    `h_t = f(x_t W^T + h_{t-1} R^T + Wb + Rb)` per direction ("forward",
    "reverse" or "bidirectional"), f from `activations` (default Tanh).
    Steps past `sequence_lens[b]` leave zeros in Y and the last state in Y_h.
  }];
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_GruOp : NN_RecurrentOp<"gru", "GRU", "a gated recurrent unit layer",
    (ins), (ins DefaultValuedAttr<I64Attr, "0">:$linear_before_reset),
    (outs NN_FloatTensor:$y, NN_FloatTensor:$y_h)> {
  let description = [{
    Update gate z, reset gate r and candidate h~ (gate order z, r, h in W, R
    and B) with activations f (default Sigmoid) and g (default Tanh):
    `h_t = (1 - z) * h~ + z * h_{t-1}`. `linear_before_reset = 1` applies r
    after the recurrent product.
  }];
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_LstmOp : NN_RecurrentOp<"lstm", "LSTM", "a long short-term memory layer",
    (ins Optional<NN_FloatTensor>:$initial_c, Optional<NN_FloatTensor>:$p),
    (ins DefaultValuedAttr<I64Attr, "0">:$input_forget),
    (outs NN_FloatTensor:$y, NN_FloatTensor:$y_h, NN_FloatTensor:$y_c)> {
  let description = [{
    Input, output, forget gates and cell (order i, o, f, c in W, R and B),
    with optional peepholes P [dirs, 3 * hidden] (i, o, f) and activations f
    (default Sigmoid), g and h (default Tanh):
    `c_t = f_t * c_{t-1} + i_t * g(...)`, `h_t = o_t * h(c_t)`.
  }];
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif // OPENOPT_DIALECT_NN_NETWORK_OPS
