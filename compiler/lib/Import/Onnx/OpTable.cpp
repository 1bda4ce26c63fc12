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
constexpr L kGemm[] = {L("alpha"), L("beta"), L("transA"), L("transB")};
constexpr L kConv[] = {L("auto_pad"), L("dilations"), L("group"),
                       L("kernel_shape"), L("pads"), L("strides")};
constexpr L kConvT[] = {L("auto_pad"), L("dilations"), L("group"),
                        L("kernel_shape"), L("pads"), L("strides"),
                        L("output_padding"), L("output_shape")};
constexpr L kBatchNorm[] = {L("epsilon"), L("momentum"), L("training_mode"),
                            L("spatial")};
constexpr L kLayerNorm[] = {L("axis"), L("epsilon"), L("stash_type")};
constexpr L kAxis[] = {L("axis")};
constexpr L kMaxPool[] = {L("auto_pad"), L("ceil_mode"), L("dilations"),
                          L("kernel_shape"), L("pads"), L("storage_order"),
                          L("strides")};
constexpr L kAvgPool[] = {L("auto_pad"), L("ceil_mode"), L("count_include_pad"),
                          L("kernel_shape"), L("pads"), L("strides")};
constexpr L kReduce[] = {L("axes"), L("keepdims"), L("noop_with_empty_axes")};
constexpr L kReshape[] = {L("allowzero")};
constexpr L kPerm[] = {L("perm")};
constexpr L kAxes[] = {L("axes")};
constexpr L kSplit[] = {L("axis"), L("split"), L("num_outputs")};
constexpr L kSlice[] = {L("starts"), L("ends"), L("axes")};
constexpr L kShape[] = {L("start"), L("end")};
constexpr L kValue[] = {L("value")};
constexpr L kPad[] = {L("mode"), L("pads"), L("value")};
constexpr L kResize[] = {L("mode"), L("coordinate_transformation_mode"),
                         L("nearest_mode"), L("cubic_coeff_a"),
                         L("exclude_outside"), L("extrapolation_value"),
                         L("scales")};

// Ops without attributes.
llvm::ArrayRef<L> none() { return {}; }

const llvm::StringMap<OpSupport> &defaultDomainTable() {
  static const llvm::StringMap<OpSupport> table = [] {
    llvm::StringMap<OpSupport> t;
    for (const char *name : {"Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal",
                             "Tanh", "Sigmoid", "Relu", "Erf", "Not", "Identity"})
      t[name] = {convertUnary, 1, none()};
    t["HardSwish"] = {convertUnary, 14, none()};
    for (const char *name : {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less",
                             "Greater"})
      t[name] = {convertBinary, 7, none()};
    t["Min"] = {convertVariadicMinMax, 1, none()};
    t["Max"] = {convertVariadicMinMax, 1, none()};
    t["Where"] = {convertWhere, 9, none()};
    t["Clip"] = {convertClip, 6, kClip};
    t["HardSigmoid"] = {convertHardSigmoid, 6, kAlphaBeta};
    t["LeakyRelu"] = {convertLeakyRelu, 6, kAlpha};
    t["Gelu"] = {convertGelu, 20, kGelu};
    t["Dropout"] = {convertDropout, 1, kDropout};
    t["Cast"] = {convertCast, 6, kCast};
    t["Constant"] = {convertConstant, 1, kConstant};
    t["MatMul"] = {convertMatMul, 1, none()};
    t["Gemm"] = {convertGemm, 7, kGemm};
    t["Conv"] = {convertConv, 1, kConv};
    t["ConvTranspose"] = {convertConvTranspose, 1, kConvT};
    t["BatchNormalization"] = {convertBatchNorm, 7, kBatchNorm};
    t["LayerNormalization"] = {convertLayerNorm, 17, kLayerNorm};
    t["Softmax"] = {convertSoftmax, 1, kAxis};
    t["MaxPool"] = {convertMaxPool, 1, kMaxPool};
    t["AveragePool"] = {convertAveragePool, 7, kAvgPool};
    t["GlobalAveragePool"] = {convertGlobalAveragePool, 1, none()};
    for (const char *name : {"ReduceMean", "ReduceSum", "ReduceMax"})
      t[name] = {convertReduce, 1, kReduce};
    t["Flatten"] = {convertFlatten, 1, kAxis};
    t["Reshape"] = {convertReshape, 5, kReshape};
    t["Transpose"] = {convertTranspose, 1, kPerm};
    t["Squeeze"] = {convertSqueeze, 1, kAxes};
    t["Unsqueeze"] = {convertUnsqueeze, 1, kAxes};
    t["Concat"] = {convertConcat, 4, kAxis};
    t["Split"] = {convertSplit, 2, kSplit};
    t["Slice"] = {convertSlice, 1, kSlice};
    t["Gather"] = {convertGather, 1, kAxis};
    t["Shape"] = {convertShape, 1, kShape};
    t["Size"] = {convertSize, 1, none()};
    t["ConstantOfShape"] = {convertConstantOfShape, 9, kValue};
    t["Expand"] = {convertExpand, 8, none()};
    t["Tile"] = {convertTile, 6, none()};
    t["Pad"] = {convertPad, 2, kPad};
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
  return nullptr;
}

} // namespace openopt::onnx_import
