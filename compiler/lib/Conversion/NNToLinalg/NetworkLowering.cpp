//===- NetworkLowering.cpp - norms, pooling extras, vision, einsum, random -===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Value idx(OpBuilder &b, Location l, int64_t v) { return indexConstant(b, l, v); }
Value cmpI(OpBuilder &b, Location l, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, l, p, x, y);
}
Value cmpF(OpBuilder &b, Location l, arith::CmpFPredicate p, Value x, Value y) {
  return arith::CmpFOp::create(b, l, p, x, y);
}
Value sel(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}
Value addI(OpBuilder &b, Location l, Value x, Value y) { return arith::AddIOp::create(b, l, x, y); }
Value subI(OpBuilder &b, Location l, Value x, Value y) { return arith::SubIOp::create(b, l, x, y); }
Value mulI(OpBuilder &b, Location l, Value x, Value y) { return arith::MulIOp::create(b, l, x, y); }
Value addF(OpBuilder &b, Location l, Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
Value subF(OpBuilder &b, Location l, Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
Value mulF(OpBuilder &b, Location l, Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
Value divF(OpBuilder &b, Location l, Value x, Value y) { return arith::DivFOp::create(b, l, x, y); }
Value andB(OpBuilder &b, Location l, Value x, Value y) { return arith::AndIOp::create(b, l, x, y); }
Value orB(OpBuilder &b, Location l, Value x, Value y) { return arith::OrIOp::create(b, l, x, y); }
Value asIndex(OpBuilder &b, Location l, Value v) {
  if (isa<FloatType>(v.getType()))
    v = arith::FPToSIOp::create(b, l, b.getI64Type(), v);
  return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
}
Value asFloat(OpBuilder &b, Location l, Value index, Type f) {
  return arith::SIToFPOp::create(b, l, f, arith::IndexCastOp::create(b, l, b.getI64Type(), index));
}
SmallVector<Value> dimValues(OpBuilder &b, Location l, Value t) {
  return llvm::map_to_vector(sizesOf(b, l, t), [&](OpFoldResult f) { return indexValue(b, l, f); });
}
// In [0, size)?
Value inRange(OpBuilder &b, Location l, Value i, Value size) {
  return andB(b, l, cmpI(b, l, arith::CmpIPredicate::sge, i, idx(b, l, 0)),
              cmpI(b, l, arith::CmpIPredicate::slt, i, size));
}

struct LowerInstanceNorm : OpRewritePattern<nn::InstanceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::InstanceNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = op.getType();
    int64_t rank = type.getRank();
    Type element = type.getElementType();
    SmallVector<bool> mask(rank, true);
    mask[0] = mask[1] = false;
    auto add = [](OpBuilder &b, Location l, ValueRange a) -> Value { return addF(b, l, a[0], a[1]); };
    Value mean = divideByCount(rewriter, loc, reduce(rewriter, loc, x, mask, true, 0.0, add), x, mask);
    Value centered = elementwise(rewriter, loc, type, {x, mean},
                                 [](OpBuilder &b, Location l, ValueRange v) { return subF(b, l, v[0], v[1]); });
    Value squares = elementwise(rewriter, loc, type, centered,
                                [](OpBuilder &b, Location l, ValueRange v) { return mulF(b, l, v[0], v[0]); });
    Value var = divideByCount(rewriter, loc, reduce(rewriter, loc, squares, mask, true, 0.0, add), x, mask);
    SmallVector<int64_t> trailing;
    for (int64_t i = 1; i < rank - 1; ++i)
      trailing.push_back(i);
    Value scale = insertUnitAxes(rewriter, loc, op.getScale(), trailing);
    Value bias = insertUnitAxes(rewriter, loc, op.getBias(), trailing);
    double eps = op.getEpsilon().convertToDouble();
    rewriter.replaceOp(op, elementwise(rewriter, loc, type, {centered, var, scale, bias},
                                       [&](OpBuilder &b, Location l, ValueRange v) -> Value {
                                         Value inv = math::RsqrtOp::create(
                                             b, l, addF(b, l, v[1], scalarConstant(b, l, element, eps)));
                                         return addF(b, l, mulF(b, l, mulF(b, l, v[0], inv), v[2]), v[3]);
                                       }));
    return success();
  }
};

struct LowerLrn : OpRewritePattern<nn::LrnOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LrnOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = op.getType();
    Type element = type.getElementType();
    int64_t size = op.getSize();
    int64_t before = (size - 1) / 2;
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble(),
           bias = op.getBias().convertToDouble();
    Value channels = tensor::DimOp::create(rewriter, loc, x, 1);
    rewriter.replaceOp(
        op, indexedGenerate(rewriter, loc, type, sizesOf(rewriter, loc, x),
                            [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                              Value sum = forLoop(b, l, idx(b, l, 0), idx(b, l, size),
                                                  {scalarConstant(b, l, element, 0)},
                                                  [&](OpBuilder &ib, Location il, ValueRange k,
                                                      ValueRange acc) -> SmallVector<Value> {
                                                    Value c = subI(ib, il, addI(ib, il, iv[1], k[0]), idx(ib, il, before));
                                                    Value ok = inRange(ib, il, c, channels);
                                                    Value safe = sel(ib, il, ok, c, idx(ib, il, 0));
                                                    SmallVector<Value> pos(iv);
                                                    pos[1] = safe;
                                                    Value v = tensor::ExtractOp::create(ib, il, x, pos);
                                                    Value sq = sel(ib, il, ok, mulF(ib, il, v, v),
                                                                   scalarConstant(ib, il, element, 0));
                                                    return {addF(ib, il, acc[0], sq)};
                                                  })[0];
                              Value denom = addF(b, l, scalarConstant(b, l, element, bias),
                                                 mulF(b, l, scalarConstant(b, l, element, alpha / size), sum));
                              denom = math::PowFOp::create(b, l, denom, scalarConstant(b, l, element, beta));
                              return divF(b, l, tensor::ExtractOp::create(b, l, x, iv), denom);
                            }));
    return success();
  }
};

