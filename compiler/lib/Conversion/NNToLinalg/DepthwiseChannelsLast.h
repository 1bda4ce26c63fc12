//===- DepthwiseChannelsLast.h - NHWC depthwise convolutions ----*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_DEPTHWISECHANNELSLAST_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_DEPTHWISECHANNELSLAST_H

#include "mlir/IR/Builders.h"

namespace openopt::lowering {

/// A 2-D depthwise convolution in channels-last layout: `input` [N, H, W, C]
/// by `weight` [KH, KW, 1, C] (+ `bias` [C], may be null) into `resultType`
/// [N, OH, OW, C]. `pads` is top, left, bottom, right. Static shapes.
mlir::Value depthwiseConv2DChannelsLast(mlir::OpBuilder &b, mlir::Location loc,
                                        mlir::Value input, mlir::Value weight,
                                        mlir::Value bias, llvm::ArrayRef<int64_t> strides,
                                        llvm::ArrayRef<int64_t> dilations,
                                        llvm::ArrayRef<int64_t> pads,
                                        mlir::RankedTensorType resultType);

} // namespace openopt::lowering

#endif
