//===- OpTable.cpp - which ONNX ops are supported, and how -----------------===//
#include "Converters.h"

#include "llvm/ADT/StringMap.h"

namespace openopt::onnx_import {
namespace {

using L = llvm::StringLiteral;
constexpr L kAlpha[] = {L("alpha")};
constexpr L kAlphaBeta[] = {L("alpha"), L("beta")};
constexpr L kClip[] = {L("min"), L("max")};
constexpr L kGelu[] = {L("approximate")};
constexpr L kDropout[] = {L("ratio"), L("seed"), L("is_test")};
constexpr L kCast[] = {L("to"), L("saturate")};
constexpr L kConstant[] = {L("value"), L("value_float"), L("value_floats"),
                           L("value_int"), L("value_ints")};
constexpr L kGemm[] = {L("alpha"), L("beta"), L("transA"), L("transB"), L("broadcast")};
constexpr L kConv[] = {L("auto_pad"), L("dilations"), L("group"),
                       L("kernel_shape"), L("pads"), L("strides")};
constexpr L kConvT[] = {L("auto_pad"), L("dilations"), L("group"),
                        L("kernel_shape"), L("pads"), L("strides"),
                        L("output_padding"), L("output_shape")};
constexpr L kBatchNorm[] = {L("epsilon"), L("momentum"), L("training_mode"),
                            L("spatial"), L("is_test")};
constexpr L kLayerNorm[] = {L("axis"), L("epsilon"), L("stash_type")};
constexpr L kAxis[] = {L("axis")};
constexpr L kMaxPool[] = {L("auto_pad"), L("ceil_mode"), L("dilations"),
                          L("kernel_shape"), L("pads"), L("storage_order"),
                          L("strides")};
constexpr L kAvgPool[] = {L("auto_pad"), L("ceil_mode"), L("count_include_pad"),
                          L("kernel_shape"), L("pads"), L("strides")};
constexpr L kReduce[] = {L("axes"), L("keepdims"), L("noop_with_empty_axes")};
constexpr L kReshape[] = {L("allowzero"), L("shape")};
constexpr L kPerm[] = {L("perm")};
constexpr L kAxes[] = {L("axes")};
constexpr L kSplit[] = {L("axis"), L("split"), L("num_outputs")};
constexpr L kSlice[] = {L("starts"), L("ends"), L("axes")};
constexpr L kShape[] = {L("start"), L("end")};
constexpr L kValue[] = {L("value")};
constexpr L kPad[] = {L("mode"), L("pads"), L("value"), L("paddings")};
constexpr L kResize[] = {L("mode"), L("coordinate_transformation_mode"),
                         L("nearest_mode"), L("cubic_coeff_a"),
                         L("exclude_outside"), L("extrapolation_value"),
                         L("scales"), L("antialias")};
constexpr L kBroadcast[] = {L("broadcast"), L("axis")};
constexpr L kMod[] = {L("fmod")};
constexpr L kBitShift[] = {L("direction")};
constexpr L kElu[] = {L("alpha")};
constexpr L kSelu[] = {L("alpha"), L("gamma")};
constexpr L kShrink[] = {L("bias"), L("lambd")};
constexpr L kIsInf[] = {L("detect_negative"), L("detect_positive")};
constexpr L kArgReduce[] = {L("axis"), L("keepdims"), L("select_last_index")};
constexpr L kLoss[] = {L("reduction"), L("ignore_index")};
constexpr L kLrn[] = {L("size"), L("alpha"), L("beta"), L("bias")};
constexpr L kEpsilon[] = {L("epsilon")};
constexpr L kMvn[] = {L("axes")};
constexpr L kUnpool[] = {L("kernel_shape"), L("pads"), L("strides")};
constexpr L kEquation[] = {L("equation")};
constexpr L kRoiAlign[] = {L("mode"), L("output_height"), L("output_width"),
                           L("sampling_ratio"), L("spatial_scale"),
                           L("coordinate_transformation_mode")};
constexpr L kGridSample[] = {L("align_corners"), L("mode"), L("padding_mode")};
constexpr L kQuant[] = {L("axis"), L("saturate")};
constexpr L kReduction[] = {L("axis"), L("reduction")};
constexpr L kScatterND[] = {L("reduction")};
constexpr L kBatchDims[] = {L("batch_dims")};
constexpr L kCompress[] = {L("axis")};
constexpr L kUnique[] = {L("axis"), L("sorted")};
constexpr L kTopK[] = {L("axis"), L("largest"), L("sorted"), L("k")};
constexpr L kCumSum[] = {L("exclusive"), L("reverse")};
constexpr L kTrilu[] = {L("upper")};
constexpr L kEyeLike[] = {L("dtype"), L("k")};
constexpr L kReverseSequence[] = {L("batch_axis"), L("time_axis")};
constexpr L kNms[] = {L("center_point_box")};
constexpr L kDepthToSpace[] = {L("blocksize"), L("mode")};
constexpr L kIf[] = {L("then_branch"), L("else_branch")};
constexpr L kLoop[] = {L("body")};
constexpr L kScan[] = {L("body"), L("num_scan_inputs"), L("scan_input_axes"),
                       L("scan_input_directions"), L("scan_output_axes"),
                       L("scan_output_directions"), L("directions")};
constexpr L kRecurrent[] = {L("activations"), L("activation_alpha"), L("activation_beta"),
                            L("clip"), L("direction"), L("hidden_size"), L("layout"),
                            L("linear_before_reset"), L("input_forget")};
constexpr L kDft[] = {L("axis"), L("inverse"), L("onesided")};
constexpr L kStft[] = {L("onesided")};
constexpr L kWindow[] = {L("output_datatype"), L("periodic")};
constexpr L kMel[] = {L("output_datatype")};
constexpr L kTfIdf[] = {L("max_gram_length"), L("max_skip_count"), L("min_gram_length"),
                        L("mode"), L("ngram_counts"), L("ngram_indexes"), L("pool_int64s"),
                        L("weights")};
constexpr L kRandom[] = {L("dtype"), L("high"), L("low"), L("mean"), L("scale"),
                         L("seed"), L("shape")};
constexpr L kAdagrad[] = {L("decay_factor"), L("epsilon"), L("norm_coefficient")};
constexpr L kMomentum[] = {L("alpha"), L("beta"), L("mode"), L("norm_coefficient")};
constexpr L kGradient[] = {L("xs"), L("y"), L("zs")};
constexpr L kAdam[] = {L("alpha"), L("beta"), L("epsilon"), L("norm_coefficient"),
                       L("norm_coefficient_post")};

constexpr L kSequenceEmpty[] = {L("dtype")};
constexpr L kSplitToSequence[] = {L("axis"), L("keepdims")};
constexpr L kConcatFromSequence[] = {L("axis"), L("new_axis")};
constexpr L kOptionalType[] = {L("type")};

// Ops without attributes.
llvm::ArrayRef<L> none() { return {}; }

const llvm::StringMap<OpSupport> &defaultDomainTable() {
  static const llvm::StringMap<OpSupport> table = [] {
    llvm::StringMap<OpSupport> t;
    for (const char *name : {"Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal",
                             "Tanh", "Sigmoid", "Relu", "Erf", "Not",
                             "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
                             "Asinh", "Acosh", "Atanh", "Floor", "Ceil", "Round", "Sign",
                             "Softplus", "Softsign", "IsNaN"})
      t[name] = {convertUnary, 1, none()};
    t["HardSwish"] = {convertUnary, 14, none()};
    for (const char *name : {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less",
                             "Greater", "And", "Or", "Xor"})
      t[name] = {convertBinary, 1, kBroadcast};
    for (const char *name : {"GreaterOrEqual", "LessOrEqual"})
      t[name] = {convertBinary, 12, none()};
    t["PRelu"] = {convertBinary, 1, none()};
    t["Mod"] = {convertBinary, 10, kMod};
    t["BitShift"] = {convertBinary, 11, kBitShift};
    t["Elu"] = {convertParamUnary, 1, kElu};
    t["Celu"] = {convertParamUnary, 12, kElu};
    t["ThresholdedRelu"] = {convertParamUnary, 10, kElu};
    t["Selu"] = {convertParamUnary, 1, kSelu};
    t["Shrink"] = {convertParamUnary, 9, kShrink};
    t["IsInf"] = {convertIsInf, 10, kIsInf};
    t["Sum"] = {convertVariadicSum, 1, none()};
    t["Mean"] = {convertVariadicSum, 1, none()};
    t["CastLike"] = {convertCastLike, 15, kCast};
    for (const char *name : {"RandomUniform", "RandomNormal", "RandomUniformLike",
                             "RandomNormalLike", "Bernoulli"})
      t[name] = {convertRandom, 1, kRandom};
    t["LogSoftmax"] = {convertSoftmax, 1, kAxis};
    t["Hardmax"] = {convertSoftmax, 1, kAxis};
    t["ArgMax"] = {convertArgReduce, 1, kArgReduce};
    t["ArgMin"] = {convertArgReduce, 1, kArgReduce};
    t["NegativeLogLikelihoodLoss"] = {convertNllLoss, 12, kLoss};
    t["SoftmaxCrossEntropyLoss"] = {convertSoftmaxCrossEntropy, 12, kLoss};
    t["InstanceNormalization"] = {convertInstanceNorm, 1, kEpsilon};
    t["LRN"] = {convertLrn, 1, kLrn};
    t["MeanVarianceNormalization"] = {convertMeanVarianceNorm, 9, kMvn};
    t["GlobalMaxPool"] = {convertGlobalMaxPool, 1, none()};
    t["MaxUnpool"] = {convertMaxUnpool, 9, kUnpool};
    t["Einsum"] = {convertEinsum, 12, kEquation};
    t["Det"] = {convertDet, 11, none()};
    t["RoiAlign"] = {convertRoiAlign, 10, kRoiAlign};
    t["GridSample"] = {convertGridSample, 16, kGridSample};
    t["QuantizeLinear"] = {convertQuantizeLinear, 10, kQuant};
    t["DequantizeLinear"] = {convertDequantizeLinear, 10, kQuant};
    t["DynamicQuantizeLinear"] = {convertDynamicQuantizeLinear, 11, none()};
    t["MatMulInteger"] = {convertMatMulInteger, 10, none()};
    t["ConvInteger"] = {convertConvInteger, 10, kConv};
    t["QLinearMatMul"] = {convertQLinearMatMul, 10, none()};
    t["QLinearConv"] = {convertQLinearConv, 10, kConv};
    t["GatherElements"] = {convertGatherElements, 11, kAxis};
    t["ScatterElements"] = {convertScatterElements, 11, kReduction};
    t["Scatter"] = {convertScatterElements, 9, kAxis};
    t["GatherND"] = {convertGatherND, 11, kBatchDims};
    t["ScatterND"] = {convertScatterND, 11, kScatterND};
    t["OneHot"] = {convertOneHot, 9, kAxis};
    t["Compress"] = {convertCompress, 9, kCompress};
    t["NonZero"] = {convertNonZero, 9, none()};
    t["Unique"] = {convertUnique, 11, kUnique};
    t["TopK"] = {convertTopK, 1, kTopK};
    t["CumSum"] = {convertCumSum, 11, kCumSum};
    t["Trilu"] = {convertTrilu, 14, kTrilu};
    t["EyeLike"] = {convertEyeLike, 9, kEyeLike};
    t["Range"] = {convertRange, 11, none()};
    t["ReverseSequence"] = {convertReverseSequence, 10, kReverseSequence};
    t["NonMaxSuppression"] = {convertNonMaxSuppression, 10, kNms};
    t["DepthToSpace"] = {convertDepthToSpace, 1, kDepthToSpace};
    t["SpaceToDepth"] = {convertDepthToSpace, 1, kDepthToSpace};
    t["If"] = {convertIf, 1, kIf, /*acceptsSequences=*/true};
    t["Loop"] = {convertLoop, 1, kLoop, true};
    t["Identity"] = {convertIdentity, 1, none(), true};
    t["SequenceEmpty"] = {convertSequenceEmpty, 11, kSequenceEmpty};
    t["SequenceConstruct"] = {convertSequenceConstruct, 11, none()};
    t["SequenceInsert"] = {convertSequenceInsert, 11, none(), true};
    t["SequenceErase"] = {convertSequenceErase, 11, none(), true};
    t["SequenceAt"] = {convertSequenceAt, 11, none(), true};
    t["SequenceLength"] = {convertSequenceLength, 11, none(), true};
    t["SplitToSequence"] = {convertSplitToSequence, 11, kSplitToSequence};
    t["ConcatFromSequence"] = {convertConcatFromSequence, 11, kConcatFromSequence, true};
    t["SequenceMap"] = {convertSequenceMap, 17, kLoop, true};
    t["Optional"] = {convertOptional, 15, kOptionalType, true};
    t["OptionalHasElement"] = {convertOptionalHasElement, 15, none(), true};
    t["OptionalGetElement"] = {convertOptionalGetElement, 15, none(), true};
    t["Scan"] = {convertScan, 8, kScan};
    for (const char *name : {"RNN", "GRU", "LSTM"})
      t[name] = {convertRecurrent, 1, kRecurrent};
    t["DFT"] = {convertDft, 17, kDft};
    t["STFT"] = {convertStft, 17, kStft};
    for (const char *name : {"HannWindow", "HammingWindow", "BlackmanWindow"})
      t[name] = {convertWindow, 17, kWindow};
    t["MelWeightMatrix"] = {convertMelWeightMatrix, 17, kMel};
    t["TfIdfVectorizer"] = {convertTfIdfVectorizer, 9, kTfIdf};
    t["Min"] = {convertVariadicMinMax, 1, none()};
    t["Max"] = {convertVariadicMinMax, 1, none()};
    t["Where"] = {convertWhere, 9, none()};
    t["Clip"] = {convertClip, 1, kClip};
    t["HardSigmoid"] = {convertHardSigmoid, 1, kAlphaBeta};
    t["LeakyRelu"] = {convertLeakyRelu, 1, kAlpha};
    t["Gelu"] = {convertGelu, 20, kGelu};
    t["Dropout"] = {convertDropout, 1, kDropout};
    t["Cast"] = {convertCast, 1, kCast};
    t["Constant"] = {convertConstant, 1, kConstant};
    t["MatMul"] = {convertMatMul, 1, none()};
    t["Gemm"] = {convertGemm, 1, kGemm};
    t["Conv"] = {convertConv, 1, kConv};
    t["ConvTranspose"] = {convertConvTranspose, 1, kConvT};
    t["BatchNormalization"] = {convertBatchNorm, 1, kBatchNorm};
    t["LayerNormalization"] = {convertLayerNorm, 17, kLayerNorm};
    t["Softmax"] = {convertSoftmax, 1, kAxis};
    t["MaxPool"] = {convertMaxPool, 1, kMaxPool};
    t["AveragePool"] = {convertAveragePool, 1, kAvgPool};
    t["GlobalAveragePool"] = {convertGlobalAveragePool, 1, none()};
    for (const char *name : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
                             "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
                             "ReduceSumSquare"})
      t[name] = {convertReduce, 1, kReduce};
    t["Flatten"] = {convertFlatten, 1, kAxis};
    t["Reshape"] = {convertReshape, 1, kReshape};
    t["Transpose"] = {convertTranspose, 1, kPerm};
    t["Squeeze"] = {convertSqueezeLike, 1, kAxes};
    t["Unsqueeze"] = {convertSqueezeLike, 1, kAxes};
    t["Concat"] = {convertConcat, 4, kAxis};
    t["Split"] = {convertSplit, 1, kSplit};
    t["Slice"] = {convertSlice, 1, kSlice};
    t["Gather"] = {convertGather, 1, kAxis};
    t["Shape"] = {convertShape, 1, kShape};
    t["Size"] = {convertSize, 1, none()};
    t["ConstantOfShape"] = {convertConstantOfShape, 9, kValue};
    t["Expand"] = {convertExpand, 8, none()};
    t["Tile"] = {convertTile, 1, none()};
    t["Pad"] = {convertPad, 1, kPad};
    t["Resize"] = {convertResize, 10, kResize};
    t["Upsample"] = {convertResize, 7, kResize};
    return t;
  }();
  return table;
}

} // namespace

const OpSupport *lookupOp(llvm::StringRef domain, llvm::StringRef opType) {
  if (domain.empty() || domain == "ai.onnx") {
    const auto &table = defaultDomainTable();
    auto it = table.find(opType);
    return it == table.end() ? nullptr : &it->second;
  }
  // ONNX Runtime's contrib Gelu, which exporters emitted before opset 20.
  static const OpSupport msGelu = {convertGelu, 1, kGelu};
  if (domain == "com.microsoft" && opType == "Gelu")
    return &msGelu;
  static const OpSupport adagrad = {convertAdagrad, 1, kAdagrad};
  static const OpSupport momentum = {convertMomentum, 1, kMomentum};
  static const OpSupport adam = {convertAdam, 1, kAdam};
  static const OpSupport gradient = {convertGradient, 1, kGradient};
  if (domain == "ai.onnx.preview.training") {
    if (opType == "Adagrad")
      return &adagrad;
    if (opType == "Momentum")
      return &momentum;
    if (opType == "Adam")
      return &adam;
    if (opType == "Gradient")
      return &gradient;
  }
  return nullptr;
}

} // namespace openopt::onnx_import