// MaxPool with indices: each output scans its window (skipping padding) for
// the largest value and its flat input index.
struct LowerMaxPoolWithIndices : OpRewritePattern<nn::MaxPoolWithIndicesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxPoolWithIndicesOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = typeOf(op.getOutput());
    int64_t rank = type.getRank(), spatial = rank - 2;
    Type element = type.getElementType();
    auto kernel = op.getKernelShape(), strides = op.getStrides(), pads = op.getPads(),
         dilations = op.getDilations();
    bool columnMajor = op.getStorageOrder() != 0;
    SmallVector<Value> inDims = dimValues(rewriter, loc, x);
    Sizes outSizes = sizesOf(rewriter, loc, x);
    for (int64_t i = 0; i < spatial; ++i)
      outSizes[2 + i] = rewriter.getIndexAttr(type.getDimSize(2 + i));
    if (!type.hasStaticShape())
      return op.emitError("MaxPool: the Indices output needs static spatial sizes"), failure();
    Value values = emptyTensor(rewriter, loc, type, outSizes);
    Value indices = emptyTensor(rewriter, loc, typeOf(op.getIndices()), outSizes);
    SmallVector<Value> outBounds = llvm::map_to_vector(outSizes, [&](OpFoldResult f) { return indexValue(rewriter, loc, f); });
    SmallVector<Value> window;
    for (int64_t k : kernel)
      window.push_back(idx(rewriter, loc, k));
    auto result = loopNest(
        rewriter, loc, outBounds, {values, indices},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
          auto best = loopNest(
              b, l, window, {extremeConstant(b, l, element, true), scalarConstant(b, l, b.getI64Type(), -1)},
              [&](OpBuilder &wb, Location wl, ValueRange kv, ValueRange cur) -> SmallVector<Value> {
                SmallVector<Value> pos = {iv[0], iv[1]};
                Value inside = arith::ConstantIntOp::create(wb, wl, 1, 1);
                for (int64_t i = 0; i < spatial; ++i) {
                  Value p = subI(wb, wl, addI(wb, wl, mulI(wb, wl, iv[2 + i], idx(wb, wl, strides[i])),
                                              mulI(wb, wl, kv[i], idx(wb, wl, dilations[i]))),
                                 idx(wb, wl, pads[i]));
                  inside = andB(wb, wl, inside, inRange(wb, wl, p, inDims[2 + i]));
                  pos.push_back(sel(wb, wl, inRange(wb, wl, p, inDims[2 + i]), p, idx(wb, wl, 0)));
                }
                Value v = tensor::ExtractOp::create(wb, wl, x, pos);
                Value better = isa<FloatType>(element)
                                   ? cmpF(wb, wl, arith::CmpFPredicate::OGT, v, cur[0])
                                   : cmpI(wb, wl, element.isUnsignedInteger() ? arith::CmpIPredicate::ugt
                                                                               : arith::CmpIPredicate::sgt,
                                          v, cur[0]);
                Value unset = cmpI(wb, wl, arith::CmpIPredicate::slt, cur[1],
                                   scalarConstant(wb, wl, wb.getI64Type(), 0));
                Value take = andB(wb, wl, inside, orB(wb, wl, better, unset));
                // Flat index: (n * C + c) * spatial volume + the spatial offset.
                Value flat = addI(wb, wl, mulI(wb, wl, iv[0], inDims[1]), iv[1]);
                SmallVector<int64_t> order;
                for (int64_t i = 0; i < spatial; ++i)
                  order.push_back(columnMajor ? spatial - 1 - i : i);
                for (int64_t i : order)
                  flat = addI(wb, wl, mulI(wb, wl, flat, inDims[2 + i]), pos[2 + i]);
                Value flat64 = arith::IndexCastOp::create(wb, wl, wb.getI64Type(), flat);
                return {sel(wb, wl, take, v, cur[0]), sel(wb, wl, take, flat64, cur[1])};
              });
          return {tensor::InsertOp::create(b, l, best[0], acc[0], iv),
                  tensor::InsertOp::create(b, l, best[1], acc[1], iv)};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// MaxUnpool: indices are flat positions in the default unpooled shape
// ((in - 1) * stride + kernel - pads); each value lands at that position's
// coordinates in the output (which output_shape may make larger).
struct LowerMaxUnpool : OpRewritePattern<nn::MaxUnpoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MaxUnpoolOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput(), indices = op.getIndices();
    auto type = op.getType();
    int64_t rank = type.getRank(), spatial = rank - 2;
    Type element = type.getElementType();
    auto kernel = op.getKernelShape(), strides = op.getStrides(), pads = op.getPads();
    Sizes outSizes;
    for (int64_t i = 0; i < rank; ++i)
      outSizes.push_back(type.isDynamicDim(i)
                             ? OpFoldResult(extractIndexAt(rewriter, loc, op.getOutputShape(), i))
                             : OpFoldResult(rewriter.getIndexAttr(type.getDimSize(i))));
    SmallVector<Value> inDims = dimValues(rewriter, loc, x);
    SmallVector<Value> defaultDims = {inDims[0], inDims[1]};
    for (int64_t i = 0; i < spatial; ++i)
      defaultDims.push_back(idx(rewriter, loc, 0));
    for (int64_t i = 0; i < spatial; ++i)
      defaultDims[2 + i] = subI(rewriter, loc,
                                addI(rewriter, loc, mulI(rewriter, loc, subI(rewriter, loc, inDims[2 + i], idx(rewriter, loc, 1)),
                                                          idx(rewriter, loc, strides[i])),
                                     idx(rewriter, loc, kernel[i])),
                                idx(rewriter, loc, pads[i] + pads[spatial + i]));
    Value total = idx(rewriter, loc, 1);
    for (Value d : defaultDims)
      total = mulI(rewriter, loc, total, d);
    Value out = filledTensor(rewriter, loc, type, outSizes, scalarConstant(rewriter, loc, element, 0));
    auto filled = loopNest(rewriter, loc, inDims, {out},
                           [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
                             Value i = asIndex(b, l, tensor::ExtractOp::create(b, l, indices, iv));
                             runtimeCheck(b, l, inRange(b, l, i, total), "an index is out of range");
                             SmallVector<Value> pos(rank);
                             for (int64_t d = rank - 1; d >= 0; --d) {
                               pos[d] = arith::RemUIOp::create(b, l, i, defaultDims[d]);
                               i = arith::DivUIOp::create(b, l, i, defaultDims[d]);
                             }
                             Value fits = arith::ConstantIntOp::create(b, l, 1, 1);
                             for (int64_t d = 0; d < rank; ++d)
                               fits = andB(b, l, fits, inRange(b, l, pos[d], indexValue(b, l, outSizes[d])));
                             runtimeCheck(b, l, fits, "an index lands outside output_shape");
                             Value v = tensor::ExtractOp::create(b, l, x, iv);
                             return {tensor::InsertOp::create(b, l, v, acc[0], pos)};
                           });
    rewriter.replaceOp(op, filled[0]);
    return success();
  }
};

