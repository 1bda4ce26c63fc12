//===- ModelLoader.h - load .onnx or .mlir into a module -------*- C++ -*-===//
#ifndef OPENOPT_TOOLS_MODELLOADER_H
#define OPENOPT_TOOLS_MODELLOADER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "openopt/Support/Diagnostics.h"

namespace openopt {

/// Loads an ONNX model (by extension .onnx) or an MLIR file (anything else).
/// Parse errors of MLIR files are returned with their file:line:col.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
loadModel(mlir::MLIRContext &context, llvm::StringRef path);

} // namespace openopt

#endif // OPENOPT_TOOLS_MODELLOADER_H
