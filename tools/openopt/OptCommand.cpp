//===- OptCommand.cpp - openopt opt: run a pass pipeline, print the IR ----===//
#include "Commands.h"

#include "openopt/Record/PassRecord.h"
#include "openopt/Recipe/Recipe.h"
#include "openopt/Tools/ModelLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace cl = llvm::cl;

namespace openopt::cli {

cl::SubCommand optCommand("opt", "Run a textual pass pipeline on a model and print the IR");

static cl::opt<std::string> recipePath("recipe", cl::desc(kRecipeFlagHelp),
                                       cl::value_desc("FILE"), cl::init(""),
                                       cl::sub(optCommand));

static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.mlir|model.onnx>"),
                                      cl::Required, cl::sub(optCommand));
static cl::opt<std::string> pipeline(
    "pipeline",
    cl::desc("Pass pipeline, as for mlir-opt --pass-pipeline, e.g. "
             "'builtin.module(func.func(canonicalize,cse))'; a pipeline without "
             "an anchor is run on the module"),
    cl::init(""), cl::sub(optCommand));
static cl::opt<bool> graphOnly(
    "graph-only",
    cl::desc("With --recipe: run only the recipe's graph passes (the nn IR they produce) "
             "instead of the whole compile down to the LLVM dialect"),
    cl::sub(optCommand));
static cl::opt<std::string> recordDir(
    "record",
    cl::desc("Record what every pass did (time, op counts, IR of the functions it "
             "changed) as DIR/record.json, for 'openopt diff'"),
    cl::value_desc("DIR"), cl::init(""), cl::sub(optCommand));
static cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::sub(optCommand));

static cl::opt<bool> printLocations(
    "print-locations",
    cl::desc("Print op locations (the ONNX node names), so that IR read back keeps them"),
    cl::sub(optCommand));

int runOpt(mlir::MLIRContext &context) {
  auto module = loadModel(context, inputPath);
  if (!module)
    return reportError(module.takeError());
  std::string passes = pipeline;
  if (!recipePath.empty()) {
    if (!pipeline.empty())
      return reportError(llvm::createStringError("give --pipeline or --recipe, not both"));
    auto recipe = loadRecipe(recipePath);
    if (!recipe)
      return reportError(recipe.takeError());
    passes = graphOnly ? recipe->graphPipeline() : cpuPipeline(recipe->cpuOptions());
  } else if (graphOnly) {
    return reportError(llvm::createStringError("--graph-only needs --recipe"));
  }
  if (!passes.empty()) {
    PassRecord record;
    record.pipeline = passes;
    std::unique_ptr<PassRecorder> recorder;
    if (!recordDir.empty()) {
      recorder = std::make_unique<PassRecorder>(record);
      recorder->recordInitial(**module);
    }
    llvm::Error err = runPipeline(**module, passes, std::move(recorder));
    // A failed pipeline's record is written too: it shows where it stopped.
    if (!recordDir.empty())
      if (auto writeErr = writePassRecord(record, recordDir))
        return reportError(llvm::joinErrors(std::move(err), std::move(writeErr)));
    if (err)
      return reportError(std::move(err));
  }
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output)
    return reportError(llvm::createStringError(error));
  (*module)->print(output->os(), mlir::OpPrintingFlags().enableDebugInfo(printLocations));
  output->keep();
  return 0;
}

} // namespace openopt::cli
