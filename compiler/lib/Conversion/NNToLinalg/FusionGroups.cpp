//===- FusionGroups.cpp - nn.fused groups become fused loops --------------===//
//
// After their bodies are lowered, each group's element-wise linalg ops are
// fused with each other (and into the producer's result where the producer
// is element-wise too), then the group dissolves into its parent block.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Support/RecomputeCost.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace openopt::lowering {

LogicalResult dissolveFusionGroups(func::FuncOp func) {
  SmallVector<nn::FusedOp> groups;
  func.walk([&](nn::FusedOp group) { groups.push_back(group); });
  if (groups.empty())
    return success();
  MLIRContext *ctx = func.getContext();
  FrozenRewritePatternSet fusion = [&] {
    RewritePatternSet patterns(ctx);
    auto allParallel = [](Value v) {
      auto producer = v.getDefiningOp<linalg::LinalgOp>();
      return producer && producer.getNumLoops() == producer.getNumParallelLoops();
    };
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [=](OpOperand *fused) {
          return allParallel(fused->get()) && fusionMayRecompute(*fused);
        });
    // A producer that computes in a finer shape than its result (the
    // channel blocks of a channels-last depthwise convolution) hands it on
    // through a collapse_shape: the consumer then takes the finer loops too,
    // so that the two fuse.
    // Only element-wise consumers: a matmul would become a generic the
    // matmul schedule no longer recognises.
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, [=](OpOperand *fused) {
      auto collapse = fused->get().getDefiningOp<tensor::CollapseShapeOp>();
      auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
      return collapse && consumer && allParallel(collapse.getSrc()) &&
             consumer.getNumLoops() == consumer.getNumParallelLoops();
    });
    return FrozenRewritePatternSet(std::move(patterns));
  }();
  IRRewriter rewriter(ctx);
  for (nn::FusedOp group : groups) {
    // Only the group's own ops are rewritten here.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    (void)applyPatternsGreedily(group.getBody(), fusion, config);
    Block &body = group.getBody().front();
    auto yield = cast<nn::YieldOp>(body.getTerminator());
    SmallVector<Value> results(yield.getValues());
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(&body, group);
    rewriter.replaceOp(group, results);
  }
  return success();
}

} // namespace openopt::lowering