// Bilinear sample of [N, C, H, W] at (y, x), RoiAlign's rules: 0 beyond one
// pixel outside, clamped at the edges.
Value roiBilinear(OpBuilder &b, Location l, Value input, Value n, Value c, Value y, Value x, Value h,
                  Value w, Type f, bool maxMode, Value *maxOut) {
  Value zero = scalarConstant(b, l, f, 0), one = scalarConstant(b, l, f, 1);
  Value hf = asFloat(b, l, h, f), wf = asFloat(b, l, w, f);
  Value outside = orB(b, l,
                      orB(b, l, cmpF(b, l, arith::CmpFPredicate::OLT, y, scalarConstant(b, l, f, -1)),
                          cmpF(b, l, arith::CmpFPredicate::OGT, y, hf)),
                      orB(b, l, cmpF(b, l, arith::CmpFPredicate::OLT, x, scalarConstant(b, l, f, -1)),
                          cmpF(b, l, arith::CmpFPredicate::OGT, x, wf)));
  y = arith::MaximumFOp::create(b, l, y, zero);
  x = arith::MaximumFOp::create(b, l, x, zero);
  auto split = [&](Value v, Value size, Value sizeF) {
    Value lowI = asIndex(b, l, v);
    Value lastI = subI(b, l, size, idx(b, l, 1));
    Value atEnd = cmpI(b, l, arith::CmpIPredicate::sge, lowI, lastI);
    Value low = sel(b, l, atEnd, lastI, lowI);
    Value high = sel(b, l, atEnd, lastI, addI(b, l, lowI, idx(b, l, 1)));
    Value pos = sel(b, l, atEnd, asFloat(b, l, lastI, f), v);
    Value frac = subF(b, l, pos, asFloat(b, l, low, f));
    (void)sizeF;
    return std::make_tuple(low, high, frac);
  };
  auto [yl, yh, ly] = split(y, h, hf);
  auto [xl, xh, lx] = split(x, w, wf);
  Value hy = subF(b, l, one, ly), hx = subF(b, l, one, lx);
  auto at = [&](Value yy, Value xx) { return tensor::ExtractOp::create(b, l, input, ValueRange{n, c, yy, xx}); };
  Value v1 = mulF(b, l, mulF(b, l, hy, hx), at(yl, xl));
  Value v2 = mulF(b, l, mulF(b, l, hy, lx), at(yl, xh));
  Value v3 = mulF(b, l, mulF(b, l, ly, hx), at(yh, xl));
  Value v4 = mulF(b, l, mulF(b, l, ly, lx), at(yh, xh));
  if (maxMode) {
    Value m = arith::MaximumFOp::create(b, l, arith::MaximumFOp::create(b, l, v1, v2),
                                        arith::MaximumFOp::create(b, l, v3, v4));
    *maxOut = sel(b, l, outside, zero, m);
  }
  return sel(b, l, outside, zero, addF(b, l, addF(b, l, v1, v2), addF(b, l, v3, v4)));
}

