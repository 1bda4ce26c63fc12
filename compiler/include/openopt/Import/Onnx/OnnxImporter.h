//===- OnnxImporter.h - ONNX protobuf to nn IR ------------------*- C++ -*-===//
#ifndef OPENOPT_IMPORT_ONNX_ONNXIMPORTER_H
#define OPENOPT_IMPORT_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>

namespace openopt {

struct OnnxImportOptions {
  /// Name of the function that holds the graph.
  std::string functionName = "main";
  /// Constants with more elements than this become dense_resource blobs,
  /// printed once at the end of the IR instead of inline.
  int64_t inlineConstantLimit = 64;
  /// Models bigger than this are refused before parsing.
  int64_t maxModelBytes = int64_t(2) << 30;
  /// Sizes for the graph inputs' symbolic dimensions, by input name (one
  /// size per dim; the model's fixed sizes must match). Subgraphs whose
  /// shapes depend on these sizes (If branches of different ranks) then
  /// import; the compiled code is for these sizes only.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
};

/// Imports an ONNX model file. External data files are resolved relative to
/// the model's directory. On failure the error lists every problem found
/// (unsupported ops, opsets and attributes all at once), one per line.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path,
               const OnnxImportOptions &options = {});

/// Imports a serialized ModelProto held in memory; `displayName` names it in
/// locations and errors, `baseDir` resolves external data ("" forbids it).
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxBytes(mlir::MLIRContext &context, llvm::StringRef bytes,
                llvm::StringRef displayName, llvm::StringRef baseDir,
                const OnnxImportOptions &options = {});

} // namespace openopt

#endif // OPENOPT_IMPORT_ONNX_ONNXIMPORTER_H
