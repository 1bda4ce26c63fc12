//===- ResizeTables.h - Resize through tables made at compile time -*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_RESIZETABLES_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_RESIZETABLES_H

#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace openopt::lowering {

/// A nearest or linear Resize whose shapes and scales are known at compile
/// time (no roi): the source index (and the linear weight) of every output
/// index, per axis, computed here once, so that the generated loop only
/// gathers and blends. nullopt where that does not apply; the caller then
/// computes the coordinates in the loop.
std::optional<mlir::Value> resizeByTables(mlir::OpBuilder &b, mlir::Location loc, nn::ResizeOp op);

} // namespace openopt::lowering

#endif
