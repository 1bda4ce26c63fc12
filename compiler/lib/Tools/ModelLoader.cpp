//===- ModelLoader.cpp - load .onnx or .mlir into a module ----------------===//
#include "openopt/Tools/ModelLoader.h"

#include "openopt/Import/Onnx/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace openopt {

llvm::Expected<OwningOpRef<ModuleOp>> loadModel(MLIRContext &context, llvm::StringRef path) {
  if (path.ends_with(".onnx"))
    return importOnnxFile(context, path);
  // getFile NUL-terminates the buffer, which the MLIR parser relies on.
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError("cannot read '%s': %s", path.str().c_str(),
                                   buffer.getError().message().c_str());
  llvm::SourceMgr sources;
  sources.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  DiagnosticCollector diagnostics(context);
  auto module = parseSourceFile<ModuleOp>(sources, &context);
  if (!module)
    return diagnostics.takeError("cannot parse '" + path.str() + "'");
  return module;
}

} // namespace openopt
