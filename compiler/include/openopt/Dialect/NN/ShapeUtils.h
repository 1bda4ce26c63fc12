//===- ShapeUtils.h - shape arithmetic shared by nn ops --------*- C++ -*-===//
//
// Helpers for ONNX shape rules (broadcasting, axis normalisation, constant
// shape operands). Dynamic dimensions are ShapedType::kDynamic throughout.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DIALECT_NN_SHAPEUTILS_H
#define OPENOPT_DIALECT_NN_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include <optional>

namespace openopt::nn {

/// Numpy broadcast of two shapes; failure when two static dims differ and
/// neither is 1.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Maps a possibly negative axis into [0, rank); nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// The integer contents of `value` when it is produced by a constant.
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value value);

/// "[1, ?, 3]" for messages.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Number of elements, or nullopt when any dimension is dynamic.
std::optional<int64_t> staticElementCount(llvm::ArrayRef<int64_t> shape);

} // namespace openopt::nn

#endif // OPENOPT_DIALECT_NN_SHAPEUTILS_H
