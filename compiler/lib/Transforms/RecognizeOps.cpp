//===- RecognizeOps.cpp - the openopt-recognize-ops pass ------------------===//
#include "openopt/Transforms/Passes.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_RECOGNIZEOPSPASS
#include "openopt/Transforms/Passes.h.inc"

namespace {

constexpr double kTolerance = 1e-4;

// The value of a constant whose elements are all equal.
std::optional<double> splatValue(Value v) {
  DenseElementsAttr dense;
  if (!v || !matchPattern(v, m_Constant(&dense)))
    return std::nullopt;
  if (!isa<FloatType>(dense.getElementType()))
    return std::nullopt;
  auto values = dense.getValues<APFloat>();
  double first = (*values.begin()).convertToDouble();
  for (const APFloat &x : values)
    if (x.convertToDouble() != first)
      return std::nullopt;
  return first;
}

bool isSplat(Value v, double expected) {
  auto s = splatValue(v);
  return s && std::abs(*s - expected) <= kTolerance * std::max(1.0, std::abs(expected));
}

template <typename OpTy>
OpTy defining(Value v) {
  return v ? v.getDefiningOp<OpTy>() : OpTy();
}

// For a commutative binary op: (operand matching pred, the other one).
template <typename OpTy>
std::optional<std::pair<Value, Value>> split(OpTy op, llvm::function_ref<bool(Value)> pred) {
  if (pred(op.getLhs()))
    return std::make_pair(op.getLhs(), op.getRhs());
  if (pred(op.getRhs()))
    return std::make_pair(op.getRhs(), op.getLhs());
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// LayerNormalization: (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) * g + b
//===----------------------------------------------------------------------===//

// Axes of a keepdims reduce_mean, when they are the trailing axes [k, rank).
std::optional<int64_t> trailingAxis(nn::ReduceMeanOp mean) {
  if (!mean || mean.getKeepdims() == 0)
    return std::nullopt;
  int64_t rank = mean.getInput().getType().getRank();
  llvm::SmallBitVector axes(rank);
  for (int64_t a : mean.getAxes())
    if (auto n = nn::normalizeAxis(a, rank))
      axes.set(*n);
  int64_t count = axes.count();
  if (count == 0)
    return std::nullopt;
  for (int64_t i = rank - count; i < rank; ++i)
    if (!axes.test(i))
      return std::nullopt;
  return rank - count;
}

struct RecognizeLayerNorm : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp root, PatternRewriter &rewriter) const override {
    // root = mul(normalised, gamma) + beta
    auto withMul = split(root, [](Value v) { return (bool)defining<nn::MulOp>(v); });
    if (!withMul)
      return failure();
    auto mul = defining<nn::MulOp>(withMul->first);
    Value beta = withMul->second;
    auto withDiv = split(mul, [](Value v) { return (bool)defining<nn::DivOp>(v); });
    if (!withDiv)
      return failure();
    Value gamma = withDiv->second;
    auto div = defining<nn::DivOp>(withDiv->first);
    auto centred = defining<nn::SubOp>(div.getLhs());
    auto sqrt = defining<nn::SqrtOp>(div.getRhs());
    if (!centred || !sqrt)
      return failure();
    auto mean = defining<nn::ReduceMeanOp>(centred.getRhs());
    Value x = centred.getLhs();
    if (!mean || mean.getInput() != x)
      return failure();
    auto addEps = defining<nn::AddOp>(sqrt.getInput());
    if (!addEps)
      return failure();
    auto withVar = split(addEps, [](Value v) { return (bool)defining<nn::ReduceMeanOp>(v); });
    if (!withVar)
      return failure();
    auto eps = splatValue(withVar->second);
    auto var = defining<nn::ReduceMeanOp>(withVar->first);
    if (!eps || *eps < 0)
      return failure();
    // var = mean(centred^2), written as Pow(c, 2) or c * c.
    Value squared = var.getInput();
    bool isSquare = false;
    if (auto pow = defining<nn::PowOp>(squared))
      isSquare = pow.getLhs() == centred.getResult() && isSplat(pow.getRhs(), 2.0);
    else if (auto sq = defining<nn::MulOp>(squared))
      isSquare = sq.getLhs() == centred.getResult() && sq.getRhs() == centred.getResult();
    auto axis = trailingAxis(mean);
    if (!isSquare || !axis || trailingAxis(var) != axis)
      return failure();
    // Scale and bias must broadcast onto the normalised axes alone.
    auto xType = cast<RankedTensorType>(x.getType());
    ArrayRef<int64_t> normShape = xType.getShape().drop_front(*axis);
    for (Value p : {gamma, beta}) {
      auto shape = cast<RankedTensorType>(p.getType()).getShape();
      auto bc = nn::broadcastShapes(normShape, shape);
      if (shape.size() > normShape.size() || failed(bc) || ArrayRef<int64_t>(*bc) != normShape)
        return failure();
    }
    if (root.getType() != xType)
      return failure();
    // The new op keeps the first and last node of the subgraph in its location.
    Location loc = rewriter.getFusedLoc({mean.getLoc(), root.getLoc()});
    auto layerNorm = nn::LayerNormOp::create(rewriter, loc, xType, x, gamma, beta,
                                             rewriter.getI64IntegerAttr(*axis),
                                             rewriter.getF32FloatAttr(float(*eps)));
    rewriter.replaceOp(root, layerNorm.getResult());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// GELU: x * 0.5 * (1 + erf(x / sqrt(2))), factors in any order and grouping.
//===----------------------------------------------------------------------===//

// The factors of a product tree of nn.mul ops (only single-use inner nodes).
void collectFactors(Value v, bool isRoot, SmallVectorImpl<Value> &factors) {
  auto mul = defining<nn::MulOp>(v);
  if (mul && (isRoot || v.hasOneUse()) && factors.size() < 4) {
    collectFactors(mul.getLhs(), false, factors);
    collectFactors(mul.getRhs(), false, factors);
    return;
  }
  factors.push_back(v);
}

// x when v = x / sqrt(2) or x * (1 / sqrt(2)).
Value erfArgumentSource(Value v) {
  if (auto div = defining<nn::DivOp>(v))
    return isSplat(div.getRhs(), std::sqrt(2.0)) ? div.getLhs() : Value();
  if (auto mul = defining<nn::MulOp>(v)) {
    auto s = split(mul, [](Value c) { return isSplat(c, 1.0 / std::sqrt(2.0)); });
    return s ? s->second : Value();
  }
  return Value();
}

struct RecognizeGelu : OpRewritePattern<nn::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MulOp root, PatternRewriter &rewriter) const override {
    SmallVector<Value> factors;
    collectFactors(root.getResult(), true, factors);
    if (factors.size() != 3)
      return failure();
    Value x, half, onePlusErf;
    for (Value f : factors) {
      if (!half && isSplat(f, 0.5))
        half = f;
      else if (auto add = defining<nn::AddOp>(f); add && !onePlusErf &&
                                                   split(add, [](Value c) { return isSplat(c, 1.0); }))
        onePlusErf = f;
      else
        x = f;
    }
    if (!x || !half || !onePlusErf)
      return failure();
    auto add = defining<nn::AddOp>(onePlusErf);
    auto erfSide = split(add, [](Value c) { return (bool)defining<nn::ErfOp>(c); });
    if (!erfSide)
      return failure();
    auto erf = defining<nn::ErfOp>(erfSide->first);
    if (erfArgumentSource(erf.getInput()) != x || root.getType() != x.getType())
      return failure();
    Location loc = rewriter.getFusedLoc({erf.getLoc(), root.getLoc()});
    auto gelu = nn::GeluOp::create(rewriter, loc, root.getType(), x, rewriter.getStringAttr("none"));
    rewriter.replaceOp(root, gelu.getResult());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Softmax: exp(x - max(x)) / sum(exp(x - max(x))), or exp(x) / sum(exp(x)),
// the max and the sum both keepdims reductions over the same single axis.
//===----------------------------------------------------------------------===//

// The axis of a keepdims reduction over exactly one axis, normalised.
template <typename ReduceOp>
std::optional<int64_t> singleKeptAxis(ReduceOp reduce) {
  if (!reduce || reduce.getKeepdims() == 0 || reduce.getAxes().size() != 1)
    return std::nullopt;
  return nn::normalizeAxis(reduce.getAxes()[0], reduce.getInput().getType().getRank());
}

struct RecognizeSoftmax : OpRewritePattern<nn::DivOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DivOp root, PatternRewriter &rewriter) const override {
    auto exp = defining<nn::ExpOp>(root.getLhs());
    auto sum = defining<nn::ReduceSumOp>(root.getRhs());
    if (!exp || !sum || sum.getInput() != exp.getResult())
      return failure();
    // The exponentials feed only the sum and the division; the sum only the
    // division. Otherwise the subgraph's values are needed elsewhere.
    if (llvm::range_size(exp->getUses()) != 2 || !sum->hasOneUse())
      return failure();
    auto axis = singleKeptAxis(sum);
    if (!axis)
      return failure();
    // Stabilised form: the exponent is x - max(x) over the same axis.
    Value x = exp.getInput();
    Operation *first = exp;
    if (auto centred = defining<nn::SubOp>(x)) {
      auto max = defining<nn::ReduceMaxOp>(centred.getRhs());
      if (max && max.getInput() == centred.getLhs()) {
        if (singleKeptAxis(max) != axis || !centred->hasOneUse() || !max->hasOneUse())
          return failure();
        x = centred.getLhs();
        first = max;
      }
    }
    auto type = dyn_cast<RankedTensorType>(x.getType());
    if (!type || root.getType() != type || !isa<FloatType>(type.getElementType()))
      return failure();
    Location loc = rewriter.getFusedLoc({first->getLoc(), root.getLoc()});
    auto softmax = nn::SoftmaxOp::create(rewriter, loc, type, x, rewriter.getI64IntegerAttr(*axis));
    rewriter.replaceOp(root, softmax.getResult());
    return success();
  }
};

struct RecognizeOpsPass : impl::RecognizeOpsPassBase<RecognizeOpsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    if (layerNorm)
      patterns.add<RecognizeLayerNorm>(&getContext());
    if (gelu)
      patterns.add<RecognizeGelu>(&getContext());
    if (softmax)
      patterns.add<RecognizeSoftmax>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
