//===- Passes.h - graph passes on the nn dialect ---------------*- C++ -*-===//
#ifndef OPENOPT_TRANSFORMS_PASSES_H
#define OPENOPT_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace openopt::nn {
class NNDialect;
} // namespace openopt::nn

namespace openopt {
#define GEN_PASS_DECL
#include "openopt/Transforms/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "openopt/Transforms/Passes.h.inc"

/// Re-infers every result type in `func` in program order and updates the
/// function type. Fails (after emitting the op's error) when an op's operands
/// no longer fit together.
mlir::LogicalResult refineShapes(mlir::func::FuncOp func);
} // namespace openopt

#endif
