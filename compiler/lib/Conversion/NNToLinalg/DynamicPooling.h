//===- DynamicPooling.h - pooling windows over run-time sizes ---*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_DYNAMICPOOLING_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_DYNAMICPOOLING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace openopt::lowering {

struct PoolSpec {
  llvm::ArrayRef<int64_t> kernel, strides, pads, dilations;
  bool ceilMode = false;
  bool isMax = true;
  /// Average pools: whether padding cells count in the divisor.
  bool countIncludePad = false;
};

/// MaxPool or AveragePool of an [N, C, D...] input whose sizes are known at
/// run time only: the output sizes, the padding that keeps every window
/// inside the input and the averages' divisors are computed from the
/// input's sizes when the model runs.
mlir::Value dynamicPool(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                        mlir::RankedTensorType resultType, const PoolSpec &spec);

} // namespace openopt::lowering

#endif // OPENOPT_LIB_CONVERSION_NNTOLINALG_DYNAMICPOOLING_H
