//===- IndexingLowering.cpp - gathers, scatters, sorting, ranges ----------===//
//
// Gathers are linalg.generics whose body reads the input at computed
// indices. Scatters, and ops whose output size depends on input values
// (NonZero, Compress, Unique, NonMaxSuppression), are scf.for loops that
// carry the result tensor and insert into it; bufferization makes those
// updates in place. Indices are checked or clamped so that no access leaves
// its tensor.
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
Value idx(OpBuilder &b, Location l, int64_t v) { return indexConstant(b, l, v); }
Value cmpI(OpBuilder &b, Location l, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, l, p, x, y);
}
Value sel(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}
Value addI(OpBuilder &b, Location l, Value x, Value y) { return arith::AddIOp::create(b, l, x, y); }
Value subI(OpBuilder &b, Location l, Value x, Value y) { return arith::SubIOp::create(b, l, x, y); }
Value mulI(OpBuilder &b, Location l, Value x, Value y) { return arith::MulIOp::create(b, l, x, y); }
Value andB(OpBuilder &b, Location l, Value x, Value y) { return arith::AndIOp::create(b, l, x, y); }
Value orB(OpBuilder &b, Location l, Value x, Value y) { return arith::OrIOp::create(b, l, x, y); }
Value notB(OpBuilder &b, Location l, Value x) {
  return arith::XOrIOp::create(b, l, x, arith::ConstantIntOp::create(b, l, 1, 1));
}
Value asIndex(OpBuilder &b, Location l, Value v) {
  if (isa<FloatType>(v.getType()))
    v = arith::FPToSIOp::create(b, l, b.getI64Type(), v);
  if (v.getType().isUnsignedInteger() || v.getType().isInteger(1))
    return arith::IndexCastUIOp::create(b, l, b.getIndexType(), v);
  return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
}
Value asI64(OpBuilder &b, Location l, Value index) {
  return arith::IndexCastOp::create(b, l, b.getI64Type(), index);
}
SmallVector<Value> dimValues(OpBuilder &b, Location l, Value t) {
  return llvm::map_to_vector(sizesOf(b, l, t), [&](OpFoldResult f) { return indexValue(b, l, f); });
}

// An index read from a tensor, negative ones counted from the end of an
// axis of size `size`; out-of-range ones fail the run with `what`.
Value checkedIndex(OpBuilder &b, Location l, Value raw, Value size, const Twine &what) {
  Value i = asIndex(b, l, raw);
  Value zero = idx(b, l, 0);
  i = sel(b, l, cmpI(b, l, arith::CmpIPredicate::slt, i, zero), addI(b, l, i, size), i);
  Value ok = andB(b, l, cmpI(b, l, arith::CmpIPredicate::sge, i, zero),
                  cmpI(b, l, arith::CmpIPredicate::slt, i, size));
  runtimeCheck(b, l, ok, what);
  return i;
}

Value isTrue(OpBuilder &b, Location l, Value v) {
  Type t = v.getType();
  if (t.isInteger(1))
    return v;
  if (isa<FloatType>(t))
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, v, scalarConstant(b, l, t, 0));
  return cmpI(b, l, arith::CmpIPredicate::ne, v, scalarConstant(b, l, t, 0));
}

// ScatterElements / ScatterND combination of the old and new value.
Value combine(OpBuilder &b, Location l, StringRef reduction, Value old, Value update) {
  Type t = old.getType();
  bool f = isa<FloatType>(t);
  if (reduction == "add")
    return f ? Value(arith::AddFOp::create(b, l, old, update)) : Value(addI(b, l, old, update));
  if (reduction == "mul")
    return f ? Value(arith::MulFOp::create(b, l, old, update)) : Value(mulI(b, l, old, update));
  if (reduction == "max")
    return f ? Value(arith::MaximumFOp::create(b, l, old, update))
             : t.isUnsignedInteger() ? Value(arith::MaxUIOp::create(b, l, old, update))
                                     : Value(arith::MaxSIOp::create(b, l, old, update));
  if (reduction == "min")
    return f ? Value(arith::MinimumFOp::create(b, l, old, update))
             : t.isUnsignedInteger() ? Value(arith::MinUIOp::create(b, l, old, update))
                                     : Value(arith::MinSIOp::create(b, l, old, update));
  return update;
}

// A copy of `v` that loops may update in place.
Value copyOf(OpBuilder &b, Location l, Value v) {
  auto type = typeOf(v);
  Value empty = emptyTensor(b, l, type, sizesOf(b, l, v));
  return linalg::CopyOp::create(b, l, v, empty).getResult(0);
}

struct LowerGatherElements : OpRewritePattern<nn::GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GatherElementsOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), typeOf(data).getRank());
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, op.getType(), sizesOf(rewriter, loc, indices),
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             SmallVector<Value> pos(iv);
                                             pos[axis] = checkedIndex(
                                                 b, l, tensor::ExtractOp::create(b, l, indices, iv),
                                                 dataDims[axis], "an index is out of range");
                                             return tensor::ExtractOp::create(b, l, data, pos);
                                           }));
    return success();
  }
};

struct LowerScatterElements : OpRewritePattern<nn::ScatterElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ScatterElementsOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices(), updates = op.getUpdates();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), typeOf(data).getRank());
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    StringRef reduction = op.getReduction();
    auto result = loopNest(rewriter, loc, dimValues(rewriter, loc, indices), {copyOf(rewriter, loc, data)},
                           [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
                             SmallVector<Value> pos(iv);
                             pos[axis] = checkedIndex(b, l, tensor::ExtractOp::create(b, l, indices, iv),
                                                      dataDims[axis], "an index is out of range");
                             Value update = tensor::ExtractOp::create(b, l, updates, iv);
                             Value old = tensor::ExtractOp::create(b, l, acc[0], pos);
                             Value v = combine(b, l, reduction, old, update);
                             return {tensor::InsertOp::create(b, l, v, acc[0], pos)};
                           });
    rewriter.replaceOp(op, result[0]);
    return success();
  }
};

