//===- NormalizationLowering.cpp - norms, softmax, pooling, reductions ----===//
#include "DynamicPooling.h"
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"
#include "openopt/Support/RecomputeCost.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value addF(OpBuilder &b, Location loc, ValueRange a) { return arith::AddFOp::create(b, loc, a[0], a[1]); }
Value maxF(OpBuilder &b, Location loc, ValueRange a) { return arith::MaximumFOp::create(b, loc, a[0], a[1]); }

struct LowerBatchNorm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type element = type.getElementType();
    auto channelType = typeOf(op.getScale());
    double eps = op.getEpsilon().convertToDouble();
    // y = x * a + b with a = scale / sqrt(var + eps), b = bias - mean * a.
    Value a = elementwise(rewriter, loc, channelType, {op.getScale(), op.getVariance()},
                          [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                            Value sd = math::SqrtOp::create(
                                b, l, arith::AddFOp::create(b, l, v[1], scalarConstant(b, l, element, eps)));
                            return arith::DivFOp::create(b, l, v[0], sd);
                          });
    Value shift = elementwise(rewriter, loc, channelType, {op.getBias(), op.getMean(), a},
                              [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                return arith::SubFOp::create(b, l, v[0],
                                                             arith::MulFOp::create(b, l, v[1], v[2]));
                              });
    SmallVector<int64_t> perChannel = {type.getDimSize(1)};
    perChannel.append(type.getRank() - 2, 1);
    a = reshapeTo(rewriter, loc, a, perChannel);
    shift = reshapeTo(rewriter, loc, shift, perChannel);
    rewriter.replaceOp(op, elementwise(rewriter, loc, type, {op.getInput(), a, shift},
                                       [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                         return arith::AddFOp::create(
                                             b, l, arith::MulFOp::create(b, l, v[0], v[1]), v[2]);
                                       }));
    return success();
  }
};

struct LowerLayerNorm : OpRewritePattern<nn::LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LayerNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type element = type.getElementType();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), type.getRank());
    SmallVector<bool> mask(type.getRank(), false);
    for (int64_t i = axis; i < type.getRank(); ++i)
      mask[i] = true;
    Value x = op.getInput();
    Value mean =
        divideByCount(rewriter, loc, reduce(rewriter, loc, x, mask, true, 0.0, addF), x, mask);
    Value centered = elementwise(rewriter, loc, type, {x, mean},
                                 [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                   return arith::SubFOp::create(b, l, v[0], v[1]);
                                 });
    Value squares = elementwise(rewriter, loc, type, centered,
                                [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                  return arith::MulFOp::create(b, l, v[0], v[0]);
                                });
    Value var = divideByCount(rewriter, loc,
                              reduce(rewriter, loc, squares, mask, true, 0.0, addF), x, mask);
    double eps = op.getEpsilon().convertToDouble();
    SmallVector<Value> operands = {centered, var, op.getScale()};
    if (op.getBias())
      operands.push_back(op.getBias());
    rewriter.replaceOp(op, elementwise(rewriter, loc, type, operands,
                                       [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                                         Value inv = math::RsqrtOp::create(
                                             b, l, arith::AddFOp::create(b, l, v[1], scalarConstant(b, l, element, eps)));
                                         Value y = arith::MulFOp::create(
                                             b, l, arith::MulFOp::create(b, l, v[0], inv), v[2]);
                                         return v.size() > 3 ? Value(arith::AddFOp::create(b, l, y, v[3])) : y;
                                       }));
    return success();
  }
};

struct LowerSoftmax : OpRewritePattern<nn::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SoftmaxOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    SmallVector<bool> mask = axesMask(type.getRank(), {(int64_t)op.getAxis()});
    Value x = op.getInput();
    // The row's max with no NaN handling (nnan): a NaN in the row makes
    // every output NaN through the sum either way, and without the flag the
    // NaN checks kept the max a scalar loop.
    Value max = reduce(rewriter, loc, x, mask, true, lowestFloat(),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::MaxNumFOp::create(b, l, a[0], a[1],
                                                         arith::FastMathFlags::nnan);
                       });
    Value e = elementwise(rewriter, loc, type, {x, max},
                          [](OpBuilder &b, Location l, ValueRange v) -> Value {
                            return math::ExpOp::create(b, l, arith::SubFOp::create(b, l, v[0], v[1]));
                          });
    // Stored once and read by the sum and the division, not computed in both.
    e.getDefiningOp()->setAttr(kKeepStoredAttr, rewriter.getUnitAttr());
    // One division a row, then a multiplication an element.
    Value sum = reduce(rewriter, loc, e, mask, true, 0.0, addF);
    Value inverse = elementwise(rewriter, loc, typeOf(sum), sum,
                                [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                  return arith::DivFOp::create(
                                      b, l, scalarConstant(b, l, v[0].getType(), 1.0), v[0]);
                                });
    rewriter.replaceOp(op, elementwise(rewriter, loc, type, {e, inverse},
                                       [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                         return arith::MulFOp::create(b, l, v[0], v[1]);
                                       }));
    return success();
  }
};

