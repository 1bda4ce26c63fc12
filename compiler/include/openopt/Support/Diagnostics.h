//===- Diagnostics.h - MLIR diagnostics as user-facing errors ---*- C++ -*-===//
#ifndef OPENOPT_SUPPORT_DIAGNOSTICS_H
#define OPENOPT_SUPPORT_DIAGNOSTICS_H

#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace mlir {
class MLIRContext;
class ModuleOp;
} // namespace mlir

namespace openopt {

/// Collects error diagnostics emitted while it is alive, as
/// "file:line:col: error: message" lines.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext &context);
  ~DiagnosticCollector();
  std::string takeMessages();
  llvm::Error takeError(llvm::StringRef fallback);

private:
  mlir::MLIRContext &context;
  uint64_t handlerId;
  std::string messages;
};

/// Runs a textual pipeline ("builtin.module(...)", or a bare pass list run
/// on the module) on `module`; the error carries the diagnostics it emitted.
/// `instrumentation`, when given, watches every pass (the pass manager owns it).
llvm::Error runPipeline(mlir::ModuleOp module, llvm::StringRef pipeline,
                        std::unique_ptr<mlir::PassInstrumentation> instrumentation = nullptr);

} // namespace openopt

#endif