struct LowerGatherND : OpRewritePattern<nn::GatherNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GatherNDOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    auto idxType = typeOf(indices);
    int64_t batch = op.getBatchDims();
    int64_t q = idxType.getDimSize(idxType.getRank() - 1);
    int64_t outer = idxType.getRank() - 1; // result dims from indices
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    Sizes idxSizes = sizesOf(rewriter, loc, indices), dataSizes = sizesOf(rewriter, loc, data);
    Sizes out(idxSizes.begin(), idxSizes.end() - 1);
    out.append(dataSizes.begin() + batch + q, dataSizes.end());
    rewriter.replaceOp(
        op, indexedGenerate(rewriter, loc, op.getType(), out,
                            [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                              SmallVector<Value> pos(iv.begin(), iv.begin() + batch);
                              SmallVector<Value> at(iv.begin(), iv.begin() + outer);
                              at.push_back(Value());
                              for (int64_t k = 0; k < q; ++k) {
                                at.back() = idx(b, l, k);
                                pos.push_back(checkedIndex(b, l, tensor::ExtractOp::create(b, l, indices, at),
                                                           dataDims[batch + k], "an index is out of range"));
                              }
                              pos.append(iv.begin() + outer, iv.end());
                              return tensor::ExtractOp::create(b, l, data, pos);
                            }));
    return success();
  }
};

struct LowerScatterND : OpRewritePattern<nn::ScatterNDOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ScatterNDOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices(), updates = op.getUpdates();
    auto idxType = typeOf(indices);
    int64_t q = idxType.getDimSize(idxType.getRank() - 1);
    int64_t outer = idxType.getRank() - 1;
    SmallVector<Value> dataDims = dimValues(rewriter, loc, data);
    SmallVector<Value> bounds = dimValues(rewriter, loc, indices);
    bounds.pop_back();
    bounds.append(dataDims.begin() + q, dataDims.end());
    StringRef reduction = op.getReduction();
    auto result = loopNest(rewriter, loc, bounds, {copyOf(rewriter, loc, data)},
                           [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
                             SmallVector<Value> at(iv.begin(), iv.begin() + outer), pos;
                             at.push_back(Value());
                             for (int64_t k = 0; k < q; ++k) {
                               at.back() = idx(b, l, k);
                               pos.push_back(checkedIndex(b, l, tensor::ExtractOp::create(b, l, indices, at),
                                                          dataDims[k], "an index is out of range"));
                             }
                             pos.append(iv.begin() + outer, iv.end());
                             Value update = tensor::ExtractOp::create(b, l, updates, iv);
                             Value old = tensor::ExtractOp::create(b, l, acc[0], pos);
                             return {tensor::InsertOp::create(b, l, combine(b, l, reduction, old, update),
                                                              acc[0], pos)};
                           });
    rewriter.replaceOp(op, result[0]);
    return success();
  }
};

struct LowerOneHot : OpRewritePattern<nn::OneHotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::OneHotOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value indices = op.getIndices(), values = op.getValues();
    auto type = op.getType();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), type.getRank());
    Value depth = asIndex(rewriter, loc, extractScalar(rewriter, loc, op.getDepth()));
    runtimeCheck(rewriter, loc, cmpI(rewriter, loc, arith::CmpIPredicate::sgt, depth, idx(rewriter, loc, 0)),
                 "depth must be positive");
    Sizes in = sizesOf(rewriter, loc, indices), out(in);
    out.insert(out.begin() + axis, depth);
    Value off = tensor::ExtractOp::create(rewriter, loc, values, ValueRange{idx(rewriter, loc, 0)});
    Value on = tensor::ExtractOp::create(rewriter, loc, values, ValueRange{idx(rewriter, loc, 1)});
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, type, out,
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             SmallVector<Value> pos(iv);
                                             pos.erase(pos.begin() + axis);
                                             Value i = asIndex(b, l, tensor::ExtractOp::create(b, l, indices, pos));
                                             i = sel(b, l, cmpI(b, l, arith::CmpIPredicate::slt, i, idx(b, l, 0)),
                                                     addI(b, l, i, depth), i);
                                             Value hit = cmpI(b, l, arith::CmpIPredicate::eq, i, iv[axis]);
                                             return sel(b, l, hit, on, off);
                                           }));
    return success();
  }
};

// Compress along an axis (the input flattened when none): the kept slices,
// counted first, then copied.
struct LowerCompress : OpRewritePattern<nn::CompressOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CompressOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), condition = op.getCondition();
    int64_t axis = 0;
    if (auto a = op.getAxis()) {
      axis = *nn::normalizeAxis(*a, typeOf(input).getRank());
    } else {
      auto inType = typeOf(input);
      SmallVector<ReassociationIndices> all(1);
      for (int64_t i = 0; i < inType.getRank(); ++i)
        all[0].push_back(i);
      if (inType.getRank() == 0)
        input = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get({1}, inType.getElementType()), input,
            ArrayRef<ReassociationIndices>{}, Sizes{rewriter.getIndexAttr(1)});
      else if (inType.getRank() != 1)
        input = tensor::CollapseShapeOp::create(rewriter, loc, input, all);
    }
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    SmallVector<Value> dims = dimValues(rewriter, loc, input);
    Value length = arith::MinSIOp::create(rewriter, loc, dims[axis],
                                          tensor::DimOp::create(rewriter, loc, condition, 0));
    Value count = forLoop(rewriter, loc, idx(rewriter, loc, 0), length, {idx(rewriter, loc, 0)},
                          [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
                            Value c = tensor::ExtractOp::create(b, l, condition, iv);
                            return {sel(b, l, c, addI(b, l, acc[0], idx(b, l, 1)), acc[0])};
                          })[0];
    Sizes outSizes(dims.begin(), dims.end());
    outSizes[axis] = count;
    auto resultType = op.getType();
    Value result = emptyTensor(rewriter, loc, resultType, outSizes);
    auto slice = [&](OpBuilder &b, Location l, Value at) {
      Sizes offsets(rank, b.getIndexAttr(0)), sizes(dims.begin(), dims.end());
      offsets[axis] = at;
      sizes[axis] = b.getIndexAttr(1);
      return std::make_pair(offsets, sizes);
    };
    auto filled = forLoop(rewriter, loc, idx(rewriter, loc, 0), length, {result, idx(rewriter, loc, 0)},
                          [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
                            Value c = tensor::ExtractOp::create(b, l, condition, iv);
                            auto copied = scf::IfOp::create(
                                b, l, c,
                                [&](OpBuilder &tb, Location tl) {
                                  auto [srcOff, sizes] = slice(tb, tl, iv[0]);
                                  auto [dstOff, unused] = slice(tb, tl, acc[1]);
                                  Sizes ones(rank, tb.getIndexAttr(1));
                                  Value part = tensor::ExtractSliceOp::create(tb, tl, input, srcOff, sizes, ones);
                                  Value updated = tensor::InsertSliceOp::create(tb, tl, part, acc[0], dstOff,
                                                                                sizes, ones);
                                  scf::YieldOp::create(tb, tl, ValueRange{updated, addI(tb, tl, acc[1], idx(tb, tl, 1))});
                                },
                                [&](OpBuilder &eb, Location el) {
                                  scf::YieldOp::create(eb, el, ValueRange{acc[0], acc[1]});
                                });
                            return {copied.getResult(0), copied.getResult(1)};
                          });
    rewriter.replaceOp(op, filled[0]);
    return success();
  }
};

