//===- Diagnostics.cpp - MLIR diagnostics as user-facing errors -----------===//
#include "openopt/Support/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

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

llvm::Error runPipeline(ModuleOp module, llvm::StringRef pipeline) {
  llvm::StringRef inner = pipeline.trim();
  // The pass manager is anchored on the module: parse what is inside.
  if (inner.consume_front("builtin.module(")) {
    if (!inner.consume_back(")"))
      return llvm::createStringError("invalid pipeline: unbalanced parentheses");
  }
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(inner, pm, errorStream)))
    return llvm::createStringError("invalid pipeline: " + errors);
  DiagnosticCollector diagnostics(*module.getContext());
  if (failed(pm.run(module)))
    return diagnostics.takeError("the pass pipeline failed");
  return llvm::Error::success();
}

} // namespace openopt
