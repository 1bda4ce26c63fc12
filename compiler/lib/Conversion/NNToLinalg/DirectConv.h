//===- DirectConv.h - small-image convolutions computed directly -*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_DIRECTCONV_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_DIRECTCONV_H

#include "Im2col.h"

#include "mlir/IR/Builders.h"

#include <optional>
#include <vector>

namespace openopt::lowering {

/// How a direct convolution walks its output: `rowTile` output pixels of a
/// row by kDirectConvFilters filters are one register tile.
struct DirectConvPlan {
  int64_t rowTile;
  /// The output rows are split into this many groups, each a unit of the
  /// parallel loop with a chunk of filters.
  int64_t rowGroups;
};

/// Filters per chunk of a direct convolution (two AVX-512 vectors).
constexpr int64_t kDirectConvFilters = 32;

/// The plan for a group-1 convolution of C to F channels, kernel KH x KW,
/// with an OH x OW output, or nullopt where im2col + matmul or Winograd is
/// the better route: the direct form pays on small maps (at most 256
/// pixels), where the weights' traffic weighs as much as the arithmetic,
/// with AVX-512 (`vectorBits` 512).
std::optional<DirectConvPlan> planDirectConv(int64_t channels, int64_t filters, int64_t kh,
                                             int64_t kw, int64_t oh, int64_t ow,
                                             int64_t vectorBits);

/// One image [C, H, W] convolved with the constant kernel `weights` ([F, C,
/// KH, KW], row-major) under `params` (group 1), plus `bias` [F] when given:
/// [1, F, OH, OW].
mlir::Value directConv2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value image,
                         const std::vector<float> &weights, mlir::Value bias, int64_t filters,
                         int64_t kh, int64_t kw, int64_t oh, int64_t ow, const Conv2DParams &params,
                         DirectConvPlan plan);

} // namespace openopt::lowering

#endif