struct LowerNonZero : OpRewritePattern<nn::NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::NonZeroOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    int64_t rank = typeOf(input).getRank();
    SmallVector<Value> dims = dimValues(rewriter, loc, input);
    Value count = loopNest(rewriter, loc, dims, {idx(rewriter, loc, 0)},
                           [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
                             Value nz = isTrue(b, l, tensor::ExtractOp::create(b, l, input, iv));
                             return {sel(b, l, nz, addI(b, l, acc[0], idx(b, l, 1)), acc[0])};
                           })[0];
    int64_t rows = std::max<int64_t>(rank, 1);
    Value result = emptyTensor(rewriter, loc, op.getType(), Sizes{rewriter.getIndexAttr(rows), count});
    auto filled = loopNest(rewriter, loc, dims, {result, idx(rewriter, loc, 0)},
                           [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
                             Value nz = isTrue(b, l, tensor::ExtractOp::create(b, l, input, iv));
                             auto branch = scf::IfOp::create(
                                 b, l, nz,
                                 [&](OpBuilder &tb, Location tl) {
                                   Value r = acc[0];
                                   for (int64_t d = 0; d < rank; ++d)
                                     r = tensor::InsertOp::create(tb, tl, asI64(tb, tl, iv[d]), r,
                                                                  ValueRange{idx(tb, tl, d), acc[1]});
                                   if (rank == 0)
                                     r = tensor::InsertOp::create(tb, tl, scalarConstant(tb, tl, tb.getI64Type(), 0),
                                                                  r, ValueRange{idx(tb, tl, 0), acc[1]});
                                   scf::YieldOp::create(tb, tl, ValueRange{r, addI(tb, tl, acc[1], idx(tb, tl, 1))});
                                 },
                                 [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, acc); });
                             return {branch.getResult(0), branch.getResult(1)};
                           });
    rewriter.replaceOp(op, filled[0]);
    return success();
  }
};

// Per row (all dims but `axis`): rank of element i = how many elements come
// before it (better value, or equal and earlier); those with rank < k land
// at position rank. O(n^2) per row, no sort needed.
struct LowerTopK : OpRewritePattern<nn::TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TopKOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), rank);
    bool largest = op.getLargest() != 0;
    Type element = inType.getElementType();
    SmallVector<Value> dims = dimValues(rewriter, loc, input);
    Value n = dims[axis];
    Value k = asIndex(rewriter, loc, extractScalar(rewriter, loc, op.getK()));
    runtimeCheck(rewriter, loc,
                 andB(rewriter, loc, cmpI(rewriter, loc, arith::CmpIPredicate::sge, k, idx(rewriter, loc, 0)),
                      cmpI(rewriter, loc, arith::CmpIPredicate::sle, k, n)),
                 "k is not between 0 and the axis size at run time");
    Sizes outSizes(dims.begin(), dims.end());
    outSizes[axis] = k;
    Value values = emptyTensor(rewriter, loc, typeOf(op.getValues()), outSizes);
    Value indices = emptyTensor(rewriter, loc, typeOf(op.getIndices()), outSizes);
    auto better = [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
      if (isa<FloatType>(element))
        return arith::CmpFOp::create(b, l, largest ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT, x, y);
      bool u = element.isUnsignedInteger();
      return cmpI(b, l, largest ? (u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                                : (u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt),
                  x, y);
    };
    auto equal = [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
      if (isa<FloatType>(element))
        return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x, y);
      return cmpI(b, l, arith::CmpIPredicate::eq, x, y);
    };
    auto result = loopNest(
        rewriter, loc, dims, {values, indices},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
          Value x = tensor::ExtractOp::create(b, l, input, iv);
          Value before = forLoop(b, l, idx(b, l, 0), n, {idx(b, l, 0)},
                                 [&](OpBuilder &ib, Location il, ValueRange jv, ValueRange count) -> SmallVector<Value> {
                                   SmallVector<Value> pos(iv);
                                   pos[axis] = jv[0];
                                   Value y = tensor::ExtractOp::create(ib, il, input, pos);
                                   Value ahead = orB(ib, il, better(ib, il, y, x),
                                                     andB(ib, il, equal(ib, il, y, x),
                                                          cmpI(ib, il, arith::CmpIPredicate::slt, jv[0], iv[axis])));
                                   return {sel(ib, il, ahead, addI(ib, il, count[0], idx(ib, il, 1)), count[0])};
                                 })[0];
          Value kept = cmpI(b, l, arith::CmpIPredicate::slt, before, k);
          auto branch = scf::IfOp::create(
              b, l, kept,
              [&](OpBuilder &tb, Location tl) {
                SmallVector<Value> pos(iv);
                pos[axis] = before;
                Value v = tensor::InsertOp::create(tb, tl, x, acc[0], pos);
                Value i = tensor::InsertOp::create(tb, tl, asI64(tb, tl, iv[axis]), acc[1], pos);
                scf::YieldOp::create(tb, tl, ValueRange{v, i});
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, acc); });
          return {branch.getResult(0), branch.getResult(1)};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerCumSum : OpRewritePattern<nn::CumSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CumSumOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    int64_t rank = typeOf(input).getRank();
    Type element = typeOf(input).getElementType();
    Value axis = checkedIndex(rewriter, loc, extractScalar(rewriter, loc, op.getAxis()),
                              idx(rewriter, loc, rank), "axis is out of range");
    SmallVector<Value> dims = dimValues(rewriter, loc, input);
    Value length = idx(rewriter, loc, 1);
    for (int64_t d = 0; d < rank; ++d)
      length = sel(rewriter, loc, cmpI(rewriter, loc, arith::CmpIPredicate::eq, axis, idx(rewriter, loc, d)),
                   dims[d], length);
    bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
    rewriter.replaceOp(
        op, indexedGenerate(
                rewriter, loc, op.getType(), sizesOf(rewriter, loc, input),
                [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                  Value here = idx(b, l, 0);
                  for (int64_t d = 0; d < rank; ++d)
                    here = sel(b, l, cmpI(b, l, arith::CmpIPredicate::eq, axis, idx(b, l, d)), iv[d], here);
                  // Sum over m in [0, here] (exclusive: [0, here)), or the
                  // mirror image with reverse.
                  Value lo = reverse ? (exclusive ? addI(b, l, here, idx(b, l, 1)) : here) : idx(b, l, 0);
                  Value hi = reverse ? length : (exclusive ? here : addI(b, l, here, idx(b, l, 1)));
                  return forLoop(b, l, lo, hi, {scalarConstant(b, l, element, 0)},
                                 [&](OpBuilder &ib, Location il, ValueRange m, ValueRange acc) -> SmallVector<Value> {
                                   SmallVector<Value> pos;
                                   for (int64_t d = 0; d < rank; ++d)
                                     pos.push_back(sel(ib, il, cmpI(ib, il, arith::CmpIPredicate::eq, axis, idx(ib, il, d)),
                                                       m[0], iv[d]));
                                   Value x = tensor::ExtractOp::create(ib, il, input, pos);
                                   return {isa<FloatType>(element) ? Value(arith::AddFOp::create(ib, il, acc[0], x))
                                                                   : addI(ib, il, acc[0], x)};
                                 })[0];
                }));
    return success();
  }
};

