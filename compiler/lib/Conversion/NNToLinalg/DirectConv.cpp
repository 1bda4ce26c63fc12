//===- DirectConv.cpp - small-image convolutions computed directly --------===//
//
// A convolution whose output map is small (resnet's 14x14 and 7x7 stages)
// went through im2col with the pixels as the matmul's N (49 pixels computed
// as 64, a quarter of the multiply-adds wasted) or through Winograd (whose
// transformed kernel, 16/9 the weights, streams from memory on every run).
// Computed directly, channels-last, the filters are the vector axis
// instead, no pixel is padded and each weight is read once:
//
//   hwc     the input as [H, W, C], padded, in one pass (an NCHW input is
//           transposed on the way; a channels-last one is only padded);
//   kernel  the weights packed at compile time as [F/P, KH, KW, C, P]: a
//           chunk of P filters (48 or 32, DirectConvPlan::chunkFilters)
//           reads one contiguous block;
//   out     a parallel loop over (chunk of P filters, group of output
//           rows); each unit keeps one [rowTile, P] accumulator per run of
//           `rowTile` pixels of its rows, and for each tap and block of
//           channels (DirectConvPlan::channelBlock) adds to every run the
//           matmul [rowTile, Cb] x [Cb, P], whose A is a strided view of
//           hwc's row (stride and dilation are the view's step), so each
//           step's multiply-adds are a register tile of rowTile x P and
//           its block of weights stays in L1 across the unit's runs;
//   result  out [1, OH, OW, F], back to [1, F, OH, OW] for an NCHW
//           convolution, plus the bias (for a channels-last one the caller
//           adds it, as on its other routes), a pass that the ReLU or
//           residual add after the convolution fuses into, and which moves
//           into the loop (openopt-fuse-elementwise): each chunk transposes
//           (or only biases) the filters it computed.
//
// openopt-convert-layout keeps a network's run of such layers channels-last
// (Support/DirectConvPlan.h), so that only the run's edges transpose.
//
// Each thread reads its filters' weights once and the whole input, which
// for a small map is a few hundred KB.
//
//===----------------------------------------------------------------------===//
#include "DirectConv.h"

#include "LoweringUtils.h"

#include "openopt/Dialect/NN/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

// weights [F, C, KH, KW] as [F/P, KH, KW, C, P] (P filters a chunk).
std::vector<float> packedKernel(const std::vector<float> &weights, int64_t filters,
                                int64_t channels, int64_t kh, int64_t kw, int64_t p) {
  std::vector<float> packed(weights.size());
  for (int64_t f = 0; f < filters; ++f)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          packed[((((f / p) * kh + y) * kw + x) * channels + c) * p + f % p] =
              weights[((f * channels + c) * kh + y) * kw + x];
  return packed;
}

OpFoldResult index(OpBuilder &b, int64_t v) { return b.getIndexAttr(v); }

