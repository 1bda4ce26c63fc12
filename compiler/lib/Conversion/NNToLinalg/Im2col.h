//===- Im2col.h - convolutions as matmuls over gathered columns -*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_IM2COL_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_IM2COL_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace openopt::lowering {

/// A 2-D convolution's geometry.
struct Conv2DParams {
  int64_t strides[2], dilations[2], pads[4]; // pads: top, left, bottom, right
  int64_t groups;
};

/// One image: input [C, H, W] (already padded) -> col [G, Cg*KH*KW, OH*OW].
mlir::Value im2col(mlir::OpBuilder &b, mlir::Location loc, mlir::Value image, int64_t groups,
                   int64_t kh, int64_t kw, int64_t oh, int64_t ow, const Conv2DParams &p);

/// Output rows per chunk when a convolution's column buffer ([K, OH*OW]
/// floats) is too large to stay in the cache between the gather and the
/// matmul (the 7x7 stem's is 7 MB), or nullopt to gather it whole (a small
/// buffer, or no row count that divides OH gives chunks within the budget).
std::optional<int64_t> planIm2colChunks(int64_t k, int64_t oh, int64_t ow);

/// One padded image [C, Hp, Wp] convolved (group 1) with `weight` [F, K],
/// K = C*KH*KW, into [1, F, OH, OW]: a parallel loop over chunks of
/// `rowsPerChunk` output rows, each gathering its own columns and
/// multiplying them while they are in the cache. The result comes straight
/// from the loop, so that openopt-fuse-elementwise can move the bias and
/// activation after it into the loop.
mlir::Value chunkedIm2colConv2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value image,
                                mlir::Value weight, int64_t kh, int64_t kw, int64_t oh,
                                int64_t ow, const Conv2DParams &p, int64_t rowsPerChunk);

} // namespace openopt::lowering

#endif