struct LowerRoiAlign : OpRewritePattern<nn::RoiAlignOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::RoiAlignOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), rois = op.getRois(), batchIndices = op.getBatchIndices();
    auto type = op.getType();
    Type f = type.getElementType();
    SmallVector<Value> inDims = dimValues(rewriter, loc, input);
    Value h = inDims[2], w = inDims[3];
    int64_t ph = op.getOutputHeight(), pw = op.getOutputWidth();
    int64_t ratio = op.getSamplingRatio();
    double scale = op.getSpatialScale().convertToDouble();
    bool halfPixel = op.getCoordinateTransformationMode() == "half_pixel";
    bool maxMode = op.getMode() == "max";
    Sizes out = {sizesOf(rewriter, loc, rois)[0], inDims[1], rewriter.getIndexAttr(ph),
                 rewriter.getIndexAttr(pw)};
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, type, out, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          auto c = [&](double v) { return scalarConstant(b, l, f, v); };
          Value r = iv[0];
          Value n = asIndex(b, l, tensor::ExtractOp::create(b, l, batchIndices, ValueRange{r}));
          runtimeCheck(b, l, inRange(b, l, n, inDims[0]), "a batch index is out of range");
          auto roi = [&](int64_t k) {
            return mulF(b, l, tensor::ExtractOp::create(b, l, rois, ValueRange{r, idx(b, l, k)}), c(scale));
          };
          Value offset = c(halfPixel ? 0.5 : 0.0);
          Value x1 = subF(b, l, roi(0), offset), y1 = subF(b, l, roi(1), offset);
          Value x2 = subF(b, l, roi(2), offset), y2 = subF(b, l, roi(3), offset);
          Value rw = subF(b, l, x2, x1), rh = subF(b, l, y2, y1);
          if (!halfPixel) {
            rw = arith::MaximumFOp::create(b, l, rw, c(1));
            rh = arith::MaximumFOp::create(b, l, rh, c(1));
          }
          Value binH = divF(b, l, rh, c(ph)), binW = divF(b, l, rw, c(pw));
          auto gridOf = [&](Value extent, int64_t bins) -> Value {
            if (ratio > 0)
              return idx(b, l, ratio);
            return asIndex(b, l, math::CeilOp::create(b, l, divF(b, l, extent, c(bins))));
          };
          Value gh = gridOf(rh, ph), gw = gridOf(rw, pw);
          Value count = arith::MaxSIOp::create(b, l, mulI(b, l, gh, gw), idx(b, l, 1));
          Value ghF = asFloat(b, l, gh, f), gwF = asFloat(b, l, gw, f);
          Value startY = addF(b, l, y1, mulF(b, l, asFloat(b, l, iv[2], f), binH));
          Value startX = addF(b, l, x1, mulF(b, l, asFloat(b, l, iv[3], f), binW));
          Value init = maxMode ? extremeConstant(b, l, f, true) : c(0);
          Value acc = loopNest(b, l, {gh, gw}, {init},
                               [&](OpBuilder &ib, Location il, ValueRange g, ValueRange a) -> SmallVector<Value> {
                                 auto cc = [&](double v) { return scalarConstant(ib, il, f, v); };
                                 Value yy = addF(ib, il, startY,
                                                 divF(ib, il, mulF(ib, il, addF(ib, il, asFloat(ib, il, g[0], f), cc(0.5)), binH), ghF));
                                 Value xx = addF(ib, il, startX,
                                                 divF(ib, il, mulF(ib, il, addF(ib, il, asFloat(ib, il, g[1], f), cc(0.5)), binW), gwF));
                                 Value maxV;
                                 Value v = roiBilinear(ib, il, input, n, iv[1], yy, xx, h, w, f, maxMode, &maxV);
                                 return {maxMode ? Value(arith::MaximumFOp::create(ib, il, a[0], maxV))
                                                 : addF(ib, il, a[0], v)};
                               })[0];
          if (maxMode)
            return acc;
          return divF(b, l, acc, asFloat(b, l, count, f));
        }));
    return success();
  }
};

