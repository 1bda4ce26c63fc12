//===- DirectConv.h - small-image convolutions computed directly -*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_DIRECTCONV_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_DIRECTCONV_H

#include "Im2col.h"

#include "openopt/Support/DirectConvPlan.h"

#include "mlir/IR/Builders.h"

#include <optional>
#include <vector>

namespace openopt::lowering {

/// One image [C, H, W] convolved with the constant kernel `weights` ([F, C,
/// KH, KW], row-major) under `params` (group 1), plus `bias` [F] when given:
/// [1, F, OH, OW].
mlir::Value directConv2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value image,
                         const std::vector<float> &weights, mlir::Value bias, int64_t filters,
                         int64_t kh, int64_t kw, int64_t oh, int64_t ow, const Conv2DParams &params,
                         DirectConvPlan plan);

/// The same for one channels-last image [1, H, W, C] (the weights still
/// [F, C, KH, KW]), without the bias: [1, OH, OW, F], no transpose on either
/// side.
mlir::Value directConv2DChannelsLast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value image,
                                     const std::vector<float> &weights, int64_t filters,
                                     int64_t kh, int64_t kw, int64_t oh, int64_t ow,
                                     const Conv2DParams &params, DirectConvPlan plan);

} // namespace openopt::lowering

#endif