// The convolution of the padded channels-last image `hwc` [H, W, C]:
// [1, OH, OW, F], no bias.
Value directConvLoop(OpBuilder &b, Location loc, Value hwc, const std::vector<float> &weights,
                     int64_t filters, int64_t kh, int64_t kw, int64_t oh, int64_t ow,
                     const Conv2DParams &p, DirectConvPlan plan) {
  auto imageType = cast<RankedTensorType>(hwc.getType());
  int64_t c = imageType.getDimSize(2);
  Type element = imageType.getElementType();
  int64_t chunkFilters = plan.chunkFilters;
  int64_t chunks = filters / chunkFilters, tile = plan.rowTile;
  int64_t sh = p.strides[0], sw = p.strides[1], dh = p.dilations[0], dw = p.dilations[1];

  auto kernelType = RankedTensorType::get({chunks, kh, kw, c, chunkFilters}, element);
  Value kernel = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(nn::makeFloatConstant(kernelType, packedKernel(weights, filters, c, kh, kw, chunkFilters),
                                            "direct_conv_kernel")));

  // [1, OH, OW, F], so that the transpose's result is [1, F, OH, OW]: no
  // reshape stands between the loop, the transpose and the ops after it.
  auto outType = RankedTensorType::get({1, oh, ow, filters}, element);
  // Units (filter chunk, row group), row groups inner: with the loop's
  // iterations split in contiguous halves, each thread reads about half of
  // the weights; or (row group, filter chunk) where the input is the
  // larger read (DirectConvPlan::rowGroupsOuter).
  int64_t groupRows = oh / plan.rowGroups;
  bool groupsOuter = plan.rowGroupsOuter;
  SmallVector<OpFoldResult> counts = {index(b, chunks), index(b, plan.rowGroups)};
  if (groupsOuter)
    std::swap(counts[0], counts[1]);
  auto forall = scf::ForallOp::create(b, loc, counts, ValueRange{emptyTensor(b, loc, outType)},
                                      std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value chunk = forall.getInductionVar(groupsOuter ? 1 : 0);
    Value firstRow = arith::MulIOp::create(b, loc, forall.getInductionVar(groupsOuter ? 0 : 1),
                                           indexConstant(b, loc, groupRows));
    int64_t cb = plan.channelBlock, tiles = ow / tile;
    auto groupType = RankedTensorType::get({groupRows * tiles, tile, chunkFilters}, element);
    auto accType = RankedTensorType::get({tile, chunkFilters}, element);
    auto aType = RankedTensorType::get({tile, cb}, element);
    auto bType = RankedTensorType::get({cb, chunkFilters}, element);
    // scf.for from 0 to `count` by `step`, carrying one tensor.
    auto loop = [](OpBuilder &lb, Location lloc, int64_t count, int64_t step, Value init,
                   llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
      return forLoop(lb, lloc, indexConstant(lb, lloc, 0), indexConstant(lb, lloc, count),
                     indexConstant(lb, lloc, step), init,
                     [&](OpBuilder &nb, Location nloc, ValueRange iv, ValueRange args) {
                       return SmallVector<Value>{body(nb, nloc, iv[0], args[0])};
                     })[0];
    };
    // The group's accumulators, one [tile, P] block per register tile (a
    // buffer of its own: alloc_tensor, which eliminate-empty-tensors leaves
    // alone; a view of the chunk's output made the matmul schedule copy it
    // in and out around every call).
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
    Value acc = linalg::FillOp::create(
                    b, loc, ValueRange{zero},
                    ValueRange{bufferization::AllocTensorOp::create(b, loc, groupType,
                                                                    ValueRange{})})
                    .getResult(0);
    // Taps and channel blocks outside, tiles inside: a block of one tap's
    // weights (cb x P) is loaded from L2 once and used by every tile of the
    // group while it is in L1. With the tiles outside, each tile re-read all
    // the chunk's weights from L2, 7 multiply-adds per weight vector loaded.
    auto tapStep = [&](OpBuilder &tb, Location tloc, Value ky, Value kx, Value c0, Value acc) {
      return loop(tb, tloc, groupRows, 1, acc,
                  [&](OpBuilder &yb, Location yloc, Value row, Value rowAcc) {
        Value y = arith::AddIOp::create(yb, yloc, firstRow, row);
        Value inRow = arith::AddIOp::create(yb, yloc, scaledIndex(yb, yloc, y, sh, 0),
                                            scaledIndex(yb, yloc, ky, dh, 0));
        return loop(yb, yloc, ow, tile, rowAcc,
                    [&](OpBuilder &xb, Location xloc, Value x0, Value tileAcc) -> Value {
          Value col = arith::AddIOp::create(xb, xloc, scaledIndex(xb, xloc, x0, sw, 0),
                                            scaledIndex(xb, xloc, kx, dw, 0));
          Value a = tensor::ExtractSliceOp::create(
              xb, xloc, aType, hwc, ArrayRef<OpFoldResult>{inRow, col, c0},
              ArrayRef<OpFoldResult>{index(xb, 1), index(xb, tile), index(xb, cb)},
              ArrayRef<OpFoldResult>{index(xb, 1), index(xb, sw), index(xb, 1)});
          Value w = tensor::ExtractSliceOp::create(
              xb, xloc, bType, kernel,
              ArrayRef<OpFoldResult>{chunk, ky, kx, c0, index(xb, 0)},
              ArrayRef<OpFoldResult>{index(xb, 1), index(xb, 1), index(xb, 1), index(xb, cb),
                                     index(xb, chunkFilters)},
              SmallVector<OpFoldResult>(5, index(xb, 1)));
          // Tile number row * tiles + x0 / tile.
          Value t = arith::AddIOp::create(
              xb, xloc, arith::MulIOp::create(xb, xloc, row, indexConstant(xb, xloc, tiles)),
              arith::DivUIOp::create(xb, xloc, x0, indexConstant(xb, xloc, tile)));
          SmallVector<OpFoldResult> offsets = {t, index(xb, 0), index(xb, 0)};
          SmallVector<OpFoldResult> sizes = {index(xb, 1), index(xb, tile),
                                             index(xb, chunkFilters)};
          SmallVector<OpFoldResult> strides(3, index(xb, 1));
          Value blockAcc = tensor::ExtractSliceOp::create(xb, xloc, accType, tileAcc, offsets,
                                                          sizes, strides);
          return tensor::InsertSliceOp::create(xb, xloc, matmul2D(xb, xloc, a, w, blockAcc),
                                               tileAcc, offsets, sizes, strides);
        });
      });
    };
    acc = loop(b, loc, kh, 1, acc, [&](OpBuilder &yb, Location yloc, Value ky, Value yAcc) {
      return loop(yb, yloc, kw, 1, yAcc, [&](OpBuilder &xb, Location xloc, Value kx, Value xAcc) {
        return loop(xb, xloc, c, cb, xAcc, [&](OpBuilder &cbb, Location cloc, Value c0, Value a) {
          return tapStep(cbb, cloc, ky, kx, c0, a);
        });
      });
    });
    // [groupRows * tiles, tile, P] is [1, groupRows, ow, P] in the same order.
    Value chunkOut = reshapeTo(b, loc, acc, {1, groupRows, ow, chunkFilters});
    Value first = arith::MulIOp::create(b, loc, chunk, indexConstant(b, loc, chunkFilters));
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(
        b, loc, chunkOut, forall.getRegionIterArgs()[0],
        ArrayRef<OpFoldResult>{index(b, 0), firstRow, index(b, 0), first},
        ArrayRef<OpFoldResult>{index(b, 1), index(b, groupRows), index(b, ow),
                               index(b, chunkFilters)},
        SmallVector<OpFoldResult>(4, index(b, 1)));
  }
  return forall.getResult(0);
}

} // namespace

