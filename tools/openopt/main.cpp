//===- main.cpp - the openopt command-line tool ---------------------------===//
#include "Commands.h"

#include "openopt/InitOpenOpt.h"
#include "openopt/Runtime/KernelCache.h"
#include "openopt/Runtime/KernelCompiler.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace openopt;

static llvm::cl::opt<std::string> kernelCache(
    "kernel-cache", llvm::cl::sub(llvm::cl::SubCommand::getAll()),
    llvm::cl::desc("Keep compiled kernels in this directory and reuse them in later runs "
                   "(default: $OPENOPT_KERNEL_CACHE; unset: in memory only)"),
    llvm::cl::value_desc("DIR"));

int cli::reportError(llvm::Error error) {
  llvm::handleAllErrors(std::move(error), [](const llvm::ErrorInfoBase &info) {
    std::string message = info.message();
    llvm::SmallVector<llvm::StringRef> lines;
    llvm::StringRef(message).split(lines, '\n', -1, false);
    for (llvm::StringRef line : lines) {
      // Lines that carry their own "FILE:LINE:COL: error:" prefix keep it.
      bool prefixed = line.starts_with("  ") || line.contains(": error: ");
      llvm::errs() << (prefixed ? "" : "error: ")
                   << (line.starts_with("error: ") ? line.drop_front(7) : line) << "\n";
    }
  });
  return 1;
}

void cli::printLine(const std::string &line) { llvm::outs() << line << "\n"; }

void cli::printKernelStats(const KernelStats &kernels) {
  llvm::errs() << "kernels compiled=" << kernels.compiled << " reused=" << kernels.reused
               << " distinct=" << kernels.distinct << " calls=" << kernels.calls
               << " glue=" << (kernels.glueReused ? "reused" : "compiled") << "\n";
}

void cli::printNotes(llvm::ArrayRef<std::string> notes) {
  for (const std::string &note : notes)
    llvm::errs() << "note: " << note << "\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "OpenOptimizer: compiles ONNX models to native code.\n\n"
      "  openopt import model.onnx -o model.mlir\n"
      "  openopt run model.onnx --random-inputs --iterations 50\n"
      "  openopt profile model.onnx --random-inputs --trace trace.json\n"
      "  openopt opt model.mlir --pipeline 'func.func(canonicalize)' --record rec/\n"
      "  openopt diff rec/ --pass 3\n"
      "  openopt compile model.onnx --recipe my.recipe.json -o out/\n"
      "  openopt graph model.onnx --after openopt-fold-batchnorm\n"
      "  openopt recipe check my.recipe.json\n"
      "  openopt remote --url ws://host:8787 --token T compile model.onnx --recipe r.json\n"
      "  openopt lsp   (language server on stdio)\n");

  std::string cacheDir = kernelCache;
  if (cacheDir.empty())
    if (const char *env = std::getenv("OPENOPT_KERNEL_CACHE"))
      cacheDir = env;
  KernelCache::shared().setDirectory(cacheDir);

  if (cli::lspCommand)
    return cli::runLsp(); // builds its own registry and contexts

  mlir::DialectRegistry registry;
  registerAllDialectsAndPasses(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  // Dialects load as the import, the parser and the passes need them:
  // loading all ~60 up front would make 5 MiB more resident for nothing.

  if (cli::importCommand)
    return cli::runImport(context);
  if (cli::optCommand)
    return cli::runOpt(context);
  if (cli::runCommand)
    return cli::runRun(context);
  if (cli::diffCommand)
    return cli::runDiff();
  if (cli::compileCommand)
    return cli::runCompile(context);
  if (cli::graphCommand)
    return cli::runGraph(context);
  if (cli::recipeCommand)
    return cli::runRecipe();
  if (cli::remoteCommand)
    return cli::runRemote(context);
  if (cli::profileCommand)
    return cli::runProfile(context);
  llvm::errs() << "error: no subcommand given (import, run, profile, opt, diff, compile, "
                  "graph, recipe, remote, lsp); see openopt --help\n";
  return 1;
}
