//===- CompileModel.h - a model to the files a recipe asks for ---*- C++ -*-===//
//
// `openopt compile` and the daemon's compile jobs as one library call: the
// recipe's graph passes, then code generation for this CPU, writing what the
// recipe's outputs name (graph IR, LLVM dialect, LLVM IR, object file) and,
// when asked, the pass record of both.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DRIVER_COMPILEMODEL_H
#define OPENOPT_DRIVER_COMPILEMODEL_H

#include "openopt/Runtime/KernelCompiler.h"
#include "openopt/Recipe/Recipe.h"
#include "openopt/Record/PassRecord.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::driver {

struct CompileRequest {
  /// An .onnx or .mlir file with static input shapes.
  std::string modelPath;
  /// The whole pipeline, the graph passes included (options.graphPasses,
  /// empty to skip them: IR they already ran on). A recipe gives them with
  /// fromRecipe; the daemon's workers get them resolved, not as recipe text.
  CpuPipelineOptions options;
  RecipeOutputs outputs;
  /// Write DIR/record.json even when `outputs` do not ask for it.
  bool record = false;
  /// Where the files go; DIR/<model stem>.<suffix>.
  std::string outputDir;
  /// Return the IR after the graph passes as text (for the daemon's cache).
  bool keepGraphIR = false;

  static CompileRequest fromRecipe(const Recipe &recipe, bool skipGraphPasses);
};

struct CompileResult {
  /// The files written, in order.
  std::vector<std::string> written;
  /// The record of every pass; its first graphPassCount passes are the
  /// graph passes.
  std::optional<PassRecord> record;
  size_t graphPassCount = 0;
  /// With keepGraphIR.
  std::string graphIR;
  double milliseconds = 0;
  /// Kernels compiled and reused for the object (none when no object is
  /// written, or when the whole model's LLVM IR is asked for: see
  /// compileModel).
  KernelStats kernels;
  int64_t opsBefore = 0, opsAfterGraphPasses = 0;
};

/// `onWritten` hears of each file as soon as it is written (also those of
/// a compile that fails later: a failed compile still writes its record).
/// `options` for the machine they name: a cross compile's vector width, and
/// for the cuda target the toolkit checked and an "auto" arch made the first
/// GPU's (an error naming what is missing).
llvm::Expected<CpuPipelineOptions> targetOptions(CpuPipelineOptions options);

llvm::Expected<CompileResult>
compileModel(mlir::MLIRContext &context, const CompileRequest &request,
             llvm::function_ref<void(llvm::StringRef path)> onWritten);

/// `<model stem>.openopt`, the output folder when none is given.
std::string defaultOutputDir(llvm::StringRef modelPath);

} // namespace openopt::driver

#endif // OPENOPT_DRIVER_COMPILEMODEL_H
