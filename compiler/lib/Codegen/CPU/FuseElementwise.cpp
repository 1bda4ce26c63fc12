//===- FuseElementwise.cpp - the openopt-fuse-elementwise pass ------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

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
                 !(hasBarriers && crossesBarrier(producer, fused->getOwner()));
        });
    mlir::linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace openopt
