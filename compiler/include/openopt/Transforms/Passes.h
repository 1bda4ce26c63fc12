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

/// What openopt-instrument-profile adds and the runtime reads: the two hooks
/// (void(i64)) called around each op, and the module attribute with the op
/// table (one dictionary per hook id).
inline constexpr llvm::StringLiteral kProfileEnterHook = "openopt_profile_enter";
inline constexpr llvm::StringLiteral kProfileExitHook = "openopt_profile_exit";
inline constexpr llvm::StringLiteral kProfileOpsAttr = "openopt.profile_ops";

/// Re-infers every result type in `func` in program order and updates the
/// function type. Fails (after emitting the op's error) when an op's operands
/// no longer fit together.
mlir::LogicalResult refineShapes(mlir::func::FuncOp func);
} // namespace openopt

#endif