// GridSample (2-D), as ONNX Runtime samples: unnormalise, apply the padding
// mode, interpolate.
struct LowerGridSample : OpRewritePattern<nn::GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GridSampleOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), grid = op.getGrid();
    auto type = op.getType();
    Type f = type.getElementType();
    bool align = op.getAlignCorners() != 0;
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    SmallVector<Value> inDims = dimValues(rewriter, loc, input), gridDims = dimValues(rewriter, loc, grid);
    Value h = inDims[2], w = inDims[3];
    Sizes out = {inDims[0], inDims[1], gridDims[1], gridDims[2]};
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, type, out, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          auto c = [&](double v) { return scalarConstant(b, l, f, v); };
          Value n = iv[0], ch = iv[1];
          Value gx = tensor::ExtractOp::create(b, l, grid, ValueRange{n, iv[2], iv[3], idx(b, l, 0)});
          Value gy = tensor::ExtractOp::create(b, l, grid, ValueRange{n, iv[2], iv[3], idx(b, l, 1)});
          Value wf = asFloat(b, l, w, f), hf = asFloat(b, l, h, f);
          auto unnormalize = [&](Value g, Value size) {
            Value sizeMinus = subF(b, l, size, c(1));
            return align ? mulF(b, l, divF(b, l, addF(b, l, g, c(1)), c(2)), sizeMinus)
                         : divF(b, l, subF(b, l, mulF(b, l, addF(b, l, g, c(1)), size), c(1)), c(2));
          };
          // Reflect x into [lo, hi] (PyTorch's reflect_coordinates).
          auto reflect = [&](Value x, Value lo, Value hi) -> Value {
            Value span = subF(b, l, hi, lo);
            Value zeroSpan = cmpF(b, l, arith::CmpFPredicate::OLE, span, c(0));
            Value safeSpan = sel(b, l, zeroSpan, c(1), span);
            Value d = math::AbsFOp::create(b, l, subF(b, l, x, lo));
            Value flips = math::FloorOp::create(b, l, divF(b, l, d, safeSpan));
            Value extra = subF(b, l, d, mulF(b, l, flips, safeSpan));
            Value even = cmpF(b, l, arith::CmpFPredicate::OEQ,
                              subF(b, l, flips, mulF(b, l, math::FloorOp::create(b, l, divF(b, l, flips, c(2))), c(2))),
                              c(0));
            Value r = sel(b, l, even, addF(b, l, lo, extra), subF(b, l, hi, extra));
            return sel(b, l, zeroSpan, lo, r);
          };
          auto pad = [&](Value x, Value size) -> Value {
            Value sizeMinus = subF(b, l, size, c(1));
            if (padding == "border")
              return arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, x, c(0)), sizeMinus);
            if (padding == "reflection") {
              Value r = align ? reflect(x, c(0), sizeMinus) : reflect(x, c(-0.5), subF(b, l, size, c(0.5)));
              return arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, r, c(0)), sizeMinus);
            }
            return x;
          };
          Value x = unnormalize(gx, wf), y = unnormalize(gy, hf);
          // A pixel, 0 outside with zeros padding (border/reflection clamp).
          auto pixel = [&](Value yi, Value xi) -> Value {
            Value ok = andB(b, l, inRange(b, l, yi, h), inRange(b, l, xi, w));
            Value cy = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, yi, subI(b, l, h, idx(b, l, 1))), idx(b, l, 0));
            Value cx = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, xi, subI(b, l, w, idx(b, l, 1))), idx(b, l, 0));
            Value v = tensor::ExtractOp::create(b, l, input, ValueRange{n, ch, cy, cx});
            if (padding == "zeros")
              return sel(b, l, ok, v, c(0));
            return v;
          };
          auto floorIdx = [&](Value v) { return asIndex(b, l, math::FloorOp::create(b, l, v)); };
          if (mode == "nearest") {
            x = pad(x, wf);
            y = pad(y, hf);
            return pixel(asIndex(b, l, math::RoundEvenOp::create(b, l, y)),
                         asIndex(b, l, math::RoundEvenOp::create(b, l, x)));
          }
          if (mode == "bilinear") {
            x = pad(x, wf);
            y = pad(y, hf);
            Value x0 = floorIdx(x), y0 = floorIdx(y);
            Value x1 = addI(b, l, x0, idx(b, l, 1)), y1 = addI(b, l, y0, idx(b, l, 1));
            Value fx = subF(b, l, x, math::FloorOp::create(b, l, x));
            Value fy = subF(b, l, y, math::FloorOp::create(b, l, y));
            Value gx0 = subF(b, l, c(1), fx), gy0 = subF(b, l, c(1), fy);
            return addF(b, l,
                        addF(b, l, mulF(b, l, mulF(b, l, gy0, gx0), pixel(y0, x0)),
                             mulF(b, l, mulF(b, l, gy0, fx), pixel(y0, x1))),
                        addF(b, l, mulF(b, l, mulF(b, l, fy, gx0), pixel(y1, x0)),
                             mulF(b, l, mulF(b, l, fy, fx), pixel(y1, x1))));
          }
          // Bicubic (a = -0.75) over 4 x 4 pixels; padding applies per pixel.
          Value x0 = subI(b, l, floorIdx(x), idx(b, l, 1)), y0 = subI(b, l, floorIdx(y), idx(b, l, 1));
          Value tx = subF(b, l, x, math::FloorOp::create(b, l, x));
          Value ty = subF(b, l, y, math::FloorOp::create(b, l, y));
          auto coeffs = [&](Value t) {
            double a = -0.75;
            auto near = [&](Value d) { // |d| <= 1
              return addF(b, l, mulF(b, l, mulF(b, l, subF(b, l, mulF(b, l, c(a + 2), d), c(a + 3)), d), d), c(1));
            };
            auto far = [&](Value d) { // 1 < |d| < 2
              return subF(b, l, mulF(b, l, addF(b, l, mulF(b, l, subF(b, l, mulF(b, l, c(a), d), c(5 * a)), d), c(8 * a)), d),
                          c(4 * a));
            };
            return SmallVector<Value>{far(addF(b, l, t, c(1))), near(t), near(subF(b, l, c(1), t)),
                                      far(subF(b, l, c(2), t))};
          };
          auto wx = coeffs(tx), wy = coeffs(ty);
          auto sample = [&](Value yi, Value xi) -> Value {
            if (padding == "zeros")
              return pixel(yi, xi);
            // Border/reflection: pad the integer coordinate as a float.
            Value px = pad(asFloat(b, l, xi, f), wf), py = pad(asFloat(b, l, yi, f), hf);
            return pixel(asIndex(b, l, py), asIndex(b, l, px));
          };
          Value acc = c(0);
          for (int64_t i = 0; i < 4; ++i)
            for (int64_t j = 0; j < 4; ++j)
              acc = addF(b, l, acc,
                         mulF(b, l, mulF(b, l, wy[i], wx[j]),
                              sample(addI(b, l, y0, idx(b, l, i)), addI(b, l, x0, idx(b, l, j)))));
          return acc;
        }));
    return success();
  }
};

