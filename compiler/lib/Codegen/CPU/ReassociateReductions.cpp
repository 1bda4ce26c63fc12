//===- ReassociateReductions.cpp - the openopt-reassociate-reductions pass ===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace openopt {
#define GEN_PASS_DEF_REASSOCIATEREDUCTIONSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

/// Marks `op` reassociable when it is a float combiner of `accumulator`.
void markCombiner(Operation *op, Value accumulator) {
  if (!isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
           arith::MinNumFOp>(op) ||
      !llvm::is_contained(op->getOperands(), accumulator))
    return;
  auto fastmath = cast<arith::ArithFastMathInterface>(op);
  arith::FastMathFlags flags = fastmath.getFastMathFlagsAttr().getValue();
  op->setAttr(fastmath.getFastMathAttrName(),
              arith::FastMathFlagsAttr::get(op->getContext(), flags | arith::FastMathFlags::reassoc));
}

struct ReassociateReductionsPass
    : impl::ReassociateReductionsPassBase<ReassociateReductionsPass> {
  void runOnOperation() override {
    getOperation().walk([](linalg::GenericOp op) {
      if (op.getNumReductionLoops() == 0)
        return;
      Block *body = op.getBody();
      for (OpOperand &init : op.getDpsInitsMutable()) {
        Value accumulator = body->getArgument(init.getOperandNumber());
        if (!isa<FloatType>(accumulator.getType()))
          continue;
        for (Operation *user : accumulator.getUsers())
          markCombiner(user, accumulator);
      }
    });
  }
};
} // namespace
} // namespace openopt
