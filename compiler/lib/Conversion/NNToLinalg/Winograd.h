//===- Winograd.h - 3x3 convolutions as Winograd F(2x2, 3x3) --*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_WINOGRAD_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_WINOGRAD_H

#include "mlir/IR/Builders.h"

#include <optional>
#include <vector>

namespace openopt::lowering {

/// The grid of 2x2 output tiles a Winograd convolution computes (at least
/// ceil(OH/2) x ceil(OW/2)), in chunks of `chunkRows` tile rows, computed in
/// parallel, each small enough for its intermediates to stay in cache and
/// with a tile count that suits the matmul schedule (a multiple of 16).
struct WinogradTiles {
  int64_t rows, cols, chunkRows;
};

/// The tile grid for a 3x3, stride-1 convolution of C to F channels with an
/// OH x OW output, or nullopt where the transforms would cost more than the
/// 2.25x fewer multiplications save (few channels, a grid padded too much).
std::optional<WinogradTiles> planWinograd(int64_t channels, int64_t filters, int64_t oh,
                                          int64_t ow);

/// One image [C, H, W] convolved with the constant 3x3 kernel `weights`
/// ([F, C, 3, 3], row-major) at stride 1, padTop/padLeft zeros before the
/// image (and as many as the output needs after it), plus `bias` [F] when
/// given: [F, OH, OW]. `vectorBits` (512: AVX-512) sets how many blocks the
/// transforms take per vector.
mlir::Value winogradConv2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value image,
                           const std::vector<float> &weights, mlir::Value bias, int64_t padTop,
                           int64_t padLeft, int64_t filters, int64_t oh, int64_t ow,
                           WinogradTiles tiles, int64_t vectorBits);

} // namespace openopt::lowering

#endif
