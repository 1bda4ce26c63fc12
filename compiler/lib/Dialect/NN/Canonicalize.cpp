//===- Canonicalize.cpp - canonicalization patterns of nn ops --------------===//
//
// Patterns that shorten chains of data movement by making new ops, which
// folders cannot do. The folders (Folders.cpp) already drop identity
// transposes, same-type reshapes/squeezes/unsqueezes and reshape constants;
// Relu(Relu(x)) folds through the Idempotent trait. Here:
//   transpose(transpose(x))        -> one transpose (x when it is the identity)
//   transpose moving only 1-dims   -> reshape
//   reshape-like(reshape-like(x))  -> one reshape of x, where reshape-like is
//                                     Reshape, Flatten, Squeeze or Unsqueeze
//   computed axes, bounds or sizes that turned out constant -> attributes
//                                     (Squeeze, Unsqueeze, reductions; a
//                                     dynamic_slice becomes a slice)
// A Flatten, Squeeze or Unsqueeze on its own stays as it is: it only becomes
// a Reshape when that lets a chain collapse.
//
//===----------------------------------------------------------------------===//
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace openopt::nn;

namespace {

// The i64 shape operand of a Reshape to `type`: its static sizes, with -1
// for a single dynamic one. Fails with two dynamic dims (Reshape cannot
// express them) or a 0 (which Reshape reads as "copy the input dim").
FailureOr<Value> shapeConstant(PatternRewriter &rewriter, Location loc, RankedTensorType type) {
  SmallVector<int64_t> dims;
  int64_t dynamic = 0;
  for (int64_t d : type.getShape()) {
    if (d == 0)
      return failure();
    if (ShapedType::isDynamic(d)) {
      ++dynamic;
      d = -1;
    }
    dims.push_back(d);
  }
  if (dynamic > 1)
    return failure();
  auto shapeType = RankedTensorType::get({(int64_t)dims.size()}, rewriter.getI64Type());
  return ConstantOp::create(rewriter, loc, DenseElementsAttr::get(shapeType, ArrayRef(dims)))
      .getResult();
}

LogicalResult replaceByReshape(PatternRewriter &rewriter, Operation *op, Value input) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  auto shape = shapeConstant(rewriter, op->getLoc(), type);
  if (failed(shape))
    return failure();
  rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, input, *shape);
  return success();
}

struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    // Result axis i is inner-result axis perm[i], which is input axis
    // innerPerm[perm[i]].
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPerm())
      perm.push_back(inner.getPerm()[p]);
    Value source = inner.getInput();
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())) && source.getType() == op.getType()) {
      rewriter.replaceOp(op, source);
      return success();
    }
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(), source,
                                             rewriter.getDenseI64ArrayAttr(perm));
    return success();
  }
};

// A transpose that keeps the order of the dims other than 1s only moves
// unit dims around: the element order is unchanged, so it is a reshape
// (free after bufferization, where a transpose copies).
struct TransposeOfUnitDimsToReshape : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto inType = op.getInput().getType();
    int64_t last = -1;
    for (int64_t p : op.getPerm()) {
      if (inType.getDimSize(p) == 1)
        continue;
      if (p < last)
        return failure();
      last = p;
    }
    return replaceByReshape(rewriter, op, op.getInput());
  }
};

bool isReshapeLike(Operation *op) {
  return op && isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op);
}

// outer(inner(x)) with both reshape-like: one Reshape of x.
template <typename OpTy>
struct CollapseReshapeChain : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    Operation *inner = op->getOperand(0).getDefiningOp();
    if (!isReshapeLike(inner))
      return failure();
    return replaceByReshape(rewriter, op, inner->getOperand(0));
  }
};

// An op whose `dynamic_axes` operand is a constant: the same op with the
// `axes` attribute. The result keeps its type (shape inference refines it).
template <typename OpTy>
struct ConstantAxesToAttribute : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    Value dynamic = op.getDynamicAxes();
    if (!dynamic)
      return failure();
    auto axes = getConstantInts(dynamic);
    if (!axes)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.setAxes(*axes);
      op.getDynamicAxesMutable().clear();
    });
    return success();
  }
};

struct DynamicSliceToSlice : OpRewritePattern<DynamicSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicSliceOp op, PatternRewriter &rewriter) const override {
    auto starts = getConstantInts(op.getStarts()), ends = getConstantInts(op.getEnds());
    if (!starts || !ends || starts->size() != ends->size())
      return failure();
    SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, starts->size()));
    SmallVector<int64_t> steps(starts->size(), 1);
    if (Value a = op.getAxes()) {
      auto c = getConstantInts(a);
      if (!c)
        return failure();
      axes = *c;
    }
    if (Value s = op.getSteps()) {
      auto c = getConstantInts(s);
      if (!c || llvm::is_contained(*c, 0))
        return failure();
      steps = *c;
    }
    rewriter.replaceOpWithNewOp<SliceOp>(op, op.getType(), op.getInput(),
                                         rewriter.getDenseI64ArrayAttr(*starts),
                                         rewriter.getDenseI64ArrayAttr(*ends),
                                         rewriter.getDenseI64ArrayAttr(axes),
                                         rewriter.getDenseI64ArrayAttr(steps));
    return success();
  }
};

} // namespace

void DynamicSliceOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                 MLIRContext *context) {
  results.add<DynamicSliceToSlice>(context);
}

#define NN_REDUCE_CANONICALIZE(OP)                                             \
  void OP::getCanonicalizationPatterns(RewritePatternSet &results,             \
                                       MLIRContext *context) {                 \
    results.add<ConstantAxesToAttribute<OP>>(context);                         \
  }
NN_REDUCE_CANONICALIZE(ReduceMeanOp)
NN_REDUCE_CANONICALIZE(ReduceSumOp)
NN_REDUCE_CANONICALIZE(ReduceMaxOp)
NN_REDUCE_CANONICALIZE(ReduceMinOp)
NN_REDUCE_CANONICALIZE(ReduceProdOp)
NN_REDUCE_CANONICALIZE(ReduceL1Op)
NN_REDUCE_CANONICALIZE(ReduceL2Op)
NN_REDUCE_CANONICALIZE(ReduceLogSumOp)
NN_REDUCE_CANONICALIZE(ReduceLogSumExpOp)
NN_REDUCE_CANONICALIZE(ReduceSumSquareOp)
#undef NN_REDUCE_CANONICALIZE

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<ComposeTransposes, TransposeOfUnitDimsToReshape>(context);
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<CollapseReshapeChain<ReshapeOp>>(context);
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<CollapseReshapeChain<FlattenOp>>(context);
}

void SqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<CollapseReshapeChain<SqueezeOp>, ConstantAxesToAttribute<SqueezeOp>>(context);
}

void UnsqueezeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *context) {
  results.add<CollapseReshapeChain<UnsqueezeOp>, ConstantAxesToAttribute<UnsqueezeOp>>(context);
}
