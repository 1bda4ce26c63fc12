//===- FewChannelConv.cpp - convolutions of few-channel images ------------===//
//
// A network's first convolution reads an image of 3 channels: resnet's 7x7
// stride-2 stem, MobileNet's 3x3 stride-2 one. As im2col + matmul its K is
// C*KH*KW (147, 27): the gather writes that many floats per output pixel
// (7 MB for resnet's 112x112 output) for the matmul to read back, and the
// bias and ReLU are another pass. As a direct convolution with the channels
// as K (DirectConv.h), each tap's matmul has K = 3 and loads and stores its
// accumulators for three steps of multiply-adds.
//
// Here the whole sum runs in registers. A run of `tile` output pixels of a
// row by all F filters (F/16 AVX-512 vectors a pixel) is the accumulators;
// each step (ky, kx, c) loads the F weights of that tap and channel (the
// kernel as [KH, KW, C, F]) and broadcasts each pixel's input value
// from the padded image, whatever its layout, then one multiply-add per
// accumulator. KX and C are unrolled in the loop over KY. The result is
// channels-last, [1, OH, OW, F]; a parallel loop over pairs of output rows.
//
//===----------------------------------------------------------------------===//
#include "FewChannelConv.h"

#include "LoweringUtils.h"

#include "openopt/Dialect/NN/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

constexpr int64_t kLanes = 16;
// Accumulators: 24 of AVX-512's 32 registers, leaving room for a tap's
// weight vectors (up to 4) and the broadcast value.
constexpr int64_t kMaxAccumulators = 16;

} // namespace

std::optional<int64_t> planFewChannelConv(int64_t channels, int64_t filters, int64_t ow,
                                          int64_t vectorBits) {
  if (vectorBits < 512 || channels > 4 || filters % kLanes != 0 || filters > 4 * kLanes)
    return std::nullopt;
  for (int64_t tile = 8; tile >= 4; --tile)
    if (ow % tile == 0 && tile * (filters / kLanes) <= kMaxAccumulators)
      return tile;
  return std::nullopt;
}

Value fewChannelConv2D(OpBuilder &b, Location loc, Value padded, bool channelsLast,
                       const std::vector<float> &hwcf, int64_t filters, int64_t kh, int64_t kw,
                       int64_t oh, int64_t ow, const Conv2DParams &p, int64_t tile) {
  auto paddedType = cast<RankedTensorType>(padded.getType());
  Type element = paddedType.getElementType();
  int64_t c = paddedType.getDimSize(channelsLast ? 2 : 0);
  int64_t vectors = filters / kLanes;
  int64_t sh = p.strides[0], sw = p.strides[1], dh = p.dilations[0], dw = p.dilations[1];
  auto kernelType = RankedTensorType::get({kh, kw, c, filters}, element);
  Value kernel = arith::ConstantOp::create(
      b, loc,
      cast<TypedAttr>(nn::makeFloatConstant(kernelType, hwcf, "few_channel_conv_kernel")));
  auto vectorType = VectorType::get({kLanes}, element);
  auto outType = RankedTensorType::get({1, oh, ow, filters}, element);
  int64_t rowsPerChunk = oh % 2 == 0 ? 2 : 1;
  return forEachRowChunk(b, loc, outType, 1, rowsPerChunk, [&](OpBuilder &cb, Location cloc,
                                                               Value firstRow) -> Value {
    Value zero = arith::ConstantOp::create(cb, cloc, cb.getZeroAttr(element));
    Value zeros = arith::ConstantOp::create(cb, cloc, DenseElementsAttr::get(vectorType, 0.0f));
    auto chunkType = RankedTensorType::get({1, rowsPerChunk, ow, filters}, element);
    SmallVector<Value> rows = forLoop(
        cb, cloc, indexConstant(cb, cloc, 0), indexConstant(cb, cloc, rowsPerChunk),
        indexConstant(cb, cloc, 1), ValueRange{emptyTensor(cb, cloc, chunkType)},
        [&](OpBuilder &rb, Location rloc, ValueRange rowIv, ValueRange rowArgs) {
      Value row = rowIv[0];
      Value y = arith::AddIOp::create(rb, rloc, firstRow, row);
      return forLoop(
          rb, rloc, indexConstant(rb, rloc, 0), indexConstant(rb, rloc, ow),
          indexConstant(rb, rloc, tile), ValueRange{rowArgs[0]},
          [&](OpBuilder &xb, Location xloc, ValueRange xIv, ValueRange xArgs) {
        Value x0 = xIv[0];
        SmallVector<Value> init(tile * vectors, zeros);
        // The sum over KY (a loop), KX and C (unrolled) in the accumulators.
        SmallVector<Value> sums = forLoop(
            xb, xloc, indexConstant(xb, xloc, 0), indexConstant(xb, xloc, kh),
            indexConstant(xb, xloc, 1), init,
            [&](OpBuilder &kb, Location kloc, ValueRange kyIv, ValueRange acc) {
          Value ky = kyIv[0];
          Value inY = arith::AddIOp::create(kb, kloc, scaledIndex(kb, kloc, y, sh, 0),
                                            scaledIndex(kb, kloc, ky, dh, 0));
          SmallVector<Value> next(acc.begin(), acc.end());
          for (int64_t kx = 0; kx < kw; ++kx)
            for (int64_t ch = 0; ch < c; ++ch) {
              SmallVector<Value> w;
              for (int64_t v = 0; v < vectors; ++v)
                w.push_back(vector::TransferReadOp::create(
                    kb, kloc, vectorType, kernel,
                    ValueRange{ky, indexConstant(kb, kloc, kx), indexConstant(kb, kloc, ch),
                               indexConstant(kb, kloc, v * kLanes)},
                    zero, ArrayRef<bool>{true}));
              for (int64_t i = 0; i < tile; ++i) {
                Value inX = scaledIndex(kb, kloc, x0, sw, i * sw + kx * dw);
                Value channel = indexConstant(kb, kloc, ch);
                Value value = tensor::ExtractOp::create(
                    kb, kloc, padded,
                    channelsLast ? ValueRange{inY, inX, channel} : ValueRange{channel, inY, inX});
                Value broadcast = vector::BroadcastOp::create(kb, kloc, vectorType, value);
                for (int64_t v = 0; v < vectors; ++v)
                  next[i * vectors + v] =
                      vector::FMAOp::create(kb, kloc, broadcast, w[v], next[i * vectors + v]);
              }
            }
          return next;
        });
        Value out = xArgs[0];
        for (int64_t i = 0; i < tile; ++i)
          for (int64_t v = 0; v < vectors; ++v)
            out = vector::TransferWriteOp::create(
                      xb, xloc, sums[i * vectors + v], out,
                      ValueRange{indexConstant(xb, xloc, 0), row,
                                 arith::AddIOp::create(xb, xloc, x0, indexConstant(xb, xloc, i)),
                                 indexConstant(xb, xloc, v * kLanes)},
                      ArrayRef<bool>{true})
                      .getResult();
        return SmallVector<Value>{out};
      });
    });
    return rows[0];
  });
}

} // namespace openopt::lowering
