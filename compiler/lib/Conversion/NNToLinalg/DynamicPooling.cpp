//===- DynamicPooling.cpp - pooling windows over run-time sizes -----------===//
#include "DynamicPooling.h"

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v) { return indexConstant(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value ge(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, x, y);
  }
  Value select(Value c, Value x, Value y) { return arith::SelectOp::create(b, loc, c, x, y); }
};

} // namespace

Value dynamicPool(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
                  const PoolSpec &p) {
  auto inType = typeOf(input);
  Type element = inType.getElementType();
  int64_t spatial = inType.getRank() - 2;
  MLIRContext *ctx = b.getContext();
  IndexMath m{b, loc};
  Sizes inSizes = sizesOf(b, loc, input);
  Sizes outSizes = {inSizes[0], inSizes[1]};
  SmallVector<Value> inDims;
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0)}, high = low;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t k = p.kernel[i], s = p.strides[i], d = p.dilations[i];
    int64_t padBegin = p.pads[i], padEnd = p.pads[spatial + i];
    int64_t span = d * (k - 1) + 1;
    Value in = indexValue(b, loc, inSizes[2 + i]);
    inDims.push_back(in);
    // out = floor-or-ceil((in + pads - span) / stride) + 1; in ceil mode the
    // last window must still start inside the input or its begin padding.
    Value room = m.add(in, m.c(padBegin + padEnd - span));
    Value out;
    if (!resultType.isDynamicDim(2 + i)) {
      out = m.c(resultType.getDimSize(2 + i));
    } else if (p.ceilMode) {
      out = m.add(arith::CeilDivSIOp::create(b, loc, room, m.c(s)), m.c(1));
      Value lastStart = m.mul(m.sub(out, m.c(1)), m.c(s));
      out = m.select(m.ge(lastStart, m.add(in, m.c(padBegin))), m.sub(out, m.c(1)), out);
    } else {
      out = m.add(arith::FloorDivSIOp::create(b, loc, room, m.c(s)), m.c(1));
    }
    runtimeCheck(b, loc, m.ge(out, m.c(1)),
                 "spatial dimension " + llvm::Twine(i) + " is smaller than the pooling window");
    outSizes.push_back(out);
    // Pad the end so the last window lies inside the padded input.
    Value needed = m.add(m.mul(m.sub(out, m.c(1)), m.c(s)), m.c(span));
    low.push_back(b.getIndexAttr(padBegin));
    high.push_back(m.max(m.c(padEnd), m.sub(needed, m.add(in, m.c(padBegin)))));
  }
  bool isFloat = isa<FloatType>(element);
  Value padValue = p.isMax ? extremeConstant(b, loc, element, /*lowest=*/true)
                           : scalarConstant(b, loc, element, 0.0);
  SmallVector<int64_t> paddedShape(inType.getShape().take_front(2));
  paddedShape.append(spatial, ShapedType::kDynamic);
  Value padded = tensor::PadOp::create(b, loc, RankedTensorType::get(paddedShape, element), input,
                                       low, high, padValue);
  // Loops n, c, window..., out...: as in the static lowering, the window
  // loops sit outside so the innermost loop runs along an output row.
  int64_t loops = 2 + 2 * spatial;
  AffineExpr n = getAffineDimExpr(0, ctx), ch = getAffineDimExpr(1, ctx);
  SmallVector<AffineExpr> inExprs = {n, ch}, winExprs, outExprs = {n, ch};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr k = getAffineDimExpr(2 + i, ctx), o = getAffineDimExpr(2 + spatial + i, ctx);
    inExprs.push_back(o * p.strides[i] + k * p.dilations[i]);
    winExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::parallel);
  for (int64_t i = 0; i < spatial; ++i)
    iterators[2 + i] = utils::IteratorType::reduction;
  Value window = tensor::EmptyOp::create(b, loc, p.kernel, element);
  Value init = filledTensor(b, loc, resultType, outSizes,
                            p.isMax ? extremeConstant(b, loc, element, true) : padValue);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                 AffineMap::get(loops, 0, winExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  Value reduced =
      linalg::GenericOp::create(
          b, loc, resultType, ValueRange{padded, window}, init, maps, iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value r;
            if (!p.isMax)
              r = arith::AddFOp::create(nb, l, args[2], args[0]);
            else if (isFloat)
              r = arith::MaximumFOp::create(nb, l, args[2], args[0]);
            else if (element.isUnsignedInteger())
              r = arith::MaxUIOp::create(nb, l, args[2], args[0]);
            else
              r = arith::MaxSIOp::create(nb, l, args[2], args[0]);
            linalg::YieldOp::create(nb, l, r);
          })
          .getResult(0);
  if (p.isMax)
    return reduced;
  // Averages: divide by the cells of each window that lie inside the input
  // (or inside the padded input with count_include_pad).
  return indexedGenerate(
      b, loc, resultType, outSizes, [&](OpBuilder &nb, Location l, ArrayRef<Value> idx) -> Value {
        IndexMath im{nb, l};
        Value count = im.c(1);
        for (int64_t i = 0; i < spatial; ++i) {
          int64_t padBegin = p.pads[i], padEnd = p.pads[spatial + i];
          Value start = im.sub(im.mul(idx[2 + i], im.c(p.strides[i])), im.c(padBegin));
          Value lo = p.countIncludePad ? im.c(-padBegin) : im.c(0);
          Value hi = p.countIncludePad ? im.add(inDims[i], im.c(padEnd)) : inDims[i];
          Value first = im.max(start, lo), last = im.min(im.add(start, im.c(p.kernel[i])), hi);
          count = im.mul(count, im.max(im.sub(last, first), im.c(1)));
        }
        Value sum = tensor::ExtractOp::create(nb, l, reduced, idx);
        Value asInt = arith::IndexCastOp::create(nb, l, nb.getI64Type(), count);
        Value divisor = arith::SIToFPOp::create(nb, l, element, asInt);
        return arith::DivFOp::create(nb, l, sum, divisor);
      });
}

} // namespace openopt::lowering
