//===- Converters.h - ONNX node converters, by family ------------*- C++ -*-===//
#ifndef OPENOPT_LIB_IMPORT_ONNX_CONVERTERS_H
#define OPENOPT_LIB_IMPORT_ONNX_CONVERTERS_H

#include "NodeContext.h"

namespace openopt::onnx_import {

using Values = llvm::SmallVector<mlir::Value>;
using Converted = mlir::FailureOr<Values>;

// Wraps a single created value as a converter result.
inline Converted single(mlir::FailureOr<mlir::Value> v) {
  if (mlir::failed(v))
    return mlir::failure();
  return Values{*v};
}

// ElementwiseConverters.cpp
Converted convertUnary(NodeContext &ctx);
Converted convertBinary(NodeContext &ctx);
Converted convertVariadicMinMax(NodeContext &ctx);
Converted convertWhere(NodeContext &ctx);
Converted convertClip(NodeContext &ctx);
Converted convertHardSigmoid(NodeContext &ctx);
Converted convertLeakyRelu(NodeContext &ctx);
Converted convertGelu(NodeContext &ctx);
Converted convertDropout(NodeContext &ctx);
Converted convertCast(NodeContext &ctx);
Converted convertConstant(NodeContext &ctx);
Converted convertParamUnary(NodeContext &ctx);
Converted convertIsInf(NodeContext &ctx);
Converted convertVariadicSum(NodeContext &ctx);
Converted convertCastLike(NodeContext &ctx);
Converted convertRandom(NodeContext &ctx);
/// The two operands of a binary node, with opset 1-6 `broadcast`/`axis`
/// resolved into numpy broadcasting.
mlir::FailureOr<llvm::SmallVector<mlir::Value, 2>> legacyBroadcastOperands(NodeContext &ctx);

// GradientConverter.cpp
Converted convertGradient(NodeContext &ctx);

// SequenceConverters.cpp
Converted convertSequenceEmpty(NodeContext &ctx);
Converted convertSequenceConstruct(NodeContext &ctx);
Converted convertSequenceInsert(NodeContext &ctx);
Converted convertSequenceErase(NodeContext &ctx);
Converted convertSequenceAt(NodeContext &ctx);
Converted convertSequenceLength(NodeContext &ctx);
Converted convertSplitToSequence(NodeContext &ctx);
Converted convertConcatFromSequence(NodeContext &ctx);
Converted convertSequenceMap(NodeContext &ctx);
Converted convertOptional(NodeContext &ctx);
Converted convertOptionalHasElement(NodeContext &ctx);
Converted convertOptionalGetElement(NodeContext &ctx);
Converted convertIdentity(NodeContext &ctx);

// NetworkConverters.cpp
Converted convertMatMul(NodeContext &ctx);
Converted convertGemm(NodeContext &ctx);
Converted convertConv(NodeContext &ctx);
Converted convertConvTranspose(NodeContext &ctx);
Converted convertBatchNorm(NodeContext &ctx);
Converted convertLayerNorm(NodeContext &ctx);
Converted convertSoftmax(NodeContext &ctx);
Converted convertMaxPool(NodeContext &ctx);
Converted convertAveragePool(NodeContext &ctx);
Converted convertGlobalAveragePool(NodeContext &ctx);
Converted convertReduce(NodeContext &ctx);
Converted convertArgReduce(NodeContext &ctx);
Converted convertGlobalMaxPool(NodeContext &ctx);
Converted convertMaxUnpool(NodeContext &ctx);
Converted convertEinsum(NodeContext &ctx);
Converted convertDet(NodeContext &ctx);
Converted convertRoiAlign(NodeContext &ctx);
Converted convertGridSample(NodeContext &ctx);

// NormalizationConverters.cpp
Converted convertInstanceNorm(NodeContext &ctx);
Converted convertLrn(NodeContext &ctx);
Converted convertMeanVarianceNorm(NodeContext &ctx);
Converted convertNllLoss(NodeContext &ctx);
Converted convertSoftmaxCrossEntropy(NodeContext &ctx);

// QuantizationConverters.cpp
Converted convertQuantizeLinear(NodeContext &ctx);
Converted convertDequantizeLinear(NodeContext &ctx);
Converted convertDynamicQuantizeLinear(NodeContext &ctx);
Converted convertMatMulInteger(NodeContext &ctx);
Converted convertConvInteger(NodeContext &ctx);
Converted convertQLinearMatMul(NodeContext &ctx);
Converted convertQLinearConv(NodeContext &ctx);

// IndexingConverters.cpp
Converted convertGatherElements(NodeContext &ctx);
Converted convertScatterElements(NodeContext &ctx);
Converted convertGatherND(NodeContext &ctx);
Converted convertScatterND(NodeContext &ctx);
Converted convertOneHot(NodeContext &ctx);
Converted convertCompress(NodeContext &ctx);
Converted convertNonZero(NodeContext &ctx);
Converted convertUnique(NodeContext &ctx);
Converted convertTopK(NodeContext &ctx);
Converted convertCumSum(NodeContext &ctx);
Converted convertTrilu(NodeContext &ctx);
Converted convertEyeLike(NodeContext &ctx);
Converted convertRange(NodeContext &ctx);
Converted convertReverseSequence(NodeContext &ctx);
Converted convertNonMaxSuppression(NodeContext &ctx);

// ControlFlowConverters.cpp
Converted convertIf(NodeContext &ctx);
Converted convertLoop(NodeContext &ctx);
Converted convertScan(NodeContext &ctx);

// RecurrentConverters.cpp
Converted convertRecurrent(NodeContext &ctx);

// SignalConverters.cpp
Converted convertDft(NodeContext &ctx);
Converted convertStft(NodeContext &ctx);
Converted convertWindow(NodeContext &ctx);
Converted convertMelWeightMatrix(NodeContext &ctx);
Converted convertTfIdfVectorizer(NodeContext &ctx);

// TrainingConverters.cpp
Converted convertAdagrad(NodeContext &ctx);
Converted convertMomentum(NodeContext &ctx);
Converted convertAdam(NodeContext &ctx);

// DataMovementConverters.cpp
Converted convertFlatten(NodeContext &ctx);
Converted convertReshape(NodeContext &ctx);
Converted convertTranspose(NodeContext &ctx);
Converted convertSqueezeLike(NodeContext &ctx);
Converted convertDepthToSpace(NodeContext &ctx);
Converted convertConcat(NodeContext &ctx);
Converted convertSplit(NodeContext &ctx);
Converted convertSlice(NodeContext &ctx);
Converted convertGather(NodeContext &ctx);
Converted convertShape(NodeContext &ctx);
Converted convertSize(NodeContext &ctx);
Converted convertConstantOfShape(NodeContext &ctx);
Converted convertExpand(NodeContext &ctx);
Converted convertTile(NodeContext &ctx);
Converted convertPad(NodeContext &ctx);
Converted convertResize(NodeContext &ctx);

/// Builds an nn.constant from an ONNX tensor (Constant nodes, initializers).
mlir::FailureOr<mlir::Value> constantFromTensor(NodeContext &ctx,
                                                const onnx::TensorProto &tensor);

} // namespace openopt::onnx_import

#endif // OPENOPT_LIB_IMPORT_ONNX_CONVERTERS_H
