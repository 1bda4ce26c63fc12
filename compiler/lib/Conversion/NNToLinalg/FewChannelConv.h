//===- FewChannelConv.h - convolutions of few-channel images ----*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_FEWCHANNELCONV_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_FEWCHANNELCONV_H

#include "Im2col.h"

#include "mlir/IR/Builders.h"

#include <optional>
#include <vector>

namespace openopt::lowering {

/// Output pixels per register tile when a group-1 convolution of C to F
/// channels with an OW-wide output is computed as fewChannelConv2D, or
/// nullopt: an image of at most 4 channels (a network's first layer),
/// filters in whole AVX-512 vectors (16 to 64), `vectorBits` 512, and a
/// tile of 4 to 8 pixels that divides OW.
std::optional<int64_t> planFewChannelConv(int64_t channels, int64_t filters, int64_t ow,
                                          int64_t vectorBits);

/// The convolution of one padded image with the constant kernel `hwcf`
/// ([KH, KW, C, F], row-major), no bias: [1, OH, OW, F]. `padded` is
/// [C, H, W] or, `channelsLast`, [H, W, C], with the convolution's padding
/// already applied.
mlir::Value fewChannelConv2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value padded,
                             bool channelsLast, const std::vector<float> &hwcf,
                             int64_t filters, int64_t kh, int64_t kw, int64_t oh, int64_t ow,
                             const Conv2DParams &params, int64_t tile);

} // namespace openopt::lowering

#endif
