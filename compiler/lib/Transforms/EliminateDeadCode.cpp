//===- EliminateDeadCode.cpp - the openopt-dce pass -----------------------===//
#include "openopt/Transforms/Passes.h"

#include "mlir/Transforms/RegionUtils.h"

namespace openopt {
#define GEN_PASS_DEF_ELIMINATEDEADCODEPASS
#include "openopt/Transforms/Passes.h.inc"

namespace {
struct EliminateDeadCodePass : impl::EliminateDeadCodePassBase<EliminateDeadCodePass> {
  void runOnOperation() override {
    // Walking backwards erases a dead op's producers in the same sweep.
    llvm::SmallVector<mlir::Operation *> ops;
    getOperation().walk([&](mlir::Operation *op) { ops.push_back(op); });
    for (mlir::Operation *op : llvm::reverse(ops))
      if (op != getOperation() && mlir::isOpTriviallyDead(op))
        op->erase();
  }
};
} // namespace
} // namespace openopt
