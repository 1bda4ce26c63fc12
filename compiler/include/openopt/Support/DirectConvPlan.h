//===- DirectConvPlan.h - when a convolution is computed directly -*- C++ -*-===//
//
// The rule that decides whether a group-1 convolution takes the direct,
// channels-last route (Conversion/NNToLinalg/DirectConv.h), shared by the
// lowering and by openopt-convert-layout, which keeps the layers that take
// it in channels-last between each other instead of transposing around
// each one.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SUPPORT_DIRECTCONVPLAN_H
#define OPENOPT_SUPPORT_DIRECTCONVPLAN_H

#include <cstdint>
#include <optional>

namespace openopt {

/// How a direct convolution walks its output: `rowTile` output pixels of a
/// row by `chunkFilters` filters are one register tile.
struct DirectConvPlan {
  int64_t rowTile;
  /// Filters per chunk (the register tile's width): 48 (three AVX-512
  /// vectors) where the filters divide by it, else 32.
  int64_t chunkFilters;
  /// The output rows are split into this many groups, each a unit of the
  /// parallel loop with a chunk of filters.
  int64_t rowGroups;
  /// Whether the parallel loop's units go row group by row group (each
  /// thread then reads its part of the input and all the weights) rather
  /// than filter chunk by filter chunk (all the input, its part of the
  /// weights): whichever of the two it reads less of.
  bool rowGroupsOuter;
  /// Input channels per step of the tap loop: one tap's weights for this
  /// many channels (channelBlock x chunkFilters floats, at most 24 KB) stay in L1
  /// while every tile of the row group uses them.
  int64_t channelBlock;
};

/// The plan for a group-1 convolution of C to F channels, kernel KH x KW,
/// with an OH x OW output, or nullopt where im2col + matmul or Winograd is
/// the better route: the direct form pays on small maps (at most 256
/// pixels), where the weights' traffic weighs as much as the arithmetic,
/// and for `strided` convolutions (a stride above 1) up to 1024 pixels,
/// with AVX-512 (`vectorBits` 512).
std::optional<DirectConvPlan> planDirectConv(int64_t channels, int64_t filters, int64_t kh,
                                             int64_t kw, int64_t oh, int64_t ow, bool strided,
                                             int64_t vectorBits);

} // namespace openopt

#endif
