//===- CompileCommand.cpp - openopt compile: a model to native code -------===//
#include "Commands.h"

#include "openopt/Driver/CompileModel.h"
#include "openopt/Recipe/Recipe.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"

namespace cl = llvm::cl;

namespace openopt::cli {

cl::SubCommand compileCommand(
    "compile", "Compile a model for this CPU as the recipe says and write what it asks for "
               "(object file, LLVM IR, IR after the graph passes, pass record)");

static cl::opt<std::string> recipePath("recipe", cl::desc(kRecipeFlagHelp),
                                       cl::value_desc("FILE"), cl::init(""),
                                       cl::sub(compileCommand));

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx|model.mlir>"),
                                      cl::Required, cl::sub(compileCommand));
static cl::opt<std::string> outputDir("o",
                                      cl::desc("Output directory (default: <model>.openopt)"),
                                      cl::value_desc("DIR"), cl::init(""),
                                      cl::sub(compileCommand));
static cl::opt<bool> record("record",
                            cl::desc("Also write DIR/record.json (what every pass did), "
                                     "as the recipe's outputs.passRecord does"),
                            cl::sub(compileCommand));
static cl::opt<bool> noGraphPasses(
    "no-graph-passes",
    cl::desc("Skip the recipe's graph passes (for IR they already ran on, such as the "
             "daemon's cached graph IR)"),
    cl::sub(compileCommand));

static cl::list<std::string> emitKinds(
    "emit",
    cl::desc("What to write, instead of the recipe's outputs: object, shared-lib (libNAME.so "
             "and NAME.h, with the C runtime), llvm-ir, llvm-dialect, graph-ir, ptx (target cuda: "
             "the kernels' PTX); a list"),
    cl::value_desc("KIND[,KIND]"), cl::CommaSeparated, cl::sub(compileCommand));

static cl::opt<std::string> targetTriple(
    "target",
    cl::desc("Compile for another machine: aarch64-linux-gnu (NEON; a shared library, object or "
             "LLVM IR to run there). Default: this machine"),
    cl::value_desc("TRIPLE"), cl::init(""), cl::sub(compileCommand));

static cl::opt<unsigned> threads(
    "threads",
    cl::desc("Threads the code is compiled for (default: the recipe's, 1 in the built-in one)"),
    cl::init(1), cl::sub(compileCommand));

static cl::opt<bool> weightsFile(
    "weights-file",
    cl::desc("With shared-lib: write the weights to NAME.weights beside the library (mapped when "
             "the model is opened) instead of into it"),
    cl::sub(compileCommand));

namespace {

/// The recipe's outputs as --emit chooses them.
llvm::Expected<RecipeOutputs> emittedOutputs(RecipeOutputs outputs) {
  if (emitKinds.empty())
    return outputs;
  bool passRecord = outputs.passRecord;
  outputs = RecipeOutputs();
  outputs.object = false;
  outputs.passRecord = passRecord;
  for (const std::string &kind : emitKinds) {
    if (kind == "object")
      outputs.object = true;
    else if (kind == "shared-lib")
      outputs.sharedLibrary = true;
    else if (kind == "llvm-ir")
      outputs.llvmIR = true;
    else if (kind == "llvm-dialect")
      outputs.llvmDialect = true;
    else if (kind == "graph-ir")
      outputs.graphIR = true;
    else if (kind == "ptx")
      outputs.ptx = true;
    else
      return llvm::createStringError("--emit: unknown kind '%s' (object, shared-lib, llvm-ir, "
                                     "llvm-dialect, graph-ir, ptx)",
                                     kind.c_str());
  }
  return outputs;
}

void reportWritten(llvm::StringRef path) {
  uint64_t size = 0;
  (void)llvm::sys::fs::file_size(path, size);
  llvm::outs() << llvm::formatv("wrote {0} ({1} bytes)\n", path, size);
}

} // namespace

int runCompile(mlir::MLIRContext &context) {
  auto recipe = selectedRecipe(recipePath);
  if (!recipe)
    return reportError(recipe.takeError());
  auto request = driver::CompileRequest::fromRecipe(*recipe, noGraphPasses);
  request.modelPath = modelPath;
  request.record = record;
  request.outputDir = outputDir;
  request.options.targetTriple = targetTriple;
  if (threads < 1 || threads > 256)
    return reportError(llvm::createStringError("--threads must be between 1 and 256"));
  if (threads.getNumOccurrences())
    request.options.threads = threads;
  auto outputs = emittedOutputs(request.outputs);
  if (!outputs)
    return reportError(outputs.takeError());
  request.outputs = *outputs;
  if (weightsFile)
    request.outputs.weightsFile = true;
  auto result = driver::compileModel(context, request, reportWritten);
  if (!result)
    return reportError(result.takeError());
  llvm::outs() << llvm::formatv("compiled {0} with recipe '{1}' in {2:f1} ms; graph passes: "
                                "{3} -> {4} ops\n",
                                modelPath, recipe->name.empty() ? recipePath : recipe->name,
                                result->milliseconds, result->opsBefore,
                                result->opsAfterGraphPasses);
  return 0;
}

} // namespace openopt::cli
