//===- FuseElementwise.cpp - the openopt-fuse-elementwise pass ------------===//
#include "openopt/Codegen/CPU/Passes.h"
#include "openopt/Support/RecomputeCost.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

namespace openopt {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

/// Whether a call (e.g. a profiling hook) lies between `producer` and
/// `consumer` in their block: fusion would move the producer's loops past it.
bool crossesBarrier(mlir::Operation *producer, mlir::Operation *consumer) {
  if (producer->getBlock() != consumer->getBlock() || !producer->isBeforeInBlock(consumer))
    return false;
  for (mlir::Operation *op = producer->getNextNode(); op && op != consumer; op = op->getNextNode())
    if (mlir::isa<mlir::CallOpInterface>(op))
      return true;
  return false;
}

/// An scf.forall (a convolution computed in chunks of rows) whose only
/// user is an element-wise op: the op moves into the loop and runs on each
/// chunk as it is produced, while the chunk is in the cache, instead of as
/// another pass over the whole result.
void fuseConsumersIntoLoops(mlir::func::FuncOp func, bool hasBarriers) {
  llvm::SmallVector<mlir::scf::ForallOp> loops;
  func.walk([&](mlir::scf::ForallOp loop) { loops.push_back(loop); });
  mlir::IRRewriter rewriter(func.getContext());
  for (mlir::scf::ForallOp loop : loops) {
    if (loop->getNumResults() != 1 || !loop->getResult(0).hasOneUse())
      continue;
    auto consumer = mlir::dyn_cast<mlir::linalg::GenericOp>(*loop->getResult(0).getUsers().begin());
    if (!consumer || consumer.getNumLoops() != consumer.getNumParallelLoops() ||
        consumer->getBlock() != loop->getBlock() ||
        (hasBarriers && crossesBarrier(loop, consumer)))
      continue;
    // The consumer's other operands are read inside the loop: they must be
    // defined before it (the bias's reshape, the result's empty tensor move
    // up, all or none).
    llvm::SmallVector<mlir::Value> others;
    for (mlir::Value v : consumer->getOperands())
      if (v.getDefiningOp() != loop.getOperation())
        others.push_back(v);
    if (failed(mlir::moveValueDefinitions(rewriter, others, loop)))
      continue;
    llvm::SmallVector<mlir::LoopLikeOpInterface> nest = {
        mlir::cast<mlir::LoopLikeOpInterface>(loop.getOperation())};
    rewriter.setInsertionPoint(consumer);
    (void)mlir::scf::tileAndFuseConsumer(rewriter, consumer, nest);
  }
}

struct FuseElementwisePass : impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    // Only functions that make calls pay for the scan.
    bool hasBarriers = false;
    getOperation().walk([&](mlir::CallOpInterface) { hasBarriers = true; });
    mlir::RewritePatternSet patterns(&getContext());
    mlir::linalg::populateElementwiseOpsFusionPatterns(
        patterns, [hasBarriers](mlir::OpOperand *fused) {
          auto producer = fused->get().getDefiningOp<mlir::linalg::LinalgOp>();
          return producer &&
                 producer.getNumLoops() == producer.getNumParallelLoops() &&
                 openopt::fusionMayRecompute(*fused) &&
                 !(hasBarriers && crossesBarrier(producer, fused->getOwner()));
        });
    mlir::linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    fuseConsumersIntoLoops(getOperation(), hasBarriers);
  }
};
} // namespace
} // namespace openopt
