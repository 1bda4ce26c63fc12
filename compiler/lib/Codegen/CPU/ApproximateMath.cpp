//===- ApproximateMath.cpp - the openopt-approximate-math pass ------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSet.h"

namespace openopt {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
struct ApproximateMathPass : impl::ApproximateMathPassBase<ApproximateMathPass> {
  using Base::Base;
  void runOnOperation() override {
    llvm::SmallVector<llvm::StringRef> names;
    llvm::StringRef(functions).split(names, ',', -1, false);
    llvm::StringSet<> enabled;
    for (llvm::StringRef name : names)
      enabled.insert(name.trim());
    auto predicate = [&](llvm::StringRef name) {
      return enabled.contains(name) || enabled.contains(name.drop_front(5));
    };
    mlir::RewritePatternSet patterns(&getContext());
    mlir::populateMathF32ExpansionPatterns(patterns, predicate);
    mlir::populateMathPolynomialApproximationPatterns(patterns, predicate);
    if (failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
} // namespace openopt
