//===- PointwiseChannelsLast.h - NHWC 1x1 convolutions in chunks -*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_POINTWISECHANNELSLAST_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_POINTWISECHANNELSLAST_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace openopt::lowering {

/// Image rows per chunk for a 1x1 stride-1 channels-last convolution of one
/// image (OH x OW pixels, C to F channels) whose output is large enough for
/// an element-wise epilogue's separate pass over it to cost memory traffic,
/// or nullopt to compute it as one matmul.
std::optional<int64_t> planPointwiseChunks(int64_t oh, int64_t ow, int64_t c, int64_t f);

/// `input` [1, OH, OW, C] by `weight` [C, F] into [1, OH, OW, F], as a
/// parallel loop over chunks of `rowsPerChunk` image rows, each one matmul.
/// The result comes straight from the loop, so that openopt-fuse-elementwise
/// can move the bias and activation after it into the loop, to run on each
/// chunk while it is in the cache.
mlir::Value pointwiseConv2DInChunks(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                                    mlir::Value weight, int64_t rowsPerChunk);

} // namespace openopt::lowering

#endif