Value directConv2D(OpBuilder &b, Location loc, Value image, const std::vector<float> &weights,
                   Value bias, int64_t filters, int64_t kh, int64_t kw, int64_t oh, int64_t ow,
                   const Conv2DParams &p, DirectConvPlan plan) {
  // Transposed, then padded: the transpose writes into the padded buffer
  // (openopt-decompose-pads), one pass over the input.
  Value hwc = padConstant(b, loc, permuted(b, loc, image, {1, 2, 0}), {p.pads[0], p.pads[1], 0},
                          {p.pads[2], p.pads[3], 0}, 0.0);
  Value out = directConvLoop(b, loc, hwc, weights, filters, kh, kw, oh, ow, p, plan);
  return permuted(b, loc, out, {0, 3, 1, 2}, bias, 1);
}

Value directConv2DChannelsLast(OpBuilder &b, Location loc, Value image,
                               const std::vector<float> &weights, int64_t filters, int64_t kh,
                               int64_t kw, int64_t oh, int64_t ow, const Conv2DParams &p,
                               DirectConvPlan plan) {
  // Padded as it is, [1, H, W, C], so that its producer (a convolution's
  // loop too) writes into the padded buffer (openopt-decompose-pads), then
  // viewed as [H, W, C].
  Value padded = padConstant(b, loc, image, {0, p.pads[0], p.pads[1], 0},
                             {0, p.pads[2], p.pads[3], 0}, 0.0);
  auto type = cast<RankedTensorType>(padded.getType());
  Value hwc = reshapeTo(b, loc, padded, {type.getDimSize(1), type.getDimSize(2),
                                         type.getDimSize(3)});
  return directConvLoop(b, loc, hwc, weights, filters, kh, kw, oh, ow, p, plan);
}

} // namespace openopt::lowering