// Einsum: one linalg.generic with a loop per letter (output letters first,
// summed letters after); a repeated letter indexes a diagonal.
struct LowerEinsum : OpRewritePattern<nn::EinsumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::EinsumOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto [lhs, outTerm] = op.getEquation().split("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    std::string letters = outTerm.str();
    for (StringRef t : terms)
      for (char ch : t)
        if (letters.find(ch) == std::string::npos)
          letters += ch;
    int64_t loops = letters.size(), parallel = outTerm.size();
    auto dimOf = [&](char ch) { return (int64_t)letters.find(ch); };
    // The size behind each letter (any operand where it is not a broadcast 1).
    llvm::StringMap<int64_t> sizeOf;
    for (auto [t, v] : llvm::zip(terms, op.getInputs())) {
      auto type = typeOf(v);
      for (auto [i, ch] : llvm::enumerate(t)) {
        int64_t d = type.getDimSize(i);
        auto &s = sizeOf[StringRef(&t.data()[i], 1)];
        if (s == 0 || s == 1 || ShapedType::isDynamic(s))
          s = d;
      }
    }
    SmallVector<AffineMap> maps;
    for (auto [t, v] : llvm::zip(terms, op.getInputs())) {
      auto type = typeOf(v);
      SmallVector<AffineExpr> exprs;
      for (auto [i, ch] : llvm::enumerate(t)) {
        // A size-1 axis against a larger one broadcasts.
        int64_t full = sizeOf[StringRef(&t.data()[i], 1)];
        bool broadcast = type.getDimSize(i) == 1 && full != 1;
        exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(dimOf(ch), ctx));
      }
      maps.push_back(AffineMap::get(loops, 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    for (char ch : outTerm)
      outExprs.push_back(getAffineDimExpr(dimOf(ch), ctx));
    maps.push_back(AffineMap::get(loops, 0, outExprs, ctx));
    auto type = op.getType();
    Type element = type.getElementType();
    // Output sizes from the first operand holding each output letter.
    Sizes outSizes;
    for (char ch : outTerm) {
      OpFoldResult size = rewriter.getIndexAttr(1);
      for (auto [t, v] : llvm::zip(terms, op.getInputs())) {
        size_t at = t.find(ch);
        if (at == StringRef::npos || typeOf(v).getDimSize(at) == 1)
          continue;
        size = sizesOf(rewriter, loc, v)[at];
        break;
      }
      outSizes.push_back(size);
    }
    Value init = filledTensor(rewriter, loc, type, outSizes, scalarConstant(rewriter, loc, element, 0));
    SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::reduction);
    for (int64_t i = 0; i < parallel; ++i)
      iterators[i] = utils::IteratorType::parallel;
    bool fp = isa<FloatType>(element);
    Value result = linalg::GenericOp::create(
                       rewriter, loc, type, op.getInputs(), init, maps, iterators,
                       [&](OpBuilder &b, Location l, ValueRange a) {
                         Value prod = a[0];
                         for (Value v : a.drop_front().drop_back())
                           prod = fp ? mulF(b, l, prod, v) : mulI(b, l, prod, v);
                         Value acc = a.back();
                         linalg::YieldOp::create(b, l, fp ? addF(b, l, acc, prod) : addI(b, l, acc, prod));
                       })
                       .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Det: LU decomposition with partial pivoting per matrix.
struct LowerDet : OpRewritePattern<nn::DetOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DetOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    Type f = inType.getElementType();
    SmallVector<Value> dims = dimValues(rewriter, loc, input);
    Value m = dims[rank - 1];
    runtimeCheck(rewriter, loc, cmpI(rewriter, loc, arith::CmpIPredicate::eq, m, dims[rank - 2]),
                 "the matrices are not square");
    Sizes outSizes(sizesOf(rewriter, loc, input).begin(), sizesOf(rewriter, loc, input).end() - 2);
    auto matType = RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f);
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, op.getType(), outSizes, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          auto c = [&](double v) { return scalarConstant(b, l, f, v); };
          // A private copy of this matrix to eliminate in.
          Value a = loopNest(b, l, {m, m}, {emptyTensor(b, l, matType, Sizes{m, m})},
                             [&](OpBuilder &ib, Location il, ValueRange rc, ValueRange acc) -> SmallVector<Value> {
                               SmallVector<Value> pos(iv);
                               pos.append({rc[0], rc[1]});
                               return {tensor::InsertOp::create(ib, il, tensor::ExtractOp::create(ib, il, input, pos),
                                                                acc[0], rc)};
                             })[0];
          auto done = forLoop(
              b, l, idx(b, l, 0), m, {a, c(1)},
              [&](OpBuilder &kb, Location kl, ValueRange k, ValueRange st) -> SmallVector<Value> {
                Value mat = st[0];
                // Pivot: the largest |a[i][k]|, i >= k.
                Value pivot = forLoop(kb, kl, k[0], m, {k[0], c(-1)},
                                      [&](OpBuilder &pb, Location pl, ValueRange i, ValueRange best) -> SmallVector<Value> {
                                        Value v = math::AbsFOp::create(pb, pl, tensor::ExtractOp::create(pb, pl, mat, ValueRange{i[0], k[0]}));
                                        Value better = cmpF(pb, pl, arith::CmpFPredicate::OGT, v, best[1]);
                                        return {sel(pb, pl, better, i[0], best[0]), sel(pb, pl, better, v, best[1])};
                                      })[0];
                // Swap rows k and pivot (a swap flips the sign).
                Value swapped = forLoop(kb, kl, idx(kb, kl, 0), m, {mat},
                                        [&](OpBuilder &sb, Location sl, ValueRange col, ValueRange acc) -> SmallVector<Value> {
                                          Value x = tensor::ExtractOp::create(sb, sl, acc[0], ValueRange{k[0], col[0]});
                                          Value y = tensor::ExtractOp::create(sb, sl, acc[0], ValueRange{pivot, col[0]});
                                          Value t = tensor::InsertOp::create(sb, sl, y, acc[0], ValueRange{k[0], col[0]});
                                          return {tensor::InsertOp::create(sb, sl, x, t, ValueRange{pivot, col[0]})};
                                        })[0];
                Value sign = sel(kb, kl, cmpI(kb, kl, arith::CmpIPredicate::ne, pivot, k[0]),
                                 arith::NegFOp::create(kb, kl, st[1]), st[1]);
                Value diag = tensor::ExtractOp::create(kb, kl, swapped, ValueRange{k[0], k[0]});
                Value det = mulF(kb, kl, sign, diag);
                Value nonzero = cmpF(kb, kl, arith::CmpFPredicate::UNE, diag, c(0));
                Value safeDiag = sel(kb, kl, nonzero, diag, c(1));
                // Eliminate below the diagonal.
                Value eliminated = loopNest(
                    kb, kl, {m, m}, {swapped},
                    [&](OpBuilder &eb, Location el, ValueRange rc, ValueRange acc) -> SmallVector<Value> {
                      Value below = cmpI(eb, el, arith::CmpIPredicate::sgt, rc[0], k[0]);
                      Value right = cmpI(eb, el, arith::CmpIPredicate::sgt, rc[1], k[0]);
                      Value factor = divF(eb, el, tensor::ExtractOp::create(eb, el, swapped, ValueRange{rc[0], k[0]}), safeDiag);
                      Value updated = subF(eb, el, tensor::ExtractOp::create(eb, el, acc[0], rc),
                                           mulF(eb, el, factor, tensor::ExtractOp::create(eb, el, swapped, ValueRange{k[0], rc[1]})));
                      Value v = sel(eb, el, andB(eb, el, below, right), updated,
                                    tensor::ExtractOp::create(eb, el, acc[0], rc));
                      return {tensor::InsertOp::create(eb, el, v, acc[0], rc)};
                    })[0];
                return {eliminated, det};
              });
          return done[1];
        }));
    return success();
  }
};

