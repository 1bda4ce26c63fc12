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
  Recipe recipe;
  /// Skip the recipe's graph passes (IR they already ran on).
  bool noGraphPasses = false;
  /// Write DIR/record.json even when the recipe's outputs do not ask for it.
  bool record = false;
  /// Where the files go; DIR/<model stem>.<suffix>.
  std::string outputDir;
};

struct CompileResult {
  /// The files written, in order.
  std::vector<std::string> written;
  std::optional<PassRecord> record;
  double milliseconds = 0;
  int64_t opsBefore = 0, opsAfterGraphPasses = 0;
};

/// `onWritten` hears of each file as soon as it is written (also those of
/// a compile that fails later: a failed compile still writes its record).
llvm::Expected<CompileResult>
compileModel(mlir::MLIRContext &context, const CompileRequest &request,
             llvm::function_ref<void(llvm::StringRef path)> onWritten);

/// `<model stem>.openopt`, the output folder when none is given.
std::string defaultOutputDir(llvm::StringRef modelPath);

} // namespace openopt::driver

#endif // OPENOPT_DRIVER_COMPILEMODEL_H