struct LowerGlobalAveragePool : OpRewritePattern<nn::GlobalAveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GlobalAveragePoolOp op, PatternRewriter &rewriter) const override {
    auto inType = typeOf(op.getInput());
    SmallVector<bool> mask(inType.getRank(), true);
    mask[0] = false;
    mask[op.getChannelsLast() ? inType.getRank() - 1 : 1] = false;
    Value sum = reduce(rewriter, op.getLoc(), op.getInput(), mask, true, 0.0, addF);
    Value mean = divideByCount(rewriter, op.getLoc(), sum, op.getInput(), mask);
    if (mean.getType() != op.getType())
      mean = tensor::CastOp::create(rewriter, op.getLoc(), op.getType(), mean);
    rewriter.replaceOp(op, mean);
    return success();
  }
};

// Sliding-window reduction over [N, C, spatial...] (or [N, spatial..., C]
// when channelsLast) for both pool kinds.
struct WindowSpec {
  ArrayRef<int64_t> kernel, strides, pads, dilations;
  bool channelsLast = false;
};

Value windowReduce(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
                   const WindowSpec &w, bool isMax) {
  auto inType = typeOf(input);
  Type element = inType.getElementType();
  int64_t spatial = inType.getRank() - 2;
  int64_t firstSpatial = w.channelsLast ? 1 : 2;
  MLIRContext *ctx = b.getContext();
  // Pad so every window (ceil_mode ones too) lies inside the padded input.
  SmallVector<int64_t> low(firstSpatial, 0), high(firstSpatial, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = inType.getDimSize(firstSpatial + i), out = resultType.getDimSize(firstSpatial + i);
    int64_t needed = (out - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1;
    low.push_back(w.pads[i]);
    high.push_back(std::max<int64_t>(w.pads[i + spatial], needed - in - w.pads[i]));
  }
  // Integers pad with their lowest value (padding never wins the max).
  bool isFloat = isa<FloatType>(element);
  double padValue = isMax ? (isFloat ? lowestFloat()
                                     : element.isUnsignedInteger() ? 0.0
                                                                   : -std::ldexp(1.0, element.getIntOrFloatBitWidth() - 1))
                          : 0.0;
  Value padded = w.channelsLast
                     ? padChannelsLast(b, loc, input, ArrayRef(low).drop_front(),
                                       ArrayRef(high).drop_front(), padValue)
                     : padConstant(b, loc, input, low, high, padValue);
  // NCHW loops: n, c, win_0.., out_0..: the window loops sit outside the
  // output loops so that the innermost loop runs along an output row and
  // vectorizes (a 3-wide window loop innermost does not).
  // Channels-last loops: n, out_0.., win_0.., c: the innermost loop runs
  // along the contiguous channels, and one output pixel's channels stay in
  // cache while its window is reduced.
  // The window tensor only gives the window loops their bounds.
  int64_t loops = 2 + 2 * spatial;
  int64_t channelLoop = w.channelsLast ? loops - 1 : 1;
  int64_t firstWindowLoop = w.channelsLast ? 1 + spatial : 2;
  int64_t firstOutLoop = w.channelsLast ? 1 : 2 + spatial;
  AffineExpr n = getAffineDimExpr(0, ctx), c = getAffineDimExpr(channelLoop, ctx);
  SmallVector<AffineExpr> inExprs = {n}, winExprs, outExprs = {n};
  if (!w.channelsLast) {
    inExprs.push_back(c);
    outExprs.push_back(c);
  }
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr k = getAffineDimExpr(firstWindowLoop + i, ctx);
    AffineExpr o = getAffineDimExpr(firstOutLoop + i, ctx);
    inExprs.push_back(o * w.strides[i] + k * w.dilations[i]);
    winExprs.push_back(k);
    outExprs.push_back(o);
  }
  if (w.channelsLast) {
    inExprs.push_back(c);
    outExprs.push_back(c);
  }
  SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::parallel);
  for (int64_t i = 0; i < spatial; ++i)
    iterators[firstWindowLoop + i] = utils::IteratorType::reduction;
  Value window = tensor::EmptyOp::create(b, loc, w.kernel, element);
  Value init = filledTensor(b, loc, resultType,
                            isMax ? extremeConstant(b, loc, element, true)
                                  : scalarConstant(b, loc, element, padValue));
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                 AffineMap::get(loops, 0, winExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{padded, window}, init, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value r;
               if (isMax && isFloat)
                 r = arith::MaximumFOp::create(nb, l, args[2], args[0]);
               else if (isMax)
                 r = element.isUnsignedInteger() ? Value(arith::MaxUIOp::create(nb, l, args[2], args[0]))
                                                 : Value(arith::MaxSIOp::create(nb, l, args[2], args[0]));
               else
                 r = arith::AddFOp::create(nb, l, args[2], args[0]);
               linalg::YieldOp::create(nb, l, r);
             })
      .getResult(0);
}

