//===- ControlFlowLowering.cpp - nn.if / nn.loop / nn.scan to scf ---------===//
//
// The bodies are cloned into scf regions; the nn ops inside are lowered by
// the other patterns of the same conversion. Loop-carried values may change
// size between iterations (their types are dynamic then); scan outputs of
// nn.loop collect in a buffer that doubles when full.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Value idx(OpBuilder &b, Location l, int64_t v) { return indexConstant(b, l, v); }

// Clones `body` (without its nn.yield) with its arguments bound to `args`;
// returns the yielded values.
SmallVector<Value> inlineBody(OpBuilder &b, Block &body, ValueRange args) {
  IRMapping map;
  map.map(body.getArguments(), args);
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  auto yield = cast<nn::YieldOp>(body.getTerminator());
  return llvm::map_to_vector(yield.getValues(), [&](Value v) { return map.lookupOrDefault(v); });
}

Value castTo(OpBuilder &b, Location l, Value v, Type t) {
  return v.getType() == t ? v : tensor::CastOp::create(b, l, t, v).getResult();
}

// A one-element tensor's value as i1.
Value truth(OpBuilder &b, Location l, Value t) {
  Value v = extractScalar(b, l, t);
  if (!v.getType().isInteger(1))
    v = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v, scalarConstant(b, l, v.getType(), 0));
  return v;
}

struct LowerIf : OpRewritePattern<nn::IfOp> {
  // Bodies are cloned, nested control flow included, which this pattern
  // then lowers in turn.
  explicit LowerIf(MLIRContext *ctx) : OpRewritePattern(ctx) { setHasBoundedRewriteRecursion(); }
  LogicalResult matchAndRewrite(nn::IfOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value cond = truth(rewriter, loc, op.getCondition());
    TypeRange types = op.getResultTypes();
    auto branch = [&](Region &region) {
      return [&, regionPtr = &region](OpBuilder &b, Location l) {
        auto values = inlineBody(b, regionPtr->front(), {});
        SmallVector<Value> cast;
        for (auto [v, t] : llvm::zip(values, types))
          cast.push_back(castTo(b, l, v, t));
        scf::YieldOp::create(b, l, cast);
      };
    };
    auto ifOp = scf::IfOp::create(rewriter, loc, cond, branch(op.getThenBranch()),
                                  branch(op.getElseBranch()));
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

// Appends `slice` as row `count` of `buffer` ([capacity, slice...]),
// doubling the capacity when it is full.
Value appendRow(OpBuilder &b, Location l, Value buffer, Value slice, Value count) {
  auto sliceType = typeOf(slice);
  auto bufferType = typeOf(buffer);
  int64_t rank = sliceType.getRank();
  Value capacity = tensor::DimOp::create(b, l, buffer, 0);
  Value full = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, count, capacity);
  Sizes sliceSizes = sizesOf(b, l, slice);
  auto grown = scf::IfOp::create(
      b, l, full,
      [&](OpBuilder &tb, Location tl) {
        Value bigger = arith::AddIOp::create(tb, tl, arith::MulIOp::create(tb, tl, capacity, idx(tb, tl, 2)),
                                             idx(tb, tl, 1));
        Sizes sizes = {bigger};
        sizes.append(sliceSizes.begin(), sliceSizes.end());
        Value fresh = emptyTensor(tb, tl, bufferType, sizes);
        // The rows so far (their own sizes: the buffer starts with no rows).
        Sizes oldSizes = sizesOf(tb, tl, buffer);
        oldSizes[0] = count;
        Value old = tensor::ExtractSliceOp::create(tb, tl, buffer, Sizes(rank + 1, tb.getIndexAttr(0)), oldSizes,
                                                   Sizes(rank + 1, tb.getIndexAttr(1)));
        Value copied = tensor::InsertSliceOp::create(tb, tl, old, fresh, Sizes(rank + 1, tb.getIndexAttr(0)),
                                                     oldSizes, Sizes(rank + 1, tb.getIndexAttr(1)));
        scf::YieldOp::create(tb, tl, ValueRange{copied});
      },
      [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, ValueRange{buffer}); });
  Sizes offsets(rank + 1, b.getIndexAttr(0));
  offsets[0] = count;
  Sizes sizes = {b.getIndexAttr(1)};
  sizes.append(sliceSizes.begin(), sliceSizes.end());
  SmallVector<int64_t> rowShape = {1};
  rowShape.append(sliceType.getShape().begin(), sliceType.getShape().end());
  Value row = insertUnitAxes(b, l, slice, {0});
  return tensor::InsertSliceOp::create(b, l, row, grown.getResult(0), offsets, sizes,
                                       Sizes(rank + 1, b.getIndexAttr(1)));
}

