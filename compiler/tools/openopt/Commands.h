//===- Commands.h - the subcommands of the openopt CLI ---------*- C++ -*-===//
#ifndef OPENOPT_TOOLS_OPENOPT_COMMANDS_H
#define OPENOPT_TOOLS_OPENOPT_COMMANDS_H

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::cli {

extern llvm::cl::SubCommand importCommand;
extern llvm::cl::SubCommand optCommand;
extern llvm::cl::SubCommand runCommand;
extern llvm::cl::SubCommand diffCommand;

// Each returns the process exit code; errors are printed as "error: ...".
int runImport(mlir::MLIRContext &context);
int runOpt(mlir::MLIRContext &context);
int runRun(mlir::MLIRContext &context);
int runDiff();

/// Prints "error: <message>" (one line per problem) and returns 1.
int reportError(llvm::Error error);

} // namespace openopt::cli

#endif // OPENOPT_TOOLS_OPENOPT_COMMANDS_H