// The largest of `values` (floats), NaN if any is NaN: a tree of
// select(a > b, a, b), one vmaxps each, and one NaN test per pair. A chain
// of arith.maximumf (IEEE maximum, NaN-propagating and ordering -0 below
// +0) became six dependent instructions per tap on x86. The one difference
// from it: the largest of a +0 and a -0 may be either.
Value maxPropagatingNaN(OpBuilder &b, Location loc, ArrayRef<Value> values) {
  SmallVector<Value> level(values);
  Value anyNaN;
  for (size_t i = 0; i < values.size(); i += 2) {
    Value unordered = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, values[i],
                                            values[std::min(i + 1, values.size() - 1)]);
    anyNaN = anyNaN ? arith::OrIOp::create(b, loc, anyNaN, unordered).getResult() : unordered;
  }
  while (level.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2) {
      Value greater =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, level[i], level[i + 1]);
      next.push_back(arith::SelectOp::create(b, loc, greater, level[i], level[i + 1]));
    }
    if (level.size() % 2)
      next.push_back(level.back());
    level = std::move(next);
  }
  auto type = cast<FloatType>(values.front().getType());
  Value nan = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type, llvm::APFloat::getQNaN(type.getFloatSemantics())));
  return arith::SelectOp::create(b, loc, anyNaN, nan, level.front());
}

// Rows per chunk of a stride-2 max pool's parallel loop: the most, at
// least `minRows`, that divide `outRows` into an even number of chunks (two
// threads) whose buffers (`bytesFor(rows)`) take at most 384 KB, so that
// they stay in L2; 0 when none does.
int64_t poolChunkRows(int64_t outRows, int64_t minRows,
                      llvm::function_ref<int64_t(int64_t)> bytesFor) {
  int64_t rows = 0;
  for (int64_t r = minRows; r < outRows; ++r)
    if (outRows % r == 0 && (outRows / r) % 2 == 0 && bytesFor(r) <= (int64_t(384) << 10))
      rows = r;
  return rows;
}

