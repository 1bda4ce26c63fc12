//===- ReductionLowering.cpp - reductions, arg max/min, (log)softmax, losses ===//
//
// Reductions over attribute axes are reduction linalg.generics. Axes known
// only at run time become one generic over the result whose body loops over
// the reduced elements, with the reduced dims chosen by a run-time mask.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
bool isFloat(Type t) { return isa<FloatType>(t); }

enum class Kind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

Kind kindOf(Operation *op) {
  if (isa<nn::ReduceMeanOp>(op)) return Kind::Mean;
  if (isa<nn::ReduceMaxOp>(op)) return Kind::Max;
  if (isa<nn::ReduceMinOp>(op)) return Kind::Min;
  if (isa<nn::ReduceProdOp>(op)) return Kind::Prod;
  if (isa<nn::ReduceL1Op>(op)) return Kind::L1;
  if (isa<nn::ReduceL2Op>(op)) return Kind::L2;
  if (isa<nn::ReduceLogSumOp>(op)) return Kind::LogSum;
  if (isa<nn::ReduceLogSumExpOp>(op)) return Kind::LogSumExp;
  if (isa<nn::ReduceSumSquareOp>(op)) return Kind::SumSquare;
  return Kind::Sum;
}

Value add(OpBuilder &b, Location l, Value x, Value y) {
  return isFloat(x.getType()) ? Value(arith::AddFOp::create(b, l, x, y))
                              : Value(arith::AddIOp::create(b, l, x, y));
}
Value mul(OpBuilder &b, Location l, Value x, Value y) {
  return isFloat(x.getType()) ? Value(arith::MulFOp::create(b, l, x, y))
                              : Value(arith::MulIOp::create(b, l, x, y));
}
Value maxOf(OpBuilder &b, Location l, Value x, Value y) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::MaximumFOp::create(b, l, x, y);
  return t.isUnsignedInteger() ? Value(arith::MaxUIOp::create(b, l, x, y))
                               : Value(arith::MaxSIOp::create(b, l, x, y));
}
Value minOf(OpBuilder &b, Location l, Value x, Value y) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::MinimumFOp::create(b, l, x, y);
  return t.isUnsignedInteger() ? Value(arith::MinUIOp::create(b, l, x, y))
                               : Value(arith::MinSIOp::create(b, l, x, y));
}
Value absOf(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  if (isFloat(t))
    return math::AbsFOp::create(b, l, x);
  return t.isUnsignedInteger() ? x : Value(math::AbsIOp::create(b, l, x));
}

Value initOf(OpBuilder &b, Location l, Kind k, Type t) {
  switch (k) {
  case Kind::Max: return extremeConstant(b, l, t, /*lowest=*/true);
  case Kind::Min: return extremeConstant(b, l, t, /*lowest=*/false);
  case Kind::Prod: return scalarConstant(b, l, t, 1);
  default: return scalarConstant(b, l, t, 0);
  }
}

// acc (+) f(x) for the kind.
Value combineOf(OpBuilder &b, Location l, Kind k, Value acc, Value x) {
  switch (k) {
  case Kind::Max: return maxOf(b, l, acc, x);
  case Kind::Min: return minOf(b, l, acc, x);
  case Kind::Prod: return mul(b, l, acc, x);
  case Kind::L1: return add(b, l, acc, absOf(b, l, x));
  case Kind::L2:
  case Kind::SumSquare: return add(b, l, acc, mul(b, l, x, x));
  case Kind::LogSumExp: return add(b, l, acc, math::ExpOp::create(b, l, x));
  default: return add(b, l, acc, x);
  }
}

// What follows the accumulation: sqrt, log.
Value finishOf(OpBuilder &b, Location l, Kind k, Value acc) {
  if (k == Kind::L2) {
    if (isFloat(acc.getType()))
      return math::SqrtOp::create(b, l, acc);
    Value f = arith::SIToFPOp::create(b, l, b.getF64Type(), acc);
    return arith::FPToSIOp::create(b, l, acc.getType(), math::SqrtOp::create(b, l, f));
  }
  if (k == Kind::LogSum || k == Kind::LogSumExp)
    return math::LogOp::create(b, l, acc);
  return acc;
}

