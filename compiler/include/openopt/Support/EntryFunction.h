//===- EntryFunction.h - the function a model runs -------------*- C++ -*-===//
#ifndef OPENOPT_SUPPORT_ENTRYFUNCTION_H
#define OPENOPT_SUPPORT_ENTRYFUNCTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace openopt {

/// The entry function: "main" if present, else the first public function
/// with a body.
mlir::func::FuncOp findEntryFunction(mlir::ModuleOp module);

} // namespace openopt

#endif // OPENOPT_SUPPORT_ENTRYFUNCTION_H