// A float 2-D max pool at stride 2 (dilation 1) on [N, C, H, W]: the
// strided window reads of the padded input do not vectorize, so the input
// is split into its four polyphase planes (padding included, with the
// lowest value) and a parallel generic over the output takes the max of
// the window's taps, each a unit-stride read of a plane: tap (ky, kx) of
// output (y, x) is plane (ky % 2, kx % 2) at (y + ky / 2, x + kx / 2).
// Where the output rows split evenly, a parallel loop over chunks of output
// rows copies each chunk's plane rows (and the window's extra rows) while
// they fit in the L2 cache, and takes the max from them there: the whole
// planes, written and read back from memory, took 3x ONNX Runtime's time on
// resnet18w48's 112x112 max pool.
Value maxPoolStride2(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> pads) {
  int64_t n = resultType.getDimSize(0), c = resultType.getDimSize(1),
          oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t extraRows = (kernel[0] - 1) / 2, planeW = ow + (kernel[1] - 1) / 2;
  Type element = resultType.getElementType();
  auto maxOfTaps = [&](Value planes, OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
    SmallVector<Value> taps;
    for (int64_t ky = 0; ky < kernel[0]; ++ky)
      for (int64_t kx = 0; kx < kernel[1]; ++kx)
        taps.push_back(tensor::ExtractOp::create(
            nb, nloc, planes,
            ValueRange{at[0], at[1], indexConstant(nb, nloc, (ky % 2) * 2 + kx % 2),
                       plusConstant(nb, nloc, at[2], ky / 2), plusConstant(nb, nloc, at[3], kx / 2)}));
    return maxPropagatingNaN(nb, nloc, taps);
  };
  // Chunks hold their rows' planes, at least 4 rows (the extra rows are
  // copied twice).
  int64_t rowBytes = n * c * 4 * planeW * (element.getIntOrFloatBitWidth() / 8);
  int64_t rows = poolChunkRows(oh, 4, [&](int64_t r) { return (r + extraRows) * rowBytes; });
  if (rows == 0) {
    Value planes = polyphasePlanes(b, loc, input, pads[0], pads[1], oh + extraRows, planeW,
                                   lowestFloat());
    return indexedGenerate(b, loc, resultType,
                           [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
                             return maxOfTaps(planes, nb, nloc, at);
                           });
  }
  return forEachRowChunk(
      b, loc, resultType, /*rowAxis=*/2, rows, [&](OpBuilder &nb, Location nloc, Value firstRow) {
        Value planes = polyphasePlaneRows(nb, nloc, input, firstRow, rows + extraRows, pads[0],
                                          pads[1], planeW, lowestFloat());
        return indexedGenerate(nb, nloc, RankedTensorType::get({n, c, rows, ow}, element),
                               [&](OpBuilder &bb, Location l, ArrayRef<Value> at) {
                                 return maxOfTaps(planes, bb, l, at);
                               });
      });
}

// Whether maxPool3x3Stride2 applies to the stride-2 NCHW pool `op`: a 3x3
// window, one row and column of padding, an even H and W (the output is
// exactly half of each) and at least 32 outputs a row (two vectors; ResNet's
// pool after the stem has 56).
bool poolsColumnPairs(nn::MaxPoolOp op) {
  auto in = op.getInput().getType().getShape(), out = op.getType().getShape();
  return op.getKernelShape() == ArrayRef<int64_t>{3, 3} &&
         op.getPads() == ArrayRef<int64_t>{1, 1, 1, 1} && out[2] * 2 == in[2] &&
         out[3] * 2 == in[3] && out[3] >= 32;
}