struct LowerTrilu : OpRewritePattern<nn::TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TriluOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    int64_t rank = typeOf(input).getRank();
    Value k = op.getK() ? asIndex(rewriter, loc, extractScalar(rewriter, loc, op.getK())) : idx(rewriter, loc, 0);
    bool upper = op.getUpper() != 0;
    Type element = typeOf(input).getElementType();
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, op.getType(), sizesOf(rewriter, loc, input),
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             Value diff = subI(b, l, iv[rank - 1], iv[rank - 2]);
                                             Value keep = cmpI(b, l, upper ? arith::CmpIPredicate::sge
                                                                          : arith::CmpIPredicate::sle,
                                                               diff, k);
                                             return sel(b, l, keep, tensor::ExtractOp::create(b, l, input, iv),
                                                        scalarConstant(b, l, element, 0));
                                           }));
    return success();
  }
};

struct LowerEyeLike : OpRewritePattern<nn::EyeLikeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::EyeLikeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t k = op.getK();
    Type element = op.getType().getElementType();
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, op.getType(), sizesOf(rewriter, loc, op.getInput()),
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             Value diff = subI(b, l, iv[1], iv[0]);
                                             Value on = cmpI(b, l, arith::CmpIPredicate::eq, diff, idx(b, l, k));
                                             return sel(b, l, on, scalarConstant(b, l, element, 1),
                                                        scalarConstant(b, l, element, 0));
                                           }));
    return success();
  }
};

struct LowerRange : OpRewritePattern<nn::RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::RangeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value start = extractScalar(rewriter, loc, op.getStart());
    Value limit = extractScalar(rewriter, loc, op.getLimit());
    Value delta = extractScalar(rewriter, loc, op.getDelta());
    Type element = start.getType();
    Value count;
    if (auto f = dyn_cast<FloatType>(element)) {
      Value span = arith::DivFOp::create(rewriter, loc, arith::SubFOp::create(rewriter, loc, limit, start), delta);
      Value c = math::CeilOp::create(rewriter, loc, span);
      Value c64 = f.getWidth() < 64 ? Value(arith::ExtFOp::create(rewriter, loc, rewriter.getF64Type(), c)) : c;
      count = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(), c64);
    } else {
      runtimeCheck(rewriter, loc, cmpI(rewriter, loc, arith::CmpIPredicate::ne, delta,
                                       scalarConstant(rewriter, loc, element, 0)),
                   "delta is 0");
      Value span = subI(rewriter, loc, limit, start);
      count = arith::CeilDivSIOp::create(rewriter, loc, span, delta);
      if (element.getIntOrFloatBitWidth() < 64)
        count = arith::ExtSIOp::create(rewriter, loc, rewriter.getI64Type(), count);
    }
    Value n = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), count);
    n = arith::MaxSIOp::create(rewriter, loc, n, idx(rewriter, loc, 0));
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, op.getType(), Sizes{n},
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             Value i = asI64(b, l, iv[0]);
                                             if (isa<FloatType>(element)) {
                                               Value fi = arith::SIToFPOp::create(b, l, element, i);
                                               return arith::AddFOp::create(b, l, start,
                                                                            arith::MulFOp::create(b, l, fi, delta));
                                             }
                                             Value ii = element.getIntOrFloatBitWidth() < 64
                                                            ? Value(arith::TruncIOp::create(b, l, element, i))
                                                            : i;
                                             return addI(b, l, start, mulI(b, l, ii, delta));
                                           }));
    return success();
  }
};

