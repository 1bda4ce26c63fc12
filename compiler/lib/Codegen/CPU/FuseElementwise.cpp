//===- FuseElementwise.cpp - the openopt-fuse-elementwise pass ------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace openopt {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
struct FuseElementwisePass : impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    mlir::RewritePatternSet patterns(&getContext());
    mlir::linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](mlir::OpOperand *fused) {
          auto producer = fused->get().getDefiningOp<mlir::linalg::LinalgOp>();
          return producer &&
                 producer.getNumLoops() == producer.getNumParallelLoops();
        });
    mlir::linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace openopt