// The 3x3 stride-2 max pool of poolsColumnPairs: output (y, x) takes rows
// {2y - 1, 2y, 2y + 1} and columns {2x - 1, 2x, 2x + 1}. Per image,
// channel and output row, each input row is read 32 values at a time and
// split into its even columns E (2x) and odd ones O (2x + 1); over the three
// rows, m = max(E, O) and o = max(O); output x is max(m[x], o[x - 1]), o
// shifted by one lane with the previous run's last value (the lowest value
// before the first). Row 2y - 1 is clamped to 0 for y = 0: max ignores the
// repeat, and row 0 is in that window. arith.maximumf propagates NaN. As
// two linalg generics per chunk (the column pairs, then the shifted max)
// it took 0.18 ms of resnet18w48 against ONNX Runtime's 0.10.
Value maxPool3x3Stride2(OpBuilder &b, Location loc, Value input, RankedTensorType resultType) {
  int64_t n = resultType.getDimSize(0), c = resultType.getDimSize(1),
          oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t w = cast<RankedTensorType>(input.getType()).getDimSize(3);
  Type element = resultType.getElementType();
  constexpr int64_t kRun = 32, kHalf = kRun / 2;
  auto runType = VectorType::get({kRun}, element), halfType = VectorType::get({kHalf}, element);
  int64_t runs = (w + kRun - 1) / kRun;
  // o[x - 1]: the previous run's last lane, then this run's first 15.
  SmallVector<int64_t> shiftMask;
  for (int64_t i = 0; i < kHalf; ++i)
    shiftMask.push_back(kHalf - 1 + i);
  auto chunk = [&](OpBuilder &nb, Location nloc, Value firstRow, int64_t rows) -> Value {
    auto type = RankedTensorType::get({n, c, rows, ow}, element);
    return loopNest(
        nb, nloc,
        {indexConstant(nb, nloc, n), indexConstant(nb, nloc, c), indexConstant(nb, nloc, rows)},
        ValueRange{emptyTensor(nb, nloc, type)},
        [&](OpBuilder &rb, Location l, ValueRange ivs, ValueRange args) {
          Value lowest = extremeConstant(rb, l, element, /*lowest=*/true);
          Value lowestHalf = vector::BroadcastOp::create(rb, l, halfType, lowest);
          Value y = arith::AddIOp::create(rb, l, firstRow, ivs[2]);
          Value middle = scaledIndex(rb, l, y, 2, 0);
          Value rowsOf[3] = {arith::MaxSIOp::create(rb, l, plusConstant(rb, l, middle, -1),
                                                    indexConstant(rb, l, 0)),
                             middle, plusConstant(rb, l, middle, 1)};
          Value out = args[0], previous = lowestHalf;
          for (int64_t k = 0; k < runs; ++k) {
            Value both, odd;
            for (Value row : rowsOf) {
              Value run = vector::TransferReadOp::create(
                  rb, l, runType, input,
                  ValueRange{ivs[0], ivs[1], row, indexConstant(rb, l, k * kRun)}, lowest,
                  ArrayRef<bool>{(k + 1) * kRun <= w});
              auto halves = vector::DeinterleaveOp::create(rb, l, run);
              Value pair =
                  arith::MaximumFOp::create(rb, l, halves.getResult(0), halves.getResult(1));
              both = both ? arith::MaximumFOp::create(rb, l, both, pair).getResult() : pair;
              odd = odd ? arith::MaximumFOp::create(rb, l, odd, halves.getResult(1)).getResult()
                        : halves.getResult(1);
            }
            Value shifted = vector::ShuffleOp::create(rb, l, previous, odd, shiftMask);
            Value result = arith::MaximumFOp::create(rb, l, both, shifted);
            out = vector::TransferWriteOp::create(
                      rb, l, result, out,
                      ValueRange{ivs[0], ivs[1], ivs[2], indexConstant(rb, l, k * kHalf)},
                      ArrayRef<bool>{(k + 1) * kHalf <= ow})
                      .getResult();
            previous = odd;
          }
          return SmallVector<Value>{out};
        })[0];
  };
  // Chunks hold their rows' output.
  int64_t rowBytes = n * c * ow * (element.getIntOrFloatBitWidth() / 8);
  int64_t rows = poolChunkRows(oh, 1, [&](int64_t r) { return r * rowBytes; });
  if (rows == 0)
    return chunk(b, loc, indexConstant(b, loc, 0), oh);
  return forEachRowChunk(b, loc, resultType, /*rowAxis=*/2, rows,
                         [&](OpBuilder &nb, Location nloc, Value firstRow) {
                           return chunk(nb, nloc, firstRow, rows);
                         });
}

struct LowerMaxPool : OpRewritePattern<nn::MaxPoolOp> {
  // A dynamic batch becomes a loop over samples of the same op with static
  // shapes, which this pattern then lowers.
  explicit LowerMaxPool(MLIRContext *ctx) : OpRewritePattern(ctx) { setHasBoundedRewriteRecursion(); }
  LogicalResult matchAndRewrite(nn::MaxPoolOp op, PatternRewriter &rewriter) const override {
    if (auto perSample = lowerPerSample(op, rewriter); succeeded(perSample)) {
      rewriter.replaceOp(op, *perSample);
      return success();
    }
    if (!op.getChannelsLast() && !op.getInput().getType().hasStaticShape()) {
      PoolSpec p{op.getKernelShape(), op.getStrides(), op.getPads(), op.getDilations(),
                 op.getCeilMode() != 0, /*isMax=*/true};
      rewriter.replaceOp(op, dynamicPool(rewriter, op.getLoc(), op.getInput(), op.getType(), p));
      return success();
    }
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto s = op.getStrides(), d = op.getDilations();
    if (!op.getChannelsLast() && s.size() == 2 && s[0] == 2 && s[1] == 2 && d[0] == 1 &&
        d[1] == 1 && isa<FloatType>(op.getType().getElementType())) {
      rewriter.replaceOp(op, poolsColumnPairs(op)
                                 ? maxPool3x3Stride2(rewriter, op.getLoc(), op.getInput(),
                                                     op.getType())
                                 : maxPoolStride2(rewriter, op.getLoc(), op.getInput(),
                                                  op.getType(), op.getKernelShape(), op.getPads()));
      return success();
    }
    WindowSpec w = {op.getKernelShape(), op.getStrides(), op.getPads(), op.getDilations(),
                    op.getChannelsLast()};
    rewriter.replaceOp(op, windowReduce(rewriter, op.getLoc(), op.getInput(), op.getType(), w, true));
    return success();
  }
};