struct LowerLoop : OpRewritePattern<nn::LoopOp> {
  // Bodies are cloned, nested control flow included, which this pattern
  // then lowers in turn.
  explicit LowerLoop(MLIRContext *ctx) : OpRewritePattern(ctx) { setHasBoundedRewriteRecursion(); }
  LogicalResult matchAndRewrite(nn::LoopOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Block &body = op.getBody().front();
    size_t carried = op.getInitial().size();
    auto yield = cast<nn::YieldOp>(body.getTerminator());
    size_t scans = yield.getValues().size() - 1 - carried;
    Type i64 = rewriter.getI64Type();
    Value tripLimit = op.getMaxTripCount() ? extractScalar(rewriter, loc, op.getMaxTripCount())
                                           : Value();
    Value cond0 = op.getCondition() ? truth(rewriter, loc, op.getCondition())
                                    : arith::ConstantIntOp::create(rewriter, loc, 1, 1).getResult();
    // State: iteration (i64), condition (i1), carried..., buffers..., rows.
    SmallVector<Value> init = {scalarConstant(rewriter, loc, i64, 0), cond0};
    SmallVector<Type> carriedTypes;
    for (auto [v, r] : llvm::zip(op.getInitial(), op.getResults().take_front(carried))) {
      init.push_back(castTo(rewriter, loc, v, r.getType()));
      carriedTypes.push_back(r.getType());
    }
    SmallVector<Type> bufferTypes;
    for (size_t k = 0; k < scans; ++k) {
      auto resultType = typeOf(op.getResult(carried + k));
      bufferTypes.push_back(resultType);
      // No rows yet: every dim 0 (they take the slices' sizes on the first growth).
      init.push_back(emptyTensor(rewriter, loc, resultType,
                                 Sizes(resultType.getRank(), rewriter.getIndexAttr(0))));
    }
    init.push_back(idx(rewriter, loc, 0));
    SmallVector<Type> types = llvm::map_to_vector(init, [](Value v) { return v.getType(); });
    auto whileOp = scf::WhileOp::create(
        rewriter, loc, types, init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value go = args[1];
          if (tripLimit)
            go = arith::AndIOp::create(b, l, go,
                                       arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, args[0], tripLimit));
          scf::ConditionOp::create(b, l, go, args);
        },
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto scalarTensor = [&](Value v) {
            return tensor::FromElementsOp::create(b, l, RankedTensorType::get({}, v.getType()), ValueRange{v})
                .getResult();
          };
          SmallVector<Value> bodyArgs = {scalarTensor(args[0]), scalarTensor(args[1])};
          bodyArgs.append(args.begin() + 2, args.begin() + 2 + carried);
          // Block argument types of the body may be more static than the state.
          for (auto [i, arg] : llvm::enumerate(body.getArguments()))
            bodyArgs[i] = castTo(b, l, bodyArgs[i], arg.getType());
          SmallVector<Value> outputs = inlineBody(b, body, bodyArgs);
          SmallVector<Value> next = {arith::AddIOp::create(b, l, args[0], scalarConstant(b, l, i64, 1)),
                                     truth(b, l, outputs[0])};
          for (size_t i = 0; i < carried; ++i)
            next.push_back(castTo(b, l, outputs[1 + i], carriedTypes[i]));
          Value rows = args.back();
          for (size_t k = 0; k < scans; ++k)
            next.push_back(appendRow(b, l, args[2 + carried + k], outputs[1 + carried + k], rows));
          next.push_back(arith::AddIOp::create(b, l, rows, idx(b, l, 1)));
          scf::YieldOp::create(b, l, next);
        });
    SmallVector<Value> results(whileOp.getResults().begin() + 2,
                               whileOp.getResults().begin() + 2 + carried);
    Value rows = whileOp.getResults().back();
    for (size_t k = 0; k < scans; ++k) {
      Value buffer = whileOp.getResult(2 + carried + k);
      int64_t rank = typeOf(buffer).getRank();
      Sizes sizes = sizesOf(rewriter, loc, buffer);
      sizes[0] = rows;
      Value used = tensor::ExtractSliceOp::create(rewriter, loc, buffer, Sizes(rank, rewriter.getIndexAttr(0)),
                                                  sizes, Sizes(rank, rewriter.getIndexAttr(1)));
      results.push_back(castTo(rewriter, loc, used, bufferTypes[k]));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct LowerScan : OpRewritePattern<nn::ScanOp> {
  // Bodies are cloned, nested control flow included, which this pattern
  // then lowers in turn.
  explicit LowerScan(MLIRContext *ctx) : OpRewritePattern(ctx) { setHasBoundedRewriteRecursion(); }
  LogicalResult matchAndRewrite(nn::ScanOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Block &body = op.getBody().front();
    int64_t scans = op.getNumScanInputs();
    int64_t states = (int64_t)op.getInputs().size() - scans;
    int64_t outputs = (int64_t)op.getNumResults() - states;
    auto inAxes = op.getScanInputAxes(), inDirs = op.getScanInputDirections();
    auto outAxes = op.getScanOutputAxes(), outDirs = op.getScanOutputDirections();
    Value firstScan = op.getInputs()[states];
    Value length = tensor::DimOp::create(rewriter, loc, firstScan, inAxes[0]);
    SmallVector<Value> init;
    for (int64_t i = 0; i < states; ++i)
      init.push_back(castTo(rewriter, loc, op.getInputs()[i], op.getResult(i).getType()));
    for (int64_t k = 0; k < outputs; ++k) {
      auto type = typeOf(op.getResult(states + k));
      Sizes sizes;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (d == outAxes[k])
          sizes.push_back(length);
        else if (type.isDynamicDim(d))
          return op.emitError("Scan: scan outputs need static slice shapes"), failure();
        else
          sizes.push_back(rewriter.getIndexAttr(type.getDimSize(d)));
      }
      init.push_back(emptyTensor(rewriter, loc, type, sizes));
    }
    auto position = [&](OpBuilder &b, Location l, Value t, int64_t reverse) -> Value {
      if (!reverse)
        return t;
      return arith::SubIOp::create(b, l, arith::SubIOp::create(b, l, length, idx(b, l, 1)), t);
    };
    auto results = forLoop(
        rewriter, loc, idx(rewriter, loc, 0), length, init,
        [&](OpBuilder &b, Location l, ValueRange t, ValueRange acc) -> SmallVector<Value> {
          SmallVector<Value> args(acc.begin(), acc.begin() + states);
          for (int64_t i = 0; i < scans; ++i) {
            Value in = op.getInputs()[states + i];
            auto inType = typeOf(in);
            int64_t axis = inAxes[i];
            Sizes offsets(inType.getRank(), b.getIndexAttr(0)), sizes = sizesOf(b, l, in);
            offsets[axis] = position(b, l, t[0], inDirs[i]);
            sizes[axis] = b.getIndexAttr(1);
            Value slice = tensor::ExtractSliceOp::create(b, l, in, offsets, sizes,
                                                         Sizes(inType.getRank(), b.getIndexAttr(1)));
            args.push_back(dropUnitAxes(b, l, slice, {axis}));
          }
          for (auto [i, arg] : llvm::enumerate(body.getArguments()))
            args[i] = castTo(b, l, args[i], arg.getType());
          SmallVector<Value> produced = inlineBody(b, body, args);
          SmallVector<Value> next;
          for (int64_t i = 0; i < states; ++i)
            next.push_back(castTo(b, l, produced[i], acc[i].getType()));
          for (int64_t k = 0; k < outputs; ++k) {
            Value buffer = acc[states + k];
            int64_t rank = typeOf(buffer).getRank();
            Value row = insertUnitAxes(b, l, produced[states + k], {outAxes[k]});
            Sizes offsets(rank, b.getIndexAttr(0)), sizes = sizesOf(b, l, row);
            offsets[outAxes[k]] = position(b, l, t[0], outDirs[k]);
            next.push_back(tensor::InsertSliceOp::create(b, l, row, buffer, offsets, sizes,
                                                         Sizes(rank, b.getIndexAttr(1))));
          }
          return next;
        });
    SmallVector<Value> replaced;
    for (auto [v, r] : llvm::zip(results, op.getResults()))
      replaced.push_back(castTo(rewriter, loc, v, r.getType()));
    rewriter.replaceOp(op, replaced);
    return success();
  }
};

struct LowerAssert : OpRewritePattern<nn::AssertOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AssertOp op, PatternRewriter &rewriter) const override {
    auto type = typeOf(op.getCondition());
    SmallVector<Value> zeros(type.getRank(), indexConstant(rewriter, op.getLoc(), 0));
    Value holds = tensor::ExtractOp::create(rewriter, op.getLoc(), op.getCondition(), zeros);
    runtimeCheck(rewriter, op.getLoc(), holds, op.getMessage());
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void populateControlFlowPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerIf, LowerLoop, LowerScan, LowerAssert>(patterns.getContext());
}

} // namespace openopt::lowering
