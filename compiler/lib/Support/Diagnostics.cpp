//===- Diagnostics.cpp - MLIR diagnostics as user-facing errors -----------===//
#include "openopt/Support/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdlib>

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
    os << diag.str();
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

namespace {
bool verifyEachPass() {
  static const bool each = [] {
    const char *value = std::getenv("OPENOPT_VERIFY_EACH");
    return value && *value && llvm::StringRef(value) != "0";
  }();
  return each;
}
} // namespace

llvm::Error runPipeline(ModuleOp module, llvm::StringRef pipeline,
                        std::unique_ptr<PassInstrumentation> instrumentation) {
  llvm::StringRef inner = pipeline.trim();
  // The pass manager is anchored on the module: parse what is inside.
  if (inner.consume_front("builtin.module(")) {
    if (!inner.consume_back(")"))
      return llvm::createStringError("invalid pipeline: unbalanced parentheses");
  }
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  // On a pass failure or crash MLIR writes a reproducer (the IR before the
  // failing pass and the pipeline to replay it); the local form, which names
  // only the failing pass, needs a single-threaded context.
  llvm::SmallString<128> reproducer;
  llvm::sys::fs::createUniquePath("openopt-reproducer-%%%%%%.mlir", reproducer,
                                  /*MakeAbsolute=*/false);
  llvm::SmallString<128> directory;
  llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, directory);
  llvm::sys::path::append(directory, reproducer);
  reproducer = directory;
  pm.enableCrashReproducerGeneration(reproducer,
                                     !module.getContext()->isMultithreadingEnabled());
  // The IR is verified once, after the pipeline: verifying after every pass
  // cost a fifth of an incremental recompile. OPENOPT_VERIFY_EACH=1 verifies
  // after each pass again, to find the pass that broke the IR.
  bool verifyEach = verifyEachPass();
  pm.enableVerifier(verifyEach);
  if (instrumentation)
    pm.addInstrumentation(std::move(instrumentation));
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  if (failed(parsePassPipeline(inner, pm, errorStream)))
    return llvm::createStringError("invalid pipeline: " + errors);
  DiagnosticCollector diagnostics(*module.getContext());
  if (failed(pm.run(module))) {
    std::string message = diagnostics.takeMessages();
    if (message.empty())
      message = "the pass pipeline failed";
    if (llvm::sys::fs::exists(reproducer))
      message += "\n  note: reproducer written to " + reproducer.str().str() +
                 " (replay: openopt-opt " + reproducer.str().str() + " --run-reproducer)";
    return llvm::createStringError(message);
  }
  if (!verifyEach && failed(mlir::verify(module))) {
    std::string message = diagnostics.takeMessages();
    return llvm::createStringError(
        "the pass pipeline produced invalid IR%s%s\n  note: run with OPENOPT_VERIFY_EACH=1 to "
        "name the pass",
        message.empty() ? "" : ": ", message.c_str());
  }
  return llvm::Error::success();
}

} // namespace openopt