struct LowerAveragePool : OpRewritePattern<nn::AveragePoolOp> {
  // A dynamic batch becomes a loop over samples of the same op with static
  // shapes, which this pattern then lowers.
  explicit LowerAveragePool(MLIRContext *ctx) : OpRewritePattern(ctx) { setHasBoundedRewriteRecursion(); }
  LogicalResult matchAndRewrite(nn::AveragePoolOp op, PatternRewriter &rewriter) const override {
    if (auto perSample = lowerPerSample(op, rewriter); succeeded(perSample)) {
      rewriter.replaceOp(op, *perSample);
      return success();
    }
    if (!op.getChannelsLast() && !op.getInput().getType().hasStaticShape()) {
      SmallVector<int64_t> ones(op.getKernelShape().size(), 1);
      PoolSpec p{op.getKernelShape(), op.getStrides(), op.getPads(), ones,
                 op.getCeilMode() != 0, /*isMax=*/false, op.getCountIncludePad() != 0};
      rewriter.replaceOp(op, dynamicPool(rewriter, op.getLoc(), op.getInput(), op.getType(), p));
      return success();
    }
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto type = op.getType();
    auto inType = typeOf(op.getInput());
    int64_t spatial = type.getRank() - 2;
    bool channelsLast = op.getChannelsLast();
    int64_t firstSpatial = channelsLast ? 1 : 2;
    SmallVector<int64_t> ones(spatial, 1);
    WindowSpec w = {op.getKernelShape(), op.getStrides(), op.getPads(), ones, channelsLast};
    Location loc = op.getLoc();
    Value sum = windowReduce(rewriter, loc, op.getInput(), type, w, false);
    // Divisor per output position: window cells inside the input (or inside
    // the padded input with count_include_pad), computed at compile time.
    SmallVector<int64_t> outSpatial(type.getShape().slice(firstSpatial, spatial));
    int64_t positions = 1;
    for (int64_t d : outSpatial)
      positions *= d;
    SmallVector<float> divisor(positions, 1.0f);
    bool includePad = op.getCountIncludePad() != 0;
    auto pads = op.getPads();
    for (int64_t flat = 0; flat < positions; ++flat) {
      int64_t rest = flat;
      double count = 1;
      for (int64_t i = spatial - 1; i >= 0; --i) {
        int64_t o = rest % outSpatial[i];
        rest /= outSpatial[i];
        int64_t in = inType.getDimSize(firstSpatial + i);
        int64_t lo = includePad ? -pads[i] : 0, hi = includePad ? in + pads[i + spatial] : in;
        int64_t start = o * w.strides[i] - pads[i];
        int64_t first = std::max(start, lo), last = std::min(start + w.kernel[i], hi);
        count *= std::max<int64_t>(last - first, 1);
      }
      divisor[flat] = (float)count;
    }
    // Channels last: [O..., 1] so that it broadcasts along the channels.
    SmallVector<int64_t> divisorShape(outSpatial);
    if (channelsLast)
      divisorShape.push_back(1);
    auto divisorType = RankedTensorType::get(divisorShape, rewriter.getF32Type());
    Value divisorTensor = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(divisorType, ArrayRef<float>(divisor)));
    Type element = type.getElementType();
    rewriter.replaceOp(op, elementwise(rewriter, loc, type, {sum, divisorTensor},
                                       [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                                         Value d = v[1];
                                         if (!element.isF32())
                                           d = arith::TruncFOp::create(b, l, element, d);
                                         return arith::DivFOp::create(b, l, v[0], d);
                                       }));
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerBatchNorm, LowerLayerNorm, LowerSoftmax, LowerGlobalAveragePool,
               LowerMaxPool, LowerAveragePool>(patterns.getContext());
}

} // namespace openopt::lowering
