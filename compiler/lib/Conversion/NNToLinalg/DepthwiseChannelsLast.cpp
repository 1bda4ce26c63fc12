//===- DepthwiseChannelsLast.cpp - NHWC depthwise convolutions -------------===//
//
// In NHWC the channels of a pixel are contiguous, and a depthwise
// convolution's taps all read the same channel as they write: the channels
// are the vector lanes, whatever the stride, dilation or image width (the
// NCHW lowering vectorizes along output rows, which are short at 7x7 and
// 14x14 and strided at stride 2).
//
// One all-parallel generic over the output viewed as [N, OH, OW, C/L, L]:
// its innermost loop has exactly L iterations over contiguous channels, so
// LLVM turns it into whole vectors with no remainder, and the KH*KW taps,
// unrolled in the body, accumulate in registers. The following element-wise
// ops (bias, ReLU6) fuse into the generic.
//
//===----------------------------------------------------------------------===//
#include "DepthwiseChannelsLast.h"

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {

namespace {
// Lanes of the innermost loop: one AVX-512 vector (two AVX2 ones) when the
// channels allow, else the largest power of two that divides them.
int64_t lanesFor(int64_t channels) {
  for (int64_t lanes : {16, 8, 4, 2})
    if (channels % lanes == 0)
      return lanes;
  return 1;
}
} // namespace

Value depthwiseConv2DChannelsLast(OpBuilder &b, Location loc, Value input, Value weight,
                                  Value bias, ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                                  RankedTensorType resultType) {
  auto wShape = cast<RankedTensorType>(weight.getType()).getShape();
  int64_t kh = wShape[0], kw = wShape[1], c = wShape[3];
  auto out = resultType.getShape();
  int64_t lanes = lanesFor(c), blocks = c / lanes;
  Value padded = padChannelsLast(b, loc, input, {pads[0], pads[1]}, {pads[2], pads[3]}, 0.0);
  auto paddedShape = cast<RankedTensorType>(padded.getType()).getShape();
  Value image = reshapeTo(b, loc, padded,
                          {paddedShape[0], paddedShape[1], paddedShape[2], blocks, lanes});
  Value taps = reshapeTo(b, loc, weight, {kh, kw, blocks, lanes});
  Value biasBlocks = bias ? reshapeTo(b, loc, bias, {blocks, lanes}) : Value();
  Type element = resultType.getElementType();
  auto blockedType = RankedTensorType::get({out[0], out[1], out[2], blocks, lanes}, element);
  Value blocked = indexedGenerate(
      b, loc, blockedType, [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        auto scaled = [&](Value index, int64_t stride, int64_t offset) {
          return scaledIndex(nb, nloc, index, stride, offset);
        };
        Value acc = biasBlocks ? tensor::ExtractOp::create(nb, nloc, biasBlocks,
                                                           ValueRange{at[3], at[4]})
                                     .getResult()
                               : scalarConstant(nb, nloc, element, 0.0);
        for (int64_t y = 0; y < kh; ++y) {
          Value row = scaled(at[1], strides[0], y * dilations[0]);
          for (int64_t x = 0; x < kw; ++x) {
            Value col = scaled(at[2], strides[1], x * dilations[1]);
            Value in = tensor::ExtractOp::create(nb, nloc, image,
                                                 ValueRange{at[0], row, col, at[3], at[4]});
            Value w = tensor::ExtractOp::create(
                nb, nloc, taps,
                ValueRange{indexConstant(nb, nloc, y), indexConstant(nb, nloc, x), at[3], at[4]});
            acc = math::FmaOp::create(nb, nloc, in, w, acc);
          }
        }
        return acc;
      });
  // A direct collapse of the channel blocks (not reshapeTo's flatten and
  // expand), which the fusion groups see through (FusionGroups.cpp).
  return tensor::CollapseShapeOp::create(
      b, loc, resultType, blocked, ArrayRef<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
}

} // namespace openopt::lowering
