//===- CostModel.h - FLOPs and bytes moved by an nn op ----------*- C++ -*-===//
//
// First-order estimates for graph views, hover and profiles: floating-point
// operations (a multiply-add counts 2) and bytes read and written, assuming
// every operand is read once and every result written once. Unknown when a
// shape is dynamic.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DIALECT_NN_COSTMODEL_H
#define OPENOPT_DIALECT_NN_COSTMODEL_H

#include "mlir/IR/Operation.h"

#include <optional>

namespace openopt::nn {

struct OpCost {
  std::optional<int64_t> flops;
  std::optional<int64_t> bytes;
  /// FLOPs per byte, when both are known and bytes > 0.
  std::optional<double> arithmeticIntensity() const;
};

/// The estimate for one op; an nn.fused group costs its body's FLOPs and
/// only the bytes crossing its boundary.
OpCost estimateCost(mlir::Operation *op);

} // namespace openopt::nn

#endif // OPENOPT_DIALECT_NN_COSTMODEL_H
