//===- NNSignalOps.td - Fourier transforms and windows --------*- tablegen -*-===//
#ifndef OPENOPT_DIALECT_NN_SIGNAL_OPS
#define OPENOPT_DIALECT_NN_SIGNAL_OPS

def NN_DftOp : NN_Op<"dft", [Pure, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX DFT: discrete Fourier transform along an axis";
  let description = [{
    Input [..., n, 1] (real) or [..., n, 2] (complex as re, im); the result
    is complex [..., m, 2] with m = `dft_length` (the optional operand; the
    axis is zero-padded or cut to it) or m / 2 + 1 with `onesided = 1`.
    `inverse = 1` computes the inverse transform (divided by m).
  }];
  let arguments = (ins NN_FloatTensor:$input, Optional<NN_IndexTensor>:$dft_length,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$inverse,
                       DefaultValuedAttr<I64Attr, "0">:$onesided);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input (`,` $dft_length^)? attr-dict `:` functional-type(operands, results)";
}

def NN_StftOp : NN_Op<"stft", [Pure, InferTypeOpAdaptorWithIsCompatible, AttrSizedOperandSegments]> {
  let summary = "ONNX STFT: short-time Fourier transform";
  let description = [{
    Signal [B, L, 1 or 2] cut into frames of `frame_length` (or the
    `window`'s length) every `frame_step` samples, each multiplied by the
    window and transformed: [B, frames, bins, 2], bins = frame_length / 2 + 1
    when `onesided = 1`.
  }];
  let arguments = (ins NN_FloatTensor:$signal, NN_IndexTensor:$frame_step,
                       Optional<NN_FloatTensor>:$window, Optional<NN_IndexTensor>:$frame_length,
                       DefaultValuedAttr<I64Attr, "1">:$onesided);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$signal `,` $frame_step (`window` $window^)? (`length` $frame_length^)? attr-dict `:` functional-type(operands, results)";
}

def NN_WindowOp : NN_Op<"window", [Pure]> {
  let summary = "ONNX HannWindow, HammingWindow, BlackmanWindow";
  let description = [{
    A 1-D window of the length held by the scalar operand: `kind` is "hann",
    "hamming" or "blackman"; `periodic = 1` (default) gives the periodic form
    used for spectral analysis, 0 the symmetric one.
  }];
  let arguments = (ins NN_IndexTensor:$size, StrAttr:$kind,
                       DefaultValuedAttr<I64Attr, "1">:$periodic);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$size attr-dict `:` functional-type(operands, results)";
}

def NN_MelWeightMatrixOp : NN_Op<"mel_weight_matrix", [Pure]> {
  let summary = "ONNX MelWeightMatrix: triangular mel filter bank";
  let description = [{
    A [dft_length / 2 + 1, num_mel_bins] matrix that maps a onesided
    spectrum's bins to mel bands between `lower_edge_hertz` and
    `upper_edge_hertz` at `sample_rate` (the five scalar operands).
  }];
  let arguments = (ins NN_IndexTensor:$num_mel_bins, NN_IndexTensor:$dft_length,
                       NN_IndexTensor:$sample_rate, NN_FloatTensor:$lower_edge_hertz,
                       NN_FloatTensor:$upper_edge_hertz);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_TfIdfVectorizerOp : NN_Op<"tf_idf_vectorizer", [Pure]> {
  let summary = "ONNX TfIdfVectorizer (integer tokens): n-gram counts or weights";
  let description = [{
    Counts, in each row of integer tokens, the n-grams of `pool_int64s`
    (grouped by length from `ngram_counts`, with up to `max_skip_count`
    tokens skipped between members) of lengths `min_gram_length` ..
    `max_gram_length`; `mode` "TF" counts, "IDF" gives `weights` where
    present, "TFIDF" multiplies. Output column = `ngram_indexes` of the n-gram.
  }];
  let arguments = (ins NN_IndexTensor:$input, DenseI64ArrayAttr:$pool_int64s,
                       DenseI64ArrayAttr:$ngram_counts, DenseI64ArrayAttr:$ngram_indexes,
                       DefaultValuedAttr<F32ArrayAttr, "{}">:$weights, StrAttr:$mode,
                       I64Attr:$min_gram_length, I64Attr:$max_gram_length,
                       I64Attr:$max_skip_count);
  let results = (outs RankedTensorOf<[F32]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // OPENOPT_DIALECT_NN_SIGNAL_OPS
