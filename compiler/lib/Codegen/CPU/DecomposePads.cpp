//===- DecomposePads.cpp - the openopt-decompose-pads pass ----------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace openopt {
#define GEN_PASS_DEF_DECOMPOSEPADSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

using namespace mlir;

// A static pad with a constant value: the border alone is filled, as one
// slab per padded side of each axis (axis d's slabs span the interior on the
// axes before d and everything on the axes after it, so that they tile the
// border without overlap), and the source goes into the interior. Filling
// the whole tensor first would write the interior twice.
struct FillOnlyTheBorder : OpRewritePattern<tensor::PadOp> {
  FillOnlyTheBorder(MLIRContext *ctx) : OpRewritePattern(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(tensor::PadOp pad, PatternRewriter &rewriter) const override {
    Value value = pad.getConstantPaddingValue();
    RankedTensorType type = pad.getResultType();
    auto sourceShape = pad.getSourceType().getShape();
    SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
    if (!value || !type.hasStaticShape() || !pad.getSourceType().hasStaticShape() ||
        llvm::any_of(llvm::concat<int64_t>(low, high), ShapedType::isDynamic))
      return failure();
    Location loc = pad.getLoc();
    // The border goes before the op that computes the source, so that the
    // padded buffer exists when that op runs and eliminate-empty-tensors can
    // have it write the interior (an scf.forall's result too).
    // (Only when the pad value is already there: a constant or a value
    // from before the producer.)
    Operation *producer = pad.getSource().getDefiningOp();
    // Through a reshape, to the op that computes it (see
    // WriteThroughReshape).
    if (auto collapse = dyn_cast_or_null<tensor::CollapseShapeOp>(producer))
      if (Operation *computed = collapse.getSrc().getDefiningOp();
          computed && computed->getBlock() == collapse->getBlock())
        producer = computed;
    Operation *valueDef = value.getDefiningOp();
    OpBuilder::InsertionGuard guard(rewriter);
    if (producer && producer->getBlock() == pad->getBlock() &&
        (!valueDef || valueDef->getBlock() != producer->getBlock() ||
         valueDef->isBeforeInBlock(producer)))
      rewriter.setInsertionPoint(producer);
    auto folds = [&](ArrayRef<int64_t> v) { return getAsIndexOpFoldResult(getContext(), v); };
    int64_t rank = type.getRank();
    auto shape = type.getShape();
    Value result = tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
    auto fillSlab = [&](int64_t axis, int64_t start, int64_t size) {
      SmallVector<int64_t> offsets(rank, 0), sizes(shape);
      for (int64_t i = 0; i < axis; ++i) {
        offsets[i] = low[i];
        sizes[i] = sourceShape[i];
      }
      offsets[axis] = start;
      sizes[axis] = size;
      SmallVector<int64_t> strides(rank, 1);
      Value slab = tensor::ExtractSliceOp::create(rewriter, loc, result, folds(offsets),
                                                  folds(sizes), folds(strides));
      Value filled = linalg::FillOp::create(rewriter, loc, value, slab).getResult(0);
      result = tensor::InsertSliceOp::create(rewriter, loc, filled, result, folds(offsets),
                                             folds(sizes), folds(strides));
    };
    for (int64_t axis = 0; axis < rank; ++axis) {
      if (low[axis] > 0)
        fillSlab(axis, 0, low[axis]);
      if (high[axis] > 0)
        fillSlab(axis, low[axis] + sourceShape[axis], high[axis]);
    }
    SmallVector<int64_t> strides(rank, 1);
    rewriter.setInsertionPoint(pad);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, pad.getSource(), result, folds(low),
                                                       folds(sourceShape), folds(strides));
    return success();
  }
};

// A padded operand computed in another shape and collapsed (an im2col
// gather [.., 3, 3, 7, 7] read as [K, 49], padded to [K, 64]): the op
// writes into the padded buffer's interior, viewed in its own shape
// (expand_shape of the interior slice), instead of into a tensor of its own
// that the insert then copies. eliminate-empty-tensors does this only when
// the shapes match.
struct WriteThroughReshape : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::InsertSliceOp insert,
                                PatternRewriter &rewriter) const override {
    auto collapse = insert.getSource().getDefiningOp<tensor::CollapseShapeOp>();
    // A rank-reducing insert would need a rank-reducing slice: left alone.
    if (!collapse || !collapse->hasOneUse() || !insert.hasUnitStride() ||
        !insert.getSourceType().hasStaticShape() ||
        insert.getSourceType().getRank() != insert.getDestType().getRank() ||
        llvm::any_of(insert.getStaticOffsets(), ShapedType::isDynamic))
      return failure();
    auto computed = collapse.getSrc().getDefiningOp<DestinationStyleOpInterface>();
    if (!computed || computed->getNumResults() != 1 || !collapse.getSrc().hasOneUse() ||
        computed->getBlock() != insert->getBlock())
      return failure();
    OpOperand *init = computed.getDpsInitOperand(0);
    auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
    if (!empty || !empty->hasOneUse())
      return failure();
    // The padded tensor must exist before the op runs.
    Value dest = insert.getDest();
    if (Operation *def = dest.getDefiningOp())
      if (def->getBlock() != computed->getBlock() || !def->isBeforeInBlock(computed))
        return failure();
    rewriter.setInsertionPoint(computed);
    Value interior = tensor::ExtractSliceOp::create(
        rewriter, insert.getLoc(), dest, insert.getMixedOffsets(), insert.getMixedSizes(),
        insert.getMixedStrides());
    auto type = cast<RankedTensorType>(collapse.getSrcType());
    Value view = tensor::ExpandShapeOp::create(rewriter, insert.getLoc(), type, interior,
                                               collapse.getReassociationIndices());
    rewriter.modifyOpInPlace(computed, [&] { init->set(view); });
    return success();
  }
};

struct DecomposePadsPass : impl::DecomposePadsPassBase<DecomposePadsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FillOnlyTheBorder, WriteThroughReshape>(&getContext());
    // Dynamic pads, or a value computed per element: a fill of the whole
    // tensor and the source inserted.
    linalg::populateDecomposePadPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
