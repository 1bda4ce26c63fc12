//===- Commands.h - the subcommands of the openopt CLI ---------*- C++ -*-===//
#ifndef OPENOPT_TOOLS_OPENOPT_COMMANDS_H
#define OPENOPT_TOOLS_OPENOPT_COMMANDS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt {
struct Recipe;
struct KernelStats;
} // namespace openopt

namespace openopt::cli {

extern llvm::cl::SubCommand importCommand;
extern llvm::cl::SubCommand optCommand;
extern llvm::cl::SubCommand runCommand;
extern llvm::cl::SubCommand diffCommand;
extern llvm::cl::SubCommand compileCommand;
extern llvm::cl::SubCommand graphCommand;
extern llvm::cl::SubCommand recipeCommand;
extern llvm::cl::SubCommand remoteCommand;
extern llvm::cl::SubCommand profileCommand;
extern llvm::cl::SubCommand lspCommand;

/// Help of the --recipe flag of opt, run, compile, graph and profile. (Each command
/// declares its own: a cl::opt in several subcommands would depend on the
/// order in which translation units construct them.)
extern const char *const kRecipeFlagHelp;
/// The recipe at `path`, or the built-in one when it is empty.
llvm::Expected<Recipe> selectedRecipe(llvm::StringRef path);

// Each returns the process exit code; errors are printed as "error: ...".
int runImport(mlir::MLIRContext &context);
int runOpt(mlir::MLIRContext &context);
int runRun(mlir::MLIRContext &context);
int runDiff();
int runCompile(mlir::MLIRContext &context);
int runGraph(mlir::MLIRContext &context);
int runRecipe();
int runRemote(mlir::MLIRContext &context);
int runProfile(mlir::MLIRContext &context);
int runLsp();

/// Prints "error: <message>" (one line per problem) and returns 1.
int reportError(llvm::Error error);
/// Prints a line of what the driver reports (files written) on stdout.
void printLine(const std::string &line);
/// Prints "kernels compiled=.. reused=.. distinct=.. calls=.." on stderr.
void printKernelStats(const KernelStats &kernels);
/// Prints the driver's notes to the user as "note: ..." on stderr.
void printNotes(llvm::ArrayRef<std::string> notes);

} // namespace openopt::cli

#endif // OPENOPT_TOOLS_OPENOPT_COMMANDS_H