struct LowerReverseSequence : OpRewritePattern<nn::ReverseSequenceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReverseSequenceOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), lens = op.getSequenceLens();
    int64_t rank = typeOf(input).getRank();
    int64_t batchAxis = op.getBatchAxis(), timeAxis = op.getTimeAxis();
    SmallVector<Value> dims = dimValues(rewriter, loc, input);
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, op.getType(), sizesOf(rewriter, loc, input),
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             Value len = asIndex(b, l, tensor::ExtractOp::create(b, l, lens, iv[batchAxis]));
                                             len = arith::MinSIOp::create(b, l, len, dims[timeAxis]);
                                             Value t = iv[timeAxis];
                                             Value inside = cmpI(b, l, arith::CmpIPredicate::slt, t, len);
                                             Value mirrored = subI(b, l, subI(b, l, len, idx(b, l, 1)), t);
                                             SmallVector<Value> pos(iv);
                                             pos[timeAxis] = sel(b, l, inside, mirrored, t);
                                             (void)rank;
                                             return tensor::ExtractOp::create(b, l, input, pos);
                                           }));
    return success();
  }
};

// Slice with run-time starts, ends, axes and steps: per input dim, the
// bounds of the last entry that names it; then a gather.
struct LowerDynamicSlice : OpRewritePattern<nn::DynamicSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DynamicSliceOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    int64_t rank = typeOf(input).getRank();
    SmallVector<Value> dims = dimValues(rewriter, loc, input);
    Value count = tensor::DimOp::create(rewriter, loc, op.getStarts(), 0);
    Value zero = idx(rewriter, loc, 0), one = idx(rewriter, loc, 1);
    Sizes offsets, sizes;
    SmallVector<Value> steps;
    for (int64_t d = 0; d < rank; ++d) {
      Value dim = dims[d];
      // Defaults: the whole axis.
      auto found = forLoop(
          rewriter, loc, zero, count, {zero, dim, one, arith::ConstantIntOp::create(rewriter, loc, 0, 1)},
          [&](OpBuilder &b, Location l, ValueRange j, ValueRange acc) -> SmallVector<Value> {
            Value axis = j[0];
            if (Value axes = op.getAxes())
              axis = checkedIndex(b, l, tensor::ExtractOp::create(b, l, axes, j), idx(b, l, rank),
                                  "an axis is out of range");
            Value hit = cmpI(b, l, arith::CmpIPredicate::eq, axis, idx(b, l, d));
            auto read = [&](Value t) {
              Value v = tensor::ExtractOp::create(b, l, t, j);
              // Clamp huge values (INT64_MAX means "to the end") to keep
              // index arithmetic from overflowing.
              Value big = scalarConstant(b, l, v.getType(), double(int64_t(1) << 40));
              Value small = scalarConstant(b, l, v.getType(), -double(int64_t(1) << 40));
              v = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, v, big), small);
              return asIndex(b, l, v);
            };
            Value s = read(op.getStarts()), e = read(op.getEnds());
            Value st = op.getSteps() ? read(op.getSteps()) : idx(b, l, 1);
            return {sel(b, l, hit, s, acc[0]), sel(b, l, hit, e, acc[1]), sel(b, l, hit, st, acc[2]),
                    orB(b, l, acc[3], hit)};
          });
      Value start = found[0], end = found[1], step = found[2];
      runtimeCheck(rewriter, loc, cmpI(rewriter, loc, arith::CmpIPredicate::ne, step, zero), "a step is 0");
      auto wrap = [&](Value v) {
        return sel(rewriter, loc, cmpI(rewriter, loc, arith::CmpIPredicate::slt, v, zero),
                   addI(rewriter, loc, v, dim), v);
      };
      start = wrap(start);
      end = wrap(end);
      Value positive = cmpI(rewriter, loc, arith::CmpIPredicate::sgt, step, zero);
      Value last = subI(rewriter, loc, dim, one), minusOne = idx(rewriter, loc, -1);
      auto clamp = [&](Value v, Value lo, Value hi) {
        return arith::MaxSIOp::create(rewriter, loc, arith::MinSIOp::create(rewriter, loc, v, hi), lo).getResult();
      };
      Value startP = clamp(start, zero, dim), endP = clamp(end, zero, dim);
      Value startN = clamp(start, zero, last), endN = clamp(end, minusOne, last);
      start = sel(rewriter, loc, positive, startP, startN);
      end = sel(rewriter, loc, positive, endP, endN);
      // ceil((end - start) / step), at least 0.
      Value span = subI(rewriter, loc, end, start);
      Value n = arith::CeilDivSIOp::create(rewriter, loc, span, step);
      n = arith::MaxSIOp::create(rewriter, loc, n, zero);
      offsets.push_back(start);
      sizes.push_back(n);
      steps.push_back(step);
    }
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, op.getType(), sizes,
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             SmallVector<Value> pos;
                                             for (int64_t d = 0; d < rank; ++d)
                                               pos.push_back(addI(b, l, indexValue(b, l, offsets[d]),
                                                                  mulI(b, l, iv[d], steps[d])));
                                             return tensor::ExtractOp::create(b, l, input, pos);
                                           }));
    return success();
  }
};