struct LowerReduce : RewritePattern {
  LowerReduce(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::ReduceMeanOp, nn::ReduceSumOp, nn::ReduceMaxOp, nn::ReduceMinOp,
             nn::ReduceProdOp, nn::ReduceL1Op, nn::ReduceL2Op, nn::ReduceLogSumOp,
             nn::ReduceLogSumExpOp, nn::ReduceSumSquareOp>(op))
      return failure();
    Location loc = op->getLoc();
    Value input = op->getOperand(0);
    Value dynamicAxes = op->getNumOperands() > 1 ? op->getOperand(1) : Value();
    auto axes = op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
    bool keepdims = op->getAttrOfType<IntegerAttr>("keepdims").getInt() != 0;
    bool noop = op->getAttrOfType<IntegerAttr>("noop_with_empty_axes").getInt() != 0;
    auto inType = typeOf(input);
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Kind kind = kindOf(op);
    Type element = inType.getElementType();
    if (kind == Kind::Mean && !isFloat(element))
      return op->emitError("ReduceMean: only float element types are supported"), failure();
    if (dynamicAxes) {
      rewriter.replaceOp(op, lowerDynamic(rewriter, loc, kind, input, dynamicAxes, keepdims, noop,
                                          resultType));
      return success();
    }
    if (axes.empty() && noop) {
      rewriter.replaceOp(op, input);
      return success();
    }
    SmallVector<bool> mask = axesMask(inType.getRank(), axes);
    Value result;
    if (kind == Kind::LogSumExp && isFloat(element)) {
      // ln(sum(exp(x - max))) + max, which does not overflow.
      Value max = reduce(rewriter, loc, input, mask, true, extremeConstant(rewriter, loc, element, true),
                         [](OpBuilder &b, Location l, ValueRange a) { return maxOf(b, l, a[0], a[1]); });
      Value shifted = elementwise(rewriter, loc, inType, {input, max},
                                  [](OpBuilder &b, Location l, ValueRange a) -> Value {
                                    Value d = arith::SubFOp::create(b, l, a[0], a[1]);
                                    // -inf - -inf is NaN: a row of -inf sums to 0.
                                    Value isInf = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                                                        a[0], a[1]);
                                    return arith::SelectOp::create(
                                        b, l, isInf, scalarConstant(b, l, d.getType(), 0), d);
                                  });
      Value sum = reduce(rewriter, loc, shifted, mask, true, 0.0,
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::AddFOp::create(b, l, a[0], math::ExpOp::create(b, l, a[1]));
                         });
      auto keptType = typeOf(sum);
      result = elementwise(rewriter, loc, keptType, {sum, max},
                           [](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return arith::AddFOp::create(b, l, math::LogOp::create(b, l, a[0]), a[1]);
                           });
      if (!keepdims) {
        SmallVector<int64_t> drop;
        for (int64_t i = 0; i < inType.getRank(); ++i)
          if (mask[i])
            drop.push_back(i);
        result = dropUnitAxes(rewriter, loc, result, drop);
      }
    } else {
      result = reduce(rewriter, loc, input, mask, keepdims, initOf(rewriter, loc, kind, element),
                      [&](OpBuilder &b, Location l, ValueRange a) {
                        return combineOf(b, l, kind, a[0], a[1]);
                      });
      if (kind == Kind::Mean)
        result = divideByCount(rewriter, loc, result, input, mask);
      else if (kind == Kind::L2 || kind == Kind::LogSum)
        result = elementwise(rewriter, loc, typeOf(result), result,
                             [&](OpBuilder &b, Location l, ValueRange a) {
                               return finishOf(b, l, kind, a[0]);
                             });
    }
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }

  // Axes from a tensor: mask[d] = d is listed (or, with no axes, every d
  // unless noop). Each result element loops over the reduced elements.
  static Value lowerDynamic(OpBuilder &b, Location loc, Kind kind, Value input, Value axes,
                            bool keepdims, bool noop, RankedTensorType resultType) {
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    Type element = inType.getElementType();
    Sizes in = sizesOf(b, loc, input);
    Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
    Value count = tensor::DimOp::create(b, loc, axes, 0);
    Value none = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count, zero);
    Value all = noop ? Value(arith::ConstantIntOp::create(b, loc, 0, 1)) : none;
    SmallVector<Value> mask;
    for (int64_t d = 0; d < rank; ++d) {
      Value listed = scf::ForOp::create(
                         b, loc, zero, count, one, ValueRange{arith::ConstantIntOp::create(b, loc, 0, 1)},
                         [&](OpBuilder &nb, Location l, Value j, ValueRange acc) {
                           Value a = tensor::ExtractOp::create(nb, l, axes, ValueRange{j});
                           a = arith::IndexCastOp::create(nb, l, nb.getIndexType(), a);
                           Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, a, zero);
                           a = arith::SelectOp::create(
                               nb, l, neg, arith::AddIOp::create(nb, l, a, indexConstant(nb, l, rank)), a);
                           Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a,
                                                             indexConstant(nb, l, d));
                           scf::YieldOp::create(nb, l, ValueRange{arith::OrIOp::create(nb, l, acc[0], hit)});
                         })
                         .getResult(0);
      mask.push_back(arith::OrIOp::create(b, loc, listed, all));
    }
    // Result sizes and the number of reduced elements.
    Sizes out;
    Value total = one;
    SmallVector<Value> reducedSize;
    for (int64_t d = 0; d < rank; ++d) {
      Value size = indexValue(b, loc, in[d]);
      Value r = arith::SelectOp::create(b, loc, mask[d], size, one);
      reducedSize.push_back(r);
      total = arith::MulIOp::create(b, loc, total, r);
      if (keepdims)
        out.push_back(arith::SelectOp::create(b, loc, mask[d], one, size).getResult());
    }
    if (!keepdims) {
      // The k-th kept dim: the size of the k-th unmasked input dim.
      for (int64_t k = 0; k < resultType.getRank(); ++k) {
        Value size = one, seen = zero;
        for (int64_t d = 0; d < rank; ++d) {
          Value kept = arith::XOrIOp::create(b, loc, mask[d], arith::ConstantIntOp::create(b, loc, 1, 1));
          Value isK = arith::AndIOp::create(
              b, loc, kept,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, seen, indexConstant(b, loc, k)));
          size = arith::SelectOp::create(b, loc, isK, indexValue(b, loc, in[d]), size);
          seen = arith::SelectOp::create(b, loc, kept, arith::AddIOp::create(b, loc, seen, one), seen);
        }
        out.push_back(size);
      }
    }
    Value countF = isFloat(element)
                       ? Value(arith::UIToFPOp::create(
                             b, loc, element, arith::IndexCastUIOp::create(b, loc, b.getI64Type(), total)))
                       : Value();
    return indexedGenerate(
        b, loc, resultType, out, [&](OpBuilder &nb, Location l, ArrayRef<Value> iv) -> Value {
          Value init = initOf(nb, l, kind, element);
          auto loop = scf::ForOp::create(
              nb, l, zero, total, one, ValueRange{init},
              [&](OpBuilder &lb, Location ll, Value k, ValueRange acc) {
                // Decode k over the reduced dims (innermost last); kept dims
                // take the result index.
                SmallVector<Value> pos(rank);
                Value rest = k, seen = indexConstant(lb, ll, 0);
                SmallVector<Value> keptIndex(rank);
                for (int64_t d = 0; d < rank; ++d) {
                  if (keepdims) {
                    keptIndex[d] = iv[d];
                    continue;
                  }
                  // The result index of kept dim d is iv[number of kept dims before d].
                  Value pick = indexConstant(lb, ll, 0);
                  for (int64_t j = 0; j < (int64_t)iv.size(); ++j)
                    pick = arith::SelectOp::create(
                        lb, ll,
                        arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::eq, seen,
                                              indexConstant(lb, ll, j)),
                        iv[j], pick);
                  keptIndex[d] = pick;
                  Value kept = arith::XOrIOp::create(lb, ll, mask[d],
                                                     arith::ConstantIntOp::create(lb, ll, 1, 1));
                  seen = arith::SelectOp::create(lb, ll, kept,
                                                 arith::AddIOp::create(lb, ll, seen, indexConstant(lb, ll, 1)),
                                                 seen);
                }
                for (int64_t d = rank - 1; d >= 0; --d) {
                  Value coord = arith::RemUIOp::create(lb, ll, rest, reducedSize[d]);
                  rest = arith::DivUIOp::create(lb, ll, rest, reducedSize[d]);
                  pos[d] = arith::SelectOp::create(lb, ll, mask[d], coord, keptIndex[d]);
                }
                Value x = tensor::ExtractOp::create(lb, ll, input, pos);
                scf::YieldOp::create(lb, ll, ValueRange{combineOf(lb, ll, kind, acc[0], x)});
              });
          Value acc = loop.getResult(0);
          if (kind == Kind::Mean)
            acc = arith::DivFOp::create(nb, l, acc, countF);
          return finishOf(nb, l, kind, acc);
        });
  }
};

