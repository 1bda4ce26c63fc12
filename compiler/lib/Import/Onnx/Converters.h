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

// DataMovementConverters.cpp
Converted convertFlatten(NodeContext &ctx);
Converted convertReshape(NodeContext &ctx);
Converted convertTranspose(NodeContext &ctx);
Converted convertSqueeze(NodeContext &ctx);
Converted convertUnsqueeze(NodeContext &ctx);
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
