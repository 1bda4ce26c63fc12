//===- RunCommand.cpp - openopt run ----------------------------------------===//
#include "Commands.h"

namespace cl = llvm::cl;

namespace openopt::cli {
cl::SubCommand runCommand("run", "Compile a model for this CPU and run it");
int runRun(mlir::MLIRContext &) {
  return reportError(llvm::createStringError("run: not implemented yet"));
}
} // namespace openopt::cli