// Counter-based pseudo-random numbers: splitmix64 of (seed, element index),
// so every element is independent and a seed repeats the values.
Value splitmix(OpBuilder &b, Location l, Value x) {
  auto c = [&](uint64_t v) { return arith::ConstantIntOp::create(b, l, b.getI64Type(), (int64_t)v); };
  x = arith::AddIOp::create(b, l, x, c(0x9E3779B97F4A7C15ull));
  x = arith::MulIOp::create(b, l, arith::XOrIOp::create(b, l, x, arith::ShRUIOp::create(b, l, x, c(30))),
                            c(0xBF58476D1CE4E5B9ull));
  x = arith::MulIOp::create(b, l, arith::XOrIOp::create(b, l, x, arith::ShRUIOp::create(b, l, x, c(27))),
                            c(0x94D049BB133111EBull));
  return arith::XOrIOp::create(b, l, x, arith::ShRUIOp::create(b, l, x, c(31)));
}

Value uniform01(OpBuilder &b, Location l, Value bits) {
  // The top 53 bits as a double in [0, 1).
  Value top = arith::ShRUIOp::create(b, l, bits, arith::ConstantIntOp::create(b, l, b.getI64Type(), 11));
  Value d = arith::UIToFPOp::create(b, l, b.getF64Type(), top);
  return arith::MulFOp::create(b, l, d, arith::ConstantOp::create(b, l, b.getF64FloatAttr(1.0 / 9007199254740992.0)));
}

