//===- PointwiseChannelsLast.cpp - NHWC 1x1 convolutions in chunks ---------===//
//
// A MobileNet's 1x1 convolutions have few input channels (16 to 160) for
// large outputs: the matmul is quick and its output, a few MB, is then read
// and written again by the bias and ReLU6 pass. Computed a chunk of image
// rows at a time, with that pass fused into the chunk, the output is
// written once.
//
//===----------------------------------------------------------------------===//
#include "PointwiseChannelsLast.h"

#include "LoweringUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {

namespace {
// Outputs from this size are chunked (below, the epilogue's pass stays in
// the cache anyway); a chunk's input and output rows stay within the
// second budget.
constexpr int64_t kChunkedOutputBytes = 512 << 10;
constexpr int64_t kChunkBytes = 256 << 10;
} // namespace

std::optional<int64_t> planPointwiseChunks(int64_t oh, int64_t ow, int64_t c, int64_t f) {
  if (oh * ow * f * 4 < kChunkedOutputBytes)
    return std::nullopt;
  // Among the row counts that divide OH into at least two chunks and fit
  // the budget: pixels a multiple of 8 (whole register tiles), then an even
  // chunk count (two threads), then the largest chunk.
  std::optional<int64_t> best;
  auto score = [&](int64_t rows) {
    return std::make_tuple((rows * ow) % 8 == 0, (oh / rows) % 2 == 0, rows);
  };
  for (int64_t rows = 1; rows <= oh / 2; ++rows)
    if (oh % rows == 0 && rows * ow * (c + f) * 4 <= kChunkBytes &&
        (!best || score(rows) > score(*best)))
      best = rows;
  return best;
}

Value pointwiseConv2DInChunks(OpBuilder &b, Location loc, Value input, Value weight,
                              int64_t rowsPerChunk) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t oh = inType.getDimSize(1), ow = inType.getDimSize(2), c = inType.getDimSize(3);
  int64_t f = cast<RankedTensorType>(weight.getType()).getDimSize(1);
  int64_t rows = rowsPerChunk, pixels = rows * ow;
  Type element = inType.getElementType();
  auto outType = RankedTensorType::get({1, oh, ow, f}, element);
  return forEachRowChunk(b, loc, outType, 1, rows, [&](OpBuilder &nb, Location nloc,
                                                       Value firstRow) {
    Value slice = tensor::ExtractSliceOp::create(
        nb, nloc, RankedTensorType::get({1, rows, ow, c}, element), input,
        ArrayRef<OpFoldResult>{nb.getIndexAttr(0), firstRow, nb.getIndexAttr(0),
                               nb.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{nb.getIndexAttr(1), nb.getIndexAttr(rows), nb.getIndexAttr(ow),
                               nb.getIndexAttr(c)},
        SmallVector<OpFoldResult>(4, nb.getIndexAttr(1)));
    auto productType = RankedTensorType::get({pixels, f}, element);
    Value product = matmul2D(nb, nloc, reshapeTo(nb, nloc, slice, {pixels, c}), weight,
                             zeroAccumulator(nb, nloc, productType));
    return reshapeTo(nb, nloc, product, {1, rows, ow, f});
  });
}

} // namespace openopt::lowering
