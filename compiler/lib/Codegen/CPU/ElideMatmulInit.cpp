//===- ElideMatmulInit.cpp - the openopt-elide-matmul-init pass -----------===//
//
// A matmul marked `openopt.zero_init` (openopt/Support/MatmulZeroInit.h) does
// not read its output; the zero fill that bufferization left before it (or
// the copy of a shared zero buffer) only writes bytes the matmul overwrites.
// Such writes are erased, so the output is written once, by the matmul.
//
//===----------------------------------------------------------------------===//
#include "PackedMatmul.h"
#include "openopt/Codegen/CPU/Passes.h"
#include "openopt/Support/MatmulZeroInit.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace openopt {
#define GEN_PASS_DEF_ELIDEMATMULINITPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

// The buffer a view chain starts from.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

// Whether `v` is `root` itself or a reshape of it (all of its elements).
bool coversAll(Value v, Value root) {
  while (v != root) {
    Operation *def = v.getDefiningOp();
    if (!isa_and_present<memref::CollapseShapeOp, memref::ExpandShapeOp>(def))
      return false;
    v = def->getOperand(0);
  }
  return true;
}

bool usesBuffer(Operation *op, Value root) {
  bool uses = false;
  op->walk([&](Operation *nested) {
    for (Value operand : nested->getOperands())
      if (isa<MemRefType>(operand.getType()) && rootOf(operand) == root)
        uses = true;
  });
  return uses;
}

// An op whose only effect is writing (part of) `root`, reading nothing of it.
bool onlyWrites(Operation *op, Value root) {
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return rootOf(copy.getTarget()) == root && rootOf(copy.getSource()) != root;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureBufferSemantics() || linalgOp.getNumDpsInits() != 1)
    return false;
  OpOperand *init = linalgOp.getDpsInitOperand(0);
  if (rootOf(init->get()) != root || linalgOp.payloadUsesValueFromOperand(init))
    return false;
  return llvm::none_of(linalgOp.getDpsInputs(), [&](Value in) {
    return isa<MemRefType>(in.getType()) && rootOf(in) == root;
  });
}

struct ElideMatmulInitPass : impl::ElideMatmulInitPassBase<ElideMatmulInitPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if ((isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) || isPackedMatmul(op)) &&
          op->hasAttr(kZeroInitAttr) &&
          op.hasPureBufferSemantics())
        matmuls.push_back(op);
    });
    for (linalg::LinalgOp matmul : matmuls) {
      Value out = matmul.getDpsInits()[0];
      Value root = rootOf(out);
      if (!coversAll(out, root))
        continue;
      // Back from the matmul to the last op that reads the buffer: every
      // write in between is dead. Views of it are not reads.
      Operation *op = matmul->getPrevNode();
      while (op) {
        Operation *previous = op->getPrevNode();
        if (isa<ViewLikeOpInterface>(op) || !usesBuffer(op, root)) {
          op = previous;
          continue;
        }
        if (!onlyWrites(op, root))
          break;
        op->erase();
        op = previous;
      }
    }
  }
};

} // namespace
} // namespace openopt