struct LowerRandom : OpRewritePattern<nn::RandomOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::RandomOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type element = type.getElementType();
    StringRef distribution = op.getDistribution();
    Value input = op.getInput();
    Sizes sizes = input ? sizesOf(rewriter, loc, input) : Sizes();
    if (!input)
      for (int64_t d : type.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
    // Without a seed each op still gets its own stream (from its location).
    uint64_t seed = op.getSeed() ? (uint64_t)(int64_t)op.getSeed()->convertToDouble()
                                 : (uint64_t)hash_value(loc);
    double low = op.getLow().convertToDouble(), high = op.getHigh().convertToDouble();
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, type, sizes, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          Value flat = idx(b, l, 0);
          for (auto [i, v] : llvm::enumerate(iv))
            flat = addI(b, l, mulI(b, l, flat, indexValue(b, l, sizes[i])), v);
          Value counter = arith::IndexCastOp::create(b, l, b.getI64Type(), flat);
          Value seeded = arith::XOrIOp::create(
              b, l, arith::MulIOp::create(b, l, counter, arith::ConstantIntOp::create(b, l, b.getI64Type(), 2)),
              arith::ConstantIntOp::create(b, l, b.getI64Type(), (int64_t)(seed * 0x2545F4914F6CDD1Dull)));
          Value u = uniform01(b, l, splitmix(b, l, seeded));
          Value f64 = b.getF64Type().isF64() ? Value() : Value();
          (void)f64;
          auto d = [&](double v) { return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v)).getResult(); };
          Value r;
          if (distribution == "bernoulli") {
            Value p = tensor::ExtractOp::create(b, l, input, iv);
            Value p64 = isa<FloatType>(p.getType()) && !p.getType().isF64()
                            ? Value(arith::ExtFOp::create(b, l, b.getF64Type(), p))
                            : p;
            Value one = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, u, p64);
            return isa<FloatType>(element) ? sel(b, l, one, scalarConstant(b, l, element, 1), scalarConstant(b, l, element, 0))
                                           : sel(b, l, one, scalarConstant(b, l, element, 1), scalarConstant(b, l, element, 0));
          }
          if (distribution == "normal") {
            // Box-Muller with a second draw.
            Value u2 = uniform01(b, l, splitmix(b, l, arith::AddIOp::create(
                                                          b, l, seeded, arith::ConstantIntOp::create(b, l, b.getI64Type(), 1))));
            Value radius = math::SqrtOp::create(
                b, l, arith::MulFOp::create(b, l, d(-2.0), math::LogOp::create(b, l, arith::SubFOp::create(b, l, d(1.0), u))));
            Value z = arith::MulFOp::create(b, l, radius,
                                            math::CosOp::create(b, l, arith::MulFOp::create(b, l, d(2 * M_PI), u2)));
            r = arith::AddFOp::create(b, l, d(low), arith::MulFOp::create(b, l, d(high), z));
          } else {
            r = arith::AddFOp::create(b, l, d(low), arith::MulFOp::create(b, l, d(high - low), u));
          }
          if (element.isF64())
            return r;
          if (isa<FloatType>(element))
            return arith::TruncFOp::create(b, l, element, r);
          return arith::FPToSIOp::create(b, l, element, r);
        }));
    return success();
  }
};

} // namespace

void populateNetworkPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerInstanceNorm, LowerLrn, LowerMaxPoolWithIndices, LowerMaxUnpool, LowerRoiAlign,
               LowerGridSample, LowerEinsum, LowerDet, LowerRandom>(patterns.getContext());
}

} // namespace openopt::lowering
