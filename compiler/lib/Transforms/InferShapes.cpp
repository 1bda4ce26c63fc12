//===- InferShapes.cpp - the openopt-infer-shapes pass --------------------===//
#include "openopt/Transforms/Passes.h"

#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace openopt {
#define GEN_PASS_DEF_INFERSHAPESPASS
#include "openopt/Transforms/Passes.h.inc"

mlir::LogicalResult refineShapes(mlir::func::FuncOp func) {
  // Post-order: a group's body is refined before the group takes its types.
  mlir::WalkResult walk = func.walk([](mlir::Operation *op) {
    if (auto group = mlir::dyn_cast<nn::FusedOp>(op)) {
      auto yield = mlir::cast<nn::YieldOp>(group.getBody().front().back());
      for (auto [result, value] : llvm::zip(group.getResults(), yield.getValues()))
        result.setType(value.getType());
      return mlir::WalkResult::advance();
    }
    auto inferable = mlir::dyn_cast<mlir::InferTypeOpInterface>(op);
    if (!inferable)
      return mlir::WalkResult::advance();
    llvm::SmallVector<mlir::Type> types;
    if (failed(inferable.inferReturnTypes(op->getContext(), op->getLoc(), op->getOperands(),
                                          op->getRawDictionaryAttrs(),
                                          op->getPropertiesStorage(), op->getRegions(), types)))
      return mlir::WalkResult::interrupt();
    for (auto [result, type] : llvm::zip(op->getResults(), types))
      result.setType(type);
    return mlir::WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return mlir::failure();
  if (func.isExternal())
    return mlir::success();
  mlir::Operation *terminator = func.getBody().back().getTerminator();
  // The entry block's arguments, not the function type: callers may have
  // just given the arguments new (specialised) types.
  func.setType(mlir::FunctionType::get(func.getContext(),
                                       func.getBody().front().getArgumentTypes(),
                                       terminator->getOperandTypes()));
  return mlir::success();
}

namespace {
struct InferShapesPass : impl::InferShapesPassBase<InferShapesPass> {
  void runOnOperation() override {
    if (failed(refineShapes(getOperation())))
      signalPassFailure();
  }
};
} // namespace
} // namespace openopt
