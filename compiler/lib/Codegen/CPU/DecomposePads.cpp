//===- DecomposePads.cpp - the openopt-decompose-pads pass ----------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace openopt {
#define GEN_PASS_DEF_DECOMPOSEPADSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

struct DecomposePadsPass : impl::DecomposePadsPassBase<DecomposePadsPass> {
  void runOnOperation() override {
    mlir::RewritePatternSet patterns(&getContext());
    mlir::linalg::populateDecomposePadPatterns(patterns);
    if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
