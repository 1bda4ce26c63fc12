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

DiagnosticCollector::DiagnosticCollector(MLIRContext &context) : context(context) {
  handlerId = context.getDiagEngine().registerHandler([this](Diagnostic &diag) {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    std::string text;
    llvm::raw_string_ostream os(text);
    Location loc = diag.getLocation();
    // Prefer the file position buried in fused/name locations.
    FileLineColLoc file;
    loc->walk([&](Location inner) {
      if (auto f = dyn_cast<FileLineColLoc>(inner)) {
        file = f;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (file)
      os << file.getFilename().getValue() << ":" << file.getLine() << ":"
         << file.getColumn() << ": ";
    os << "error: " << diag.str();
    for (const Diagnostic &note : diag.getNotes())
      os << "\n  note: " << note.str();
    if (!messages.empty())
      messages += "\n";
    messages += text;
    return success();
  });
}

DiagnosticCollector::~DiagnosticCollector() {
  context.getDiagEngine().eraseHandler(handlerId);
}

std::string DiagnosticCollector::takeMessages() { return std::exchange(messages, {}); }

llvm::Error DiagnosticCollector::takeError(llvm::StringRef fallback) {
  std::string text = takeMessages();
  return llvm::createStringError(text.empty() ? fallback.str() : text);
}

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