// ArgMax / ArgMin: the value and its index, carried together.
template <typename OpTy>
struct LowerArgReduce : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, nn::ArgMaxOp>;
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), rank);
    bool last = op.getSelectLastIndex() != 0;
    Type element = inType.getElementType();
    MLIRContext *ctx = rewriter.getContext();
    Sizes in = sizesOf(rewriter, loc, input), keptSizes;
    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis) {
        kept.push_back(inType.getDimSize(i));
        keptSizes.push_back(in[i]);
        outExprs.push_back(getAffineDimExpr(i, ctx));
      }
    auto valType = RankedTensorType::get(kept, element);
    auto idxType = RankedTensorType::get(kept, rewriter.getI64Type());
    Value vals = filledTensor(rewriter, loc, valType, keptSizes,
                              extremeConstant(rewriter, loc, element, isMax));
    Value idxs = filledTensor(rewriter, loc, idxType, keptSizes,
                              scalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto outMap = AffineMap::get(rank, 0, outExprs, ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, idxType}, input, ValueRange{vals, idxs},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = a[0], best = a[1], bestIdx = a[2];
          Value i = arith::IndexCastOp::create(b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          Value better;
          if (isFloat(element)) {
            auto strict = isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT;
            auto loose = isMax ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OLE;
            better = arith::CmpFOp::create(b, l, last ? loose : strict, x, best);
          } else {
            bool u = element.isUnsignedInteger();
            auto strict = isMax ? (u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                                : (u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
            auto loose = isMax ? (u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge)
                               : (u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle);
            better = arith::CmpIOp::create(b, l, last ? loose : strict, x, best);
          }
          // The first element always wins (an all -inf row still gets index 0).
          Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i,
                                              scalarConstant(b, l, b.getI64Type(), 0));
          better = arith::OrIOp::create(b, l, better, first);
          linalg::YieldOp::create(b, l, ValueRange{arith::SelectOp::create(b, l, better, x, best),
                                                   arith::SelectOp::create(b, l, better, i, bestIdx)});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdims())
      result = insertUnitAxes(rewriter, loc, result, {axis});
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerLogSoftmax : OpRewritePattern<nn::LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::LogSoftmaxOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    SmallVector<bool> mask = axesMask(type.getRank(), {(int64_t)op.getAxis()});
    Value x = op.getInput();
    Value max = reduce(rewriter, loc, x, mask, true, lowestFloat(),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::MaximumFOp::create(b, l, a[0], a[1]);
                       });
    Value shifted = elementwise(rewriter, loc, type, {x, max},
                                [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                  return arith::SubFOp::create(b, l, v[0], v[1]);
                                });
    Value sum = reduce(rewriter, loc, shifted, mask, true, 0.0,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::AddFOp::create(b, l, a[0], math::ExpOp::create(b, l, a[1]));
                       });
    rewriter.replaceOp(op, elementwise(rewriter, loc, type, {shifted, sum},
                                       [](OpBuilder &b, Location l, ValueRange v) -> Value {
                                         return arith::SubFOp::create(b, l, v[0],
                                                                      math::LogOp::create(b, l, v[1]));
                                       }));
    return success();
  }
};

