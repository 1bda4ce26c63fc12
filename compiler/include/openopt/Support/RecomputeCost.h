//===- RecomputeCost.h - when fusion may recompute a producer ---*- C++ -*-===//
//
// Fusing an element-wise producer into one of several consumers recomputes
// it there while the other users still read its stored result. That pays
// for arithmetic (a bias add, an activation: reading the stored result
// costs more), not for a gather (a pooling window, a padded copy): its
// tensor.extract reads cost more than reading the stored result once. The
// op limit only stops a long chain; a few ops more or less (a ReLU edited
// into a Sigmoid) must not change which kernels a model has, or an edit
// recompiles the code around them too (the kernel cache's glue reuse).
// So exponentials are not singled out by kind; a lowering that knows its
// shared producer costs more than its stored result (a softmax's exp, read
// by the sum and the division) marks it with kKeepStoredAttr. Both fusion
// passes (the nn.fused groups' and openopt-fuse-elementwise) ask this
// before fusing a shared producer.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SUPPORT_RECOMPUTECOST_H
#define OPENOPT_SUPPORT_RECOMPUTECOST_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace openopt {

/// Marks a producer that its lowering wants stored and read by each of its
/// users rather than recomputed in them.
constexpr llvm::StringLiteral kKeepStoredAttr = "openopt.keep_stored";

inline bool cheapToRecompute(mlir::linalg::LinalgOp producer) {
  constexpr int kMaxRecomputedOps = 16;
  int ops = 0;
  for (mlir::Operation &op : producer->getRegion(0).front().without_terminator())
    if (mlir::isa<mlir::tensor::ExtractOp>(op) || ++ops > kMaxRecomputedOps)
      return false;
  return true;
}

/// Whether `producer`, recomputed in `consumer`, has it read at most one
/// full-size tensor in place of the stored result: its inputs as large as
/// its result, other than constants and the consumer's own operands. A
/// residual add (two activations in, one out) recomputed in the next
/// block's add read both instead of one, and left the producing
/// convolution's result with a second user, so that neither add could move
/// into its convolution's loop (resnet18w48's blocks 0 and 1).
inline bool readsNoMoreThanItsResult(mlir::linalg::LinalgOp producer, mlir::Operation *consumer) {
  auto resultType = mlir::dyn_cast<mlir::RankedTensorType>(producer->getResult(0).getType());
  if (!resultType || !resultType.hasStaticShape())
    return true;
  int fullSize = 0;
  for (mlir::Value in : producer.getDpsInputs()) {
    auto type = mlir::dyn_cast<mlir::RankedTensorType>(in.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() < resultType.getNumElements() ||
        mlir::matchPattern(in, mlir::m_Constant()) ||
        llvm::is_contained(consumer->getOperands(), in))
      continue;
    ++fullSize;
  }
  return fullSize <= 1;
}

/// Whether fusing the producer of `operand` into its owner pays: always for
/// a value only that op uses (once or more, as x * x does), else only when
/// the producer is cheap to recompute and reads no more than its result.
inline bool fusionMayRecompute(mlir::OpOperand &operand) {
  auto producer = operand.get().getDefiningOp<mlir::linalg::LinalgOp>();
  if (!producer)
    return false;
  mlir::Operation *owner = operand.getOwner();
  bool onlyUser = llvm::all_of(operand.get().getUses(),
                               [&](mlir::OpOperand &use) { return use.getOwner() == owner; });
  return onlyUser || (!producer->hasAttr(kKeepStoredAttr) && cheapToRecompute(producer) &&
                      readsNoMoreThanItsResult(producer, owner));
}

} // namespace openopt

#endif