// Unique over rows of a [K, R] view (the input flattened, or moved so that
// `axis` comes first): a row is "first" when no earlier row equals it; its
// output position is its order among first rows (sorted: by value,
// lexicographically). Everything is O(K^2 R) loops.
struct LowerUnique : OpRewritePattern<nn::UniqueOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::UniqueOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    Type element = inType.getElementType();
    bool sorted = op.getSorted() != 0;
    std::optional<int64_t> axis;
    if (auto a = op.getAxis())
      axis = *nn::normalizeAxis(*a, rank);
    // rows [K, R]
    Value rows = input;
    SmallVector<int64_t> perm;
    if (axis) {
      perm.push_back(*axis);
      for (int64_t i = 0; i < rank; ++i)
        if (i != *axis)
          perm.push_back(i);
      if (*axis != 0)
        rows = nn::TransposeOp::create(rewriter, loc, input, rewriter.getDenseI64ArrayAttr(perm));
    }
    SmallVector<Value> dims = dimValues(rewriter, loc, rows);
    Value k = axis ? dims[0] : productOf(rewriter, loc, sizesOf(rewriter, loc, rows));
    Value r = axis ? productOf(rewriter, loc, ArrayRef<OpFoldResult>(sizesOf(rewriter, loc, rows)).drop_front())
                   : idx(rewriter, loc, 1);
    auto flatType = RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic}, element);
    Value flat = reshapeToSizes(rewriter, loc, rows, flatType, Sizes{k, r});
    Value zero = idx(rewriter, loc, 0), one = idx(rewriter, loc, 1);
    auto equalRows = [&](OpBuilder &b, Location l, Value i, Value j) -> Value {
      return forLoop(b, l, zero, r, {arith::ConstantIntOp::create(b, l, 1, 1)},
                     [&](OpBuilder &ib, Location il, ValueRange c, ValueRange acc) -> SmallVector<Value> {
                       Value x = tensor::ExtractOp::create(ib, il, flat, ValueRange{i, c[0]});
                       Value y = tensor::ExtractOp::create(ib, il, flat, ValueRange{j, c[0]});
                       Value eq = isa<FloatType>(element)
                                      ? Value(arith::CmpFOp::create(ib, il, arith::CmpFPredicate::OEQ, x, y))
                                      : cmpI(ib, il, arith::CmpIPredicate::eq, x, y);
                       return {andB(ib, il, acc[0], eq)};
                     })[0];
    };
    // Row i < row j lexicographically.
    auto lessRows = [&](OpBuilder &b, Location l, Value i, Value j) -> Value {
      auto res = forLoop(b, l, zero, r, {arith::ConstantIntOp::create(b, l, 0, 1),
                                         arith::ConstantIntOp::create(b, l, 0, 1)},
                         [&](OpBuilder &ib, Location il, ValueRange c, ValueRange acc) -> SmallVector<Value> {
                           Value x = tensor::ExtractOp::create(ib, il, flat, ValueRange{i, c[0]});
                           Value y = tensor::ExtractOp::create(ib, il, flat, ValueRange{j, c[0]});
                           Value lt, ne;
                           if (isa<FloatType>(element)) {
                             lt = arith::CmpFOp::create(ib, il, arith::CmpFPredicate::OLT, x, y);
                             ne = arith::CmpFOp::create(ib, il, arith::CmpFPredicate::UNE, x, y);
                           } else {
                             bool u = element.isUnsignedInteger();
                             lt = cmpI(ib, il, u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt, x, y);
                             ne = cmpI(ib, il, arith::CmpIPredicate::ne, x, y);
                           }
                           Value decided = acc[1];
                           Value result = sel(ib, il, decided, acc[0], lt);
                           return {result, orB(ib, il, decided, ne)};
                         });
      return res[0];
    };
    // first[i]: no earlier equal row; firstOf[i]: index of the first equal row.
    auto firstOf = [&](OpBuilder &b, Location l, Value i) -> Value {
      return forLoop(b, l, zero, i, {i},
                     [&](OpBuilder &ib, Location il, ValueRange j, ValueRange acc) -> SmallVector<Value> {
                       Value found = cmpI(ib, il, arith::CmpIPredicate::ne, acc[0], i);
                       Value eq = equalRows(ib, il, j[0], i);
                       return {sel(ib, il, andB(ib, il, notB(ib, il, found), eq), j[0], acc[0])};
                     })[0];
    };
    // Output position of first row i.
    auto position = [&](OpBuilder &b, Location l, Value i) -> Value {
      return forLoop(b, l, zero, k, {zero},
                     [&](OpBuilder &ib, Location il, ValueRange j, ValueRange acc) -> SmallVector<Value> {
                       Value isFirst = cmpI(ib, il, arith::CmpIPredicate::eq, firstOf(ib, il, j[0]), j[0]);
                       Value before = sorted ? lessRows(ib, il, j[0], i)
                                             : cmpI(ib, il, arith::CmpIPredicate::slt, j[0], i);
                       return {sel(ib, il, andB(ib, il, isFirst, before), addI(ib, il, acc[0], one), acc[0])};
                     })[0];
    };
    Value count = forLoop(rewriter, loc, zero, k, {zero},
                          [&](OpBuilder &b, Location l, ValueRange i, ValueRange acc) -> SmallVector<Value> {
                            Value isFirst = cmpI(b, l, arith::CmpIPredicate::eq, firstOf(b, l, i[0]), i[0]);
                            return {sel(b, l, isFirst, addI(b, l, acc[0], one), acc[0])};
                          })[0];
    auto i64Of = [&](int64_t n) {
      return RankedTensorType::get(SmallVector<int64_t>(n, ShapedType::kDynamic), rewriter.getI64Type());
    };
    Value yRows = emptyTensor(rewriter, loc, flatType, Sizes{count, r});
    Value firstIdx = emptyTensor(rewriter, loc, i64Of(1), Sizes{count});
    Value inverse = emptyTensor(rewriter, loc, i64Of(1), Sizes{k});
    Value counts = filledTensor(rewriter, loc, i64Of(1), Sizes{count},
                                scalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    auto filled = forLoop(
        rewriter, loc, zero, k, {yRows, firstIdx, inverse, counts},
        [&](OpBuilder &b, Location l, ValueRange i, ValueRange acc) -> SmallVector<Value> {
          Value first = firstOf(b, l, i[0]);
          Value pos = position(b, l, first);
          Value isFirst = cmpI(b, l, arith::CmpIPredicate::eq, first, i[0]);
          Value inv = tensor::InsertOp::create(b, l, asI64(b, l, pos), acc[2], ValueRange{i[0]});
          Value c = tensor::ExtractOp::create(b, l, acc[3], ValueRange{pos});
          c = addI(b, l, c, scalarConstant(b, l, b.getI64Type(), 1));
          Value cnt = tensor::InsertOp::create(b, l, c, acc[3], ValueRange{pos});
          auto branch = scf::IfOp::create(
              b, l, isFirst,
              [&](OpBuilder &tb, Location tl) {
                Value y = forLoop(tb, tl, zero, r, {acc[0]},
                                  [&](OpBuilder &ib, Location il, ValueRange col, ValueRange yAcc) -> SmallVector<Value> {
                                    Value v = tensor::ExtractOp::create(ib, il, flat, ValueRange{i[0], col[0]});
                                    return {tensor::InsertOp::create(ib, il, v, yAcc[0], ValueRange{pos, col[0]})};
                                  })[0];
                Value f = tensor::InsertOp::create(tb, tl, asI64(tb, tl, i[0]), acc[1], ValueRange{pos});
                scf::YieldOp::create(tb, tl, ValueRange{y, f});
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, ValueRange{acc[0], acc[1]}); });
          return {branch.getResult(0), branch.getResult(1), inv, cnt};
        });
    // Y back to the input's layout: [U, rest...], then the axis in place.
    Value y = filled[0];
    auto yType = cast<RankedTensorType>(op.getOutput().getType());
    if (axis) {
      SmallVector<int64_t> movedShape = {ShapedType::kDynamic};
      Sizes movedSizes = {count};
      Sizes rowSizes = sizesOf(rewriter, loc, rows);
      for (int64_t i = 1; i < rank; ++i) {
        movedShape.push_back(typeOf(rows).getDimSize(i));
        movedSizes.push_back(rowSizes[i]);
      }
      y = reshapeToSizes(rewriter, loc, y, RankedTensorType::get(movedShape, element), movedSizes);
      if (*axis != 0) {
        SmallVector<int64_t> inverse(rank);
        for (int64_t i = 0; i < rank; ++i)
          inverse[perm[i]] = i;
        y = nn::TransposeOp::create(rewriter, loc, y, rewriter.getDenseI64ArrayAttr(inverse));
      }
    } else {
      y = reshapeToSizes(rewriter, loc, y, RankedTensorType::get({ShapedType::kDynamic}, element), Sizes{count});
    }
    auto fit = [&](Value v, Type t) -> Value {
      return v.getType() == t ? v : tensor::CastOp::create(rewriter, loc, t, v).getResult();
    };
    rewriter.replaceOp(op, ValueRange{fit(y, yType), fit(filled[1], op.getIndices().getType()),
                                      fit(filled[2], op.getInverseIndices().getType()),
                                      fit(filled[3], op.getCounts().getType())});
    return success();
  }
};

