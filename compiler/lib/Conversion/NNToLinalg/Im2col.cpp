//===- Im2col.cpp - convolutions as matmuls over gathered columns ----------===//
//
// A convolution of [C, H, W] by [F, C, KH, KW] is the matmul [F, K] x
// [K, OH*OW], K = C*KH*KW, of its weight by the column buffer that gathers,
// for each output pixel, the KH*KW*C input values under its window. The
// buffer is KH*KW/(stride^2) times the input; when it outgrows the cache
// (the 7x7 stride-2 stem of a ResNet: 147 x 12544 floats, 7 MB) it is
// gathered and multiplied a chunk of output rows at a time instead, in a
// parallel loop, so that each chunk's columns are read back from the L2
// cache rather than from memory.
//
//===----------------------------------------------------------------------===//
#include "Im2col.h"

#include "LoweringUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {

namespace {
// A column buffer up to this size is gathered whole; larger ones in chunks
// of at most kChunkBytes (the L2 cache is 1 MB on the hosts measured; a
// chunk shares it with its slice of the weight and the product).
constexpr int64_t kWholeBytes = int64_t(1) << 20;
constexpr int64_t kChunkBytes = 640 << 10;
// Chunks this many pixels wide or more amortize their loop (the matmul's
// cache tiles are 256 wide).
constexpr int64_t kMinChunkPixels = 128;
} // namespace

Value im2col(OpBuilder &b, Location loc, Value image, int64_t groups, int64_t kh,
             int64_t kw, int64_t oh, int64_t ow, const Conv2DParams &p) {
  auto type = cast<RankedTensorType>(image.getType());
  int64_t c = type.getDimSize(0), cg = c / groups;
  Type element = type.getElementType();
  if (kh == 1 && kw == 1 && p.strides[0] == 1 && p.strides[1] == 1)
    return reshapeTo(b, loc, image, {groups, cg, oh * ow});
  MLIRContext *ctx = b.getContext();
  // Loops (g, c, kh, kw, oh, ow) read image[g*Cg + c, oh*sh + kh*dh, ow*sw + kw*dw].
  AffineExpr g, ci, y, x, oy, ox;
  bindDims(ctx, g, ci, y, x, oy, ox);
  auto inputMap = AffineMap::get(
      6, 0,
      {g * cg + ci, oy * p.strides[0] + y * p.dilations[0], ox * p.strides[1] + x * p.dilations[1]},
      ctx);
  auto colType = RankedTensorType::get({groups, cg, kh, kw, oh, ow}, element);
  SmallVector<utils::IteratorType> iterators(6, utils::IteratorType::parallel);
  Value col = linalg::GenericOp::create(
                  b, loc, colType, image, emptyTensor(b, loc, colType),
                  ArrayRef<AffineMap>{inputMap, b.getMultiDimIdentityMap(6)}, iterators,
                  [](OpBuilder &nb, Location nloc, ValueRange args) {
                    linalg::YieldOp::create(nb, nloc, args[0]);
                  })
                  .getResult(0);
  return reshapeTo(b, loc, col, {groups, cg * kh * kw, oh * ow});
}

std::optional<int64_t> planIm2colChunks(int64_t k, int64_t oh, int64_t ow) {
  if (k * oh * ow * 4 <= kWholeBytes)
    return std::nullopt;
  // Among the row counts that divide OH and fit the budget: the least
  // padding of the chunk's pixels to whole register tiles (32 columns;
  // matmul2D pads them), then an even chunk count (two threads), then the
  // smallest chunk of at least kMinChunkPixels (the most cache to spare),
  // else the largest.
  std::optional<int64_t> best;
  auto score = [&](int64_t rows) {
    int64_t pixels = rows * ow, tiled = (pixels + 31) / 32 * 32;
    bool wide = pixels >= kMinChunkPixels;
    return std::make_tuple(-tiled * 1000 / pixels, (oh / rows) % 2 == 0, wide,
                           wide ? -rows : rows);
  };
  for (int64_t rows = 1; rows < oh; ++rows)
    if (oh % rows == 0 && k * rows * ow * 4 <= kChunkBytes && (!best || score(rows) > score(*best)))
      best = rows;
  return best;
}

Value chunkedIm2colConv2D(OpBuilder &b, Location loc, Value image, Value weight, int64_t kh,
                          int64_t kw, int64_t oh, int64_t ow, const Conv2DParams &p,
                          int64_t rowsPerChunk) {
  auto imageType = cast<RankedTensorType>(image.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t c = imageType.getDimSize(0), wp = imageType.getDimSize(2);
  int64_t f = weightType.getDimSize(0), k = weightType.getDimSize(1);
  Type element = imageType.getElementType();
  int64_t rows = rowsPerChunk, pixels = rows * ow;
  // The padded input rows one chunk of output rows reads.
  int64_t inRows = (rows - 1) * p.strides[0] + (kh - 1) * p.dilations[0] + 1;

  auto outType = RankedTensorType::get({1, f, oh, ow}, element);
  return forEachRowChunk(b, loc, outType, 2, rows, [&](OpBuilder &nb, Location nloc,
                                                       Value firstRow) {
    Value firstInRow = scaledIndex(nb, nloc, firstRow, p.strides[0], 0);
    auto sliceType = RankedTensorType::get({c, inRows, wp}, element);
    Value slice = tensor::ExtractSliceOp::create(
        nb, nloc, sliceType, image,
        ArrayRef<OpFoldResult>{nb.getIndexAttr(0), firstInRow, nb.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{nb.getIndexAttr(c), nb.getIndexAttr(inRows), nb.getIndexAttr(wp)},
        SmallVector<OpFoldResult>(3, nb.getIndexAttr(1)));
    Value col = reshapeTo(nb, nloc, im2col(nb, nloc, slice, 1, kh, kw, rows, ow, p), {k, pixels});
    auto productType = RankedTensorType::get({f, pixels}, element);
    Value product = matmul2D(nb, nloc, weight, col,
                             zeroAccumulator(nb, nloc, productType));
    return reshapeTo(nb, nloc, product, {1, f, rows, ow});
  });
}

} // namespace openopt::lowering
