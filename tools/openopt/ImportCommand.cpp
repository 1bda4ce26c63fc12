//===- ImportCommand.cpp - openopt import ---------------------------------===//
#include "Commands.h"

#include "openopt/Import/Onnx/OnnxImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace cl = llvm::cl;

namespace openopt::cli {

cl::SubCommand importCommand("import", "Import an ONNX model into nn-dialect IR");

static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::sub(importCommand));
static cl::opt<std::string> outputPath("o", cl::desc("Output .mlir file (default: stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::sub(importCommand));
static cl::opt<bool> printLocations(
    "print-locations",
    cl::desc("Print each op's location (ONNX node name, op type, node index)"),
    cl::sub(importCommand));
static cl::opt<int64_t> inlineLimit(
    "inline-constant-limit",
    cl::desc("Constants with more elements become dense_resource blobs (default 64)"),
    cl::init(64), cl::sub(importCommand));

int runImport(mlir::MLIRContext &context) {
  OnnxImportOptions options;
  options.inlineConstantLimit = inlineLimit;
  auto module = importOnnxFile(context, inputPath, options);
  if (!module)
    return reportError(module.takeError());
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output)
    return reportError(llvm::createStringError(error));
  mlir::OpPrintingFlags flags;
  if (printLocations)
    flags.enableDebugInfo();
  (*module)->print(output->os(), flags);
  output->keep();
  return 0;
}

} // namespace openopt::cli