// NonMaxSuppression, greedily per (batch, class): repeatedly pick the
// best-scoring box not yet taken; keep it unless it overlaps a kept box by
// more than iou_threshold; stop at the box budget or the score threshold.
struct LowerNonMaxSuppression : OpRewritePattern<nn::NonMaxSuppressionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::NonMaxSuppressionOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value boxes = op.getBoxes(), scores = op.getScores();
    Type f32 = typeOf(boxes).getElementType();
    Value zero = idx(rewriter, loc, 0), one = idx(rewriter, loc, 1);
    SmallVector<Value> sd = dimValues(rewriter, loc, scores);
    Value batches = sd[0], classes = sd[1], n = sd[2];
    Value maxBoxes = op.getMaxOutputBoxesPerClass()
                         ? asIndex(rewriter, loc, extractScalar(rewriter, loc, op.getMaxOutputBoxesPerClass()))
                         : zero;
    maxBoxes = arith::MinSIOp::create(rewriter, loc, arith::MaxSIOp::create(rewriter, loc, maxBoxes, zero), n);
    Value iouLimit = op.getIouThreshold() ? extractScalar(rewriter, loc, op.getIouThreshold())
                                          : scalarConstant(rewriter, loc, f32, 0);
    Value scoreLimit = op.getScoreThreshold() ? extractScalar(rewriter, loc, op.getScoreThreshold())
                                              : extremeConstant(rewriter, loc, f32, true);
    bool centered = op.getCenterPointBox() != 0;
    Value capacity = mulI(rewriter, loc, mulI(rewriter, loc, batches, classes), maxBoxes);
    auto outType = RankedTensorType::get({ShapedType::kDynamic, 3}, rewriter.getI64Type());
    Value selected = emptyTensor(rewriter, loc, outType, Sizes{capacity, rewriter.getIndexAttr(3)});
    auto boolType = RankedTensorType::get({ShapedType::kDynamic}, rewriter.getI1Type());
    // Corners (y1, x1, y2, x2) of box i of batch b, ordered.
    auto corners = [&](OpBuilder &b, Location l, Value batch, Value i) {
      SmallVector<Value> v;
      for (int64_t c = 0; c < 4; ++c)
        v.push_back(tensor::ExtractOp::create(b, l, boxes, ValueRange{batch, i, idx(b, l, c)}));
      Value y1, x1, y2, x2;
      if (centered) {
        Value half = scalarConstant(b, l, f32, 0.5);
        Value hw = arith::MulFOp::create(b, l, v[2], half), hh = arith::MulFOp::create(b, l, v[3], half);
        x1 = arith::SubFOp::create(b, l, v[0], hw);
        x2 = arith::AddFOp::create(b, l, v[0], hw);
        y1 = arith::SubFOp::create(b, l, v[1], hh);
        y2 = arith::AddFOp::create(b, l, v[1], hh);
      } else {
        y1 = arith::MinimumFOp::create(b, l, v[0], v[2]);
        y2 = arith::MaximumFOp::create(b, l, v[0], v[2]);
        x1 = arith::MinimumFOp::create(b, l, v[1], v[3]);
        x2 = arith::MaximumFOp::create(b, l, v[1], v[3]);
      }
      return SmallVector<Value>{y1, x1, y2, x2};
    };
    auto iou = [&](OpBuilder &b, Location l, Value batch, Value i, Value j) -> Value {
      auto p = corners(b, l, batch, i), q = corners(b, l, batch, j);
      Value zf = scalarConstant(b, l, f32, 0);
      Value h = arith::MaximumFOp::create(b, l, zf, arith::SubFOp::create(
                                                   b, l, arith::MinimumFOp::create(b, l, p[2], q[2]),
                                                   arith::MaximumFOp::create(b, l, p[0], q[0])));
      Value w = arith::MaximumFOp::create(b, l, zf, arith::SubFOp::create(
                                                   b, l, arith::MinimumFOp::create(b, l, p[3], q[3]),
                                                   arith::MaximumFOp::create(b, l, p[1], q[1])));
      Value inter = arith::MulFOp::create(b, l, h, w);
      auto area = [&](ArrayRef<Value> c) {
        return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, c[2], c[0]),
                                     arith::SubFOp::create(b, l, c[3], c[1]));
      };
      Value uni = arith::SubFOp::create(b, l, arith::AddFOp::create(b, l, area(p), area(q)), inter);
      Value positive = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, uni, zf);
      return sel(b, l, positive, arith::DivFOp::create(b, l, inter, uni), zf);
    };
    auto result = loopNest(
        rewriter, loc, {batches, classes}, {selected, zero},
        [&](OpBuilder &b, Location l, ValueRange bc, ValueRange acc) -> SmallVector<Value> {
          Value batch = bc[0], cls = bc[1];
          Value taken = filledTensor(b, l, boolType, Sizes{n}, arith::ConstantIntOp::create(b, l, 0, 1));
          Value startRow = acc[1];
          // Each round takes one candidate; at most n rounds.
          auto rounds = forLoop(
              b, l, zero, n, {acc[0], acc[1], taken},
              [&](OpBuilder &rb, Location rl, ValueRange, ValueRange st) -> SmallVector<Value> {
                Value kept = subI(rb, rl, st[1], startRow);
                Value room = cmpI(rb, rl, arith::CmpIPredicate::slt, kept, maxBoxes);
                // The best candidate not taken yet.
                auto best = forLoop(rb, rl, zero, n, {idx(rb, rl, -1), extremeConstant(rb, rl, f32, true)},
                                    [&](OpBuilder &ib, Location il, ValueRange i, ValueRange bst) -> SmallVector<Value> {
                                      Value s = tensor::ExtractOp::create(ib, il, scores, ValueRange{batch, cls, i[0]});
                                      Value free = notB(ib, il, tensor::ExtractOp::create(ib, il, st[2], ValueRange{i[0]}));
                                      Value better = arith::CmpFOp::create(ib, il, arith::CmpFPredicate::OGT, s, bst[1]);
                                      Value none = cmpI(ib, il, arith::CmpIPredicate::slt, bst[0], idx(ib, il, 0));
                                      Value take = andB(ib, il, free, orB(ib, il, better, none));
                                      return {sel(ib, il, take, i[0], bst[0]), sel(ib, il, take, s, bst[1])};
                                    });
                Value candidate = best[0];
                Value exists = cmpI(rb, rl, arith::CmpIPredicate::sge, candidate, zero);
                Value scoreOk = arith::CmpFOp::create(rb, rl, arith::CmpFPredicate::OGT, best[1], scoreLimit);
                Value go = andB(rb, rl, andB(rb, rl, exists, scoreOk), room);
                auto step = scf::IfOp::create(
                    rb, rl, go,
                    [&](OpBuilder &tb, Location tl) {
                      Value nowTaken = tensor::InsertOp::create(tb, tl, arith::ConstantIntOp::create(tb, tl, 1, 1),
                                                                st[2], ValueRange{candidate});
                      // Suppressed by a box kept before in this (batch, class)?
                      Value suppressed = forLoop(
                          tb, tl, startRow, st[1], {arith::ConstantIntOp::create(tb, tl, 0, 1)},
                          [&](OpBuilder &sb, Location sl, ValueRange row, ValueRange sup) -> SmallVector<Value> {
                            Value other = asIndex(sb, sl, tensor::ExtractOp::create(sb, sl, st[0],
                                                                                    ValueRange{row[0], idx(sb, sl, 2)}));
                            Value over = arith::CmpFOp::create(sb, sl, arith::CmpFPredicate::OGT,
                                                               iou(sb, sl, batch, candidate, other), iouLimit);
                            return {orB(sb, sl, sup[0], over)};
                          })[0];
                      auto keep = scf::IfOp::create(
                          tb, tl, suppressed,
                          [&](OpBuilder &sb, Location sl) { scf::YieldOp::create(sb, sl, ValueRange{st[0], st[1]}); },
                          [&](OpBuilder &kb, Location kl) {
                            Value row = st[1];
                            Value out = tensor::InsertOp::create(kb, kl, asI64(kb, kl, batch), st[0],
                                                                 ValueRange{row, idx(kb, kl, 0)});
                            out = tensor::InsertOp::create(kb, kl, asI64(kb, kl, cls), out, ValueRange{row, idx(kb, kl, 1)});
                            out = tensor::InsertOp::create(kb, kl, asI64(kb, kl, candidate), out,
                                                           ValueRange{row, idx(kb, kl, 2)});
                            scf::YieldOp::create(kb, kl, ValueRange{out, addI(kb, kl, row, idx(kb, kl, 1))});
                          });
                      scf::YieldOp::create(tb, tl, ValueRange{keep.getResult(0), keep.getResult(1), nowTaken});
                    },
                    [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, st); });
                return {step.getResult(0), step.getResult(1), step.getResult(2)};
              });
          return {rounds[0], rounds[1]};
        });
    Value rows = result[1];
    Value out = tensor::ExtractSliceOp::create(rewriter, loc, result[0], Sizes{zero, zero},
                                               Sizes{rows, rewriter.getIndexAttr(3)}, Sizes{one, one});
    if (out.getType() != op.getType())
      out = tensor::CastOp::create(rewriter, loc, op.getType(), out);
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

void populateIndexingPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerGatherElements, LowerScatterElements, LowerGatherND, LowerScatterND,
               LowerOneHot, LowerCompress, LowerNonZero, LowerTopK, LowerCumSum, LowerTrilu,
               LowerEyeLike, LowerRange, LowerReverseSequence, LowerDynamicSlice, LowerUnique,
               LowerNonMaxSuppression>(patterns.getContext());
}

} // namespace openopt::lowering
