//===- NNIndexingOps.td - gathers, scatters, sorting, ranges --*- tablegen -*-===//
//
// Ops that address elements by computed indices, and ops whose result
// shape depends on input values (NonZero, Compress, Unique, Range, ...):
// their dynamic dims are sized by the compiled code at run time.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DIALECT_NN_INDEXING_OPS
#define OPENOPT_DIALECT_NN_INDEXING_OPS

def NN_GatherElementsOp : NN_Op<"gather_elements", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX GatherElements: picks one element per index along an axis";
  let description = [{
    `output[i][j][k] = data[i][indices[i][j][k]][k]` when `axis = 1` (likewise
    for other axes). The result has the shape of `indices`; negative indices
    count from the end.
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def NN_ScatterElementsOp : NN_Op<"scatter_elements", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX ScatterElements: writes updates at per-element indices along an axis";
  let description = [{
    A copy of `data` where `output[i][indices[i][j]] = updates[i][j]` (for
    `axis = 1`). `reduction` "none" overwrites; "add", "mul", "max", "min"
    combine with what is there. Negative indices count from the end.
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices, NN_Tensor:$updates,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

def NN_GatherNDOp : NN_Op<"gather_nd", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX GatherND: gathers slices addressed by index tuples";
  let description = [{
    The last axis of `indices` holds tuples indexing the leading axes of
    `data` (after `batch_dims` shared batch axes); each tuple picks an element
    or a slice. The result is `indices.shape[:-1] + data.shape[batch_dims + q:]`.
  }];
  let arguments = (ins NN_Tensor:$data, RankedTensorOf<[I64]>:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def NN_ScatterNDOp : NN_Op<"scatter_nd", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX ScatterND: writes slices addressed by index tuples";
  let description = [{
    A copy of `data` where the element or slice addressed by each tuple of
    `indices` (its last axis) takes the matching entry of `updates`;
    `reduction` "none", "add", "mul", "max" or "min".
  }];
  let arguments = (ins NN_Tensor:$data, RankedTensorOf<[I64]>:$indices, NN_Tensor:$updates,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

def NN_OneHotOp : NN_Op<"one_hot", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX OneHot: expands indices into one-hot vectors";
  let description = [{
    Inserts an axis of size `depth` at `axis` (default -1, last): the entry
    at the index is `values[1]`, every other entry `values[0]`. Negative
    indices count from the end of the depth; out-of-range ones give an all-off
    vector.
  }];
  let arguments = (ins NN_NumericTensor:$indices, NN_NumericTensor:$depth, NN_Tensor:$values,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$indices `,` $depth `,` $values attr-dict `:` functional-type(operands, results)";
}

def NN_CompressOp : NN_Op<"compress", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Compress: keeps the slices where a condition is true";
  let description = [{
    Keeps the slices of `input` along `axis` (or of the flattened input, with
    no axis) whose entry in the 1-D bool `condition` is true; a condition
    shorter than the axis drops the rest. The kept length is known at run
    time only.
  }];
  let arguments = (ins NN_Tensor:$input, NN_BoolTensor:$condition, OptionalAttr<I64Attr>:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `,` $condition attr-dict `:` functional-type(operands, results)";
}

def NN_NonZeroOp : NN_Op<"non_zero", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX NonZero: the indices of the nonzero elements";
  let description = [{
    An i64 tensor [rank, count] holding, column by column in row-major order,
    the index of every nonzero element. `count` is known at run time only.
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_UniqueOp : NN_Op<"unique", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Unique: the distinct elements (or slices), with indices and counts";
  let description = [{
    The distinct elements of the flattened input (or distinct slices along
    `axis`), sorted when `sorted = 1` (else in order of first occurrence);
    with the index of each one's first occurrence, the index into them of
    every input element, and how often each occurs.
  }];
  let arguments = (ins NN_Tensor:$input, OptionalAttr<I64Attr>:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$sorted);
  let results = (outs NN_Tensor:$output, RankedTensorOf<[I64]>:$indices,
                      RankedTensorOf<[I64]>:$inverse_indices, RankedTensorOf<[I64]>:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_TopKOp : NN_Op<"top_k", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX TopK: the k largest (or smallest) elements along an axis, with indices";
  let description = [{
    Along `axis` (default -1), the `k` largest elements (`largest = 1`) or
    smallest, in sorted order, and their i64 indices; equal values keep the
    lower index first. `k` is a one-element i64 tensor.
  }];
  let arguments = (ins NN_NumericTensor:$input, RankedTensorOf<[I64]>:$k,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$largest,
                       DefaultValuedAttr<I64Attr, "1">:$sorted);
  let results = (outs NN_NumericTensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input `,` $k attr-dict `:` functional-type(operands, results)";
}

def NN_CumSumOp : NN_Op<"cum_sum", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX CumSum: running sum along an axis";
  let description = [{
    `y[i] = x[0] + ... + x[i]` along the axis held by the scalar `axis`
    operand; `exclusive = 1` leaves out `x[i]`, `reverse = 1` sums from the
    end.
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_IndexTensor:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$exclusive,
                       DefaultValuedAttr<I64Attr, "0">:$reverse);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$input `,` $axis attr-dict `:` functional-type(operands, results)";
}

def NN_TriluOp : NN_Op<"trilu", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Trilu: keeps the upper or lower triangle of the last two axes";
  let description = [{
    `upper = 1` keeps elements with `col - row >= k`, `upper = 0` those with
    `col - row <= k`; the rest become 0. `k` is an optional scalar i64 operand
    (default 0).
  }];
  let arguments = (ins NN_Tensor:$input, Optional<RankedTensorOf<[I64]>>:$k,
                       DefaultValuedAttr<I64Attr, "1">:$upper);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input (`,` $k^)? attr-dict `:` functional-type(operands, results)";
}

def NN_RangeOp : NN_Op<"range", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Range: start, start + delta, ... up to (not including) limit";
  let description = [{
    A 1-D tensor of `max(ceil((limit - start) / delta), 0)` elements from the
    three scalars. Its length is static when they are constants.
  }];
  let arguments = (ins NN_NumericTensor:$start, NN_NumericTensor:$limit, NN_NumericTensor:$delta);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_EyeLikeOp : NN_Op<"eye_like", [Pure]> {
  let summary = "ONNX EyeLike: ones on a diagonal, zeros elsewhere";
  let description = [{
    A 2-D tensor of the input's shape (its values unused) and of the result's
    element type, with ones on the diagonal `k` (0: main, > 0: above).
  }];
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "0">:$k);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_ReverseSequenceOp : NN_Op<"reverse_sequence", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX ReverseSequence: reverses the first lengths[b] steps of each batch entry";
  let description = [{
    For each batch index `b` (along `batch_axis`), reverses the first
    `sequence_lens[b]` elements along `time_axis`; the rest stay in place.
  }];
  let arguments = (ins NN_Tensor:$input, RankedTensorOf<[I64]>:$sequence_lens,
                       DefaultValuedAttr<I64Attr, "1">:$batch_axis,
                       DefaultValuedAttr<I64Attr, "0">:$time_axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `,` $sequence_lens attr-dict `:` functional-type(operands, results)";
}

def NN_NonMaxSuppressionOp : NN_Op<"non_max_suppression", [Pure, InferTypeOpAdaptorWithIsCompatible,
                                                           AttrSizedOperandSegments]> {
  let summary = "ONNX NonMaxSuppression: greedy box selection by score and overlap";
  let description = [{
    For each batch and class, repeatedly keeps the highest-scoring box of
    `boxes` [B, N, 4] (scores [B, C, N]) and drops the boxes whose IoU with
    it exceeds `iou_threshold`, keeping at most `max_output_boxes_per_class`
    boxes scoring above `score_threshold`. The result lists
    [batch, class, box] triples, [count, 3], count known at run time.
    `center_point_box = 1` reads boxes as [x, y, w, h].
  }];
  let arguments = (ins NN_FloatTensor:$boxes, NN_FloatTensor:$scores,
                       Optional<RankedTensorOf<[I64]>>:$max_output_boxes_per_class,
                       Optional<NN_FloatTensor>:$iou_threshold,
                       Optional<NN_FloatTensor>:$score_threshold,
                       DefaultValuedAttr<I64Attr, "0">:$center_point_box);
  let results = (outs RankedTensorOf<[I64]>:$selected);
  let assemblyFormat = "$boxes `,` $scores (`max` $max_output_boxes_per_class^)? (`iou` $iou_threshold^)? (`score` $score_threshold^)? attr-dict `:` functional-type(operands, results)";
}

#endif // OPENOPT_DIALECT_NN_INDEXING_OPS