// Hardmax: 1 where the index along the axis is the (first) arg max.
struct LowerHardmax : OpRewritePattern<nn::HardmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::HardmaxOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), rank);
    SmallVector<int64_t> argShape(type.getShape());
    argShape[axis] = 1;
    auto argType = RankedTensorType::get(argShape, rewriter.getI64Type());
    Value arg = nn::ArgMaxOp::create(rewriter, loc, argType, op.getInput(),
                                     rewriter.getI64IntegerAttr(axis), rewriter.getI64IntegerAttr(1),
                                     rewriter.getI64IntegerAttr(0));
    Type element = type.getElementType();
    Value result = indexedGenerate(
        rewriter, loc, type, sizesOf(rewriter, loc, op.getInput()),
        [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          SmallVector<Value> pos(iv);
          pos[axis] = indexConstant(b, l, 0);
          Value best = tensor::ExtractOp::create(b, l, arg, pos);
          Value here = arith::IndexCastOp::create(b, l, b.getI64Type(), iv[axis]);
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, best, here);
          return arith::SelectOp::create(b, l, hit, scalarConstant(b, l, element, 1),
                                         scalarConstant(b, l, element, 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// loss[n, d...] = -input[n, t, d...] * w[t], 0 where t == ignore_index.
struct LowerNllLoss : OpRewritePattern<nn::NllLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::NllLossOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), target = op.getTarget(), weight = op.getWeight();
    auto targetType = typeOf(target);
    Type element = typeOf(input).getElementType();
    Sizes targetSizes = sizesOf(rewriter, loc, target);
    Value classes = tensor::DimOp::create(rewriter, loc, input, 1);
    std::optional<int64_t> ignore;
    if (auto i = op.getIgnoreIndex())
      ignore = *i;
    auto lossType = RankedTensorType::get(targetType.getShape(), element);
    // Per element: (weight used, -x * weight).
    auto perElement = [&](bool lossValue) {
      return indexedGenerate(
          rewriter, loc, lossType, targetSizes,
          [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
            Value t = tensor::ExtractOp::create(b, l, target, iv);
            Value ignored = arith::ConstantIntOp::create(b, l, 0, 1);
            if (ignore)
              ignored = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, t,
                                              scalarConstant(b, l, t.getType(), *ignore));
            Value c = arith::IndexCastOp::create(b, l, b.getIndexType(), t);
            // An ignored or out-of-range class reads class 0 (its result is masked).
            Value inRange = arith::AndIOp::create(
                b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, c, indexConstant(b, l, 0)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, c, classes));
            c = arith::SelectOp::create(b, l, inRange, c, indexConstant(b, l, 0));
            Value w = weight ? Value(tensor::ExtractOp::create(b, l, weight, ValueRange{c}))
                             : scalarConstant(b, l, element, 1);
            Value zero = scalarConstant(b, l, element, 0);
            w = arith::SelectOp::create(b, l, ignored, zero, w);
            if (!lossValue)
              return w;
            SmallVector<Value> pos = {iv[0], c};
            pos.append(iv.begin() + 1, iv.end());
            Value x = tensor::ExtractOp::create(b, l, input, pos);
            return arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, x, w));
          });
    };
    Value loss = perElement(true);
    StringRef reduction = op.getReduction();
    if (reduction == "none") {
      rewriter.replaceOp(op, loss);
      return success();
    }
    SmallVector<bool> all(targetType.getRank(), true);
    auto sumAll = [&](Value v) {
      return reduce(rewriter, loc, v, all, false, 0.0, [](OpBuilder &b, Location l, ValueRange a) -> Value {
        return arith::AddFOp::create(b, l, a[0], a[1]);
      });
    };
    Value total = sumAll(loss);
    if (reduction == "mean") {
      Value weights = sumAll(perElement(false));
      total = elementwise(rewriter, loc, typeOf(total), {total, weights},
                          [](OpBuilder &b, Location l, ValueRange a) -> Value {
                            return arith::DivFOp::create(b, l, a[0], a[1]);
                          });
    }
    rewriter.replaceOp(op, total);
    return success();
  }
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerReduce, LowerArgReduce<nn::ArgMaxOp>, LowerArgReduce<nn::ArgMinOp>,
               LowerLogSoftmax, LowerHardmax, LowerNllLoss>(ctx);
}

} // namespace openopt::lowering
