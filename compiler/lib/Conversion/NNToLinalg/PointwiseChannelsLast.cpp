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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(oh / rows)},
                                      ValueRange{emptyTensor(b, loc, outType)}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value firstRow = arith::MulIOp::create(b, loc, forall.getInductionVar(0),
                                         indexConstant(b, loc, rows));
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), firstRow, b.getIndexAttr(0),
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> unit(4, b.getIndexAttr(1));
  Value slice = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({1, rows, ow, c}, element), input, offsets,
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(rows), b.getIndexAttr(ow),
                             b.getIndexAttr(c)},
      unit);
  Value product = matmul2D(b, loc, reshapeTo(b, loc, slice, {pixels, c}), weight,
                           zeroAccumulator(b, loc, RankedTensorType::get({pixels, f}, element)));
  Value chunk = reshapeTo(b, loc, product, {1, rows, ow, f});
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      b, loc, chunk, forall.getRegionIterArgs()[0], offsets,
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(rows), b.getIndexAttr(ow),
                             b.getIndexAttr(f)},
      unit);
  return forall.getResult(0);
}

} // namespace openopt::lowering
