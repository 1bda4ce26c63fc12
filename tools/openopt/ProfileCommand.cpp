//===- ProfileCommand.cpp - openopt profile: time each op of a model ------===//
//
// Compiles the model with profiling hooks around each top-level op or fused
// group (CpuPipelineOptions::profile), runs it, and reports where the time
// goes: a table sorted by total time, the table as JSON
// (schemas/profile.schema.json) and a Chrome trace-event file for Perfetto.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "openopt/Driver/ProfileModel.h"
#include "openopt/Recipe/Recipe.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

namespace cl = llvm::cl;
using llvm::createStringError;

namespace openopt::cli {

cl::SubCommand profileCommand(
    "profile", "Compile a model with timing hooks around each op or fused group, run it, "
               "and report where the time goes");

static cl::opt<std::string> recipePath("recipe", cl::desc(kRecipeFlagHelp),
                                       cl::value_desc("FILE"), cl::init(""),
                                       cl::sub(profileCommand));
static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx|model.mlir>"),
                                      cl::Required, cl::sub(profileCommand));
static cl::list<std::string> inputArgs(
    "input", cl::desc("An input as NAME=FILE (.npy or ONNX TensorProto .pb); FILE alone when "
                      "the model has one input. A sequence: a SequenceProto .pb or a directory "
                      "of 0.npy, 1.npy, ...; an optional: an OptionalProto .pb, its value, or "
                      "'none'"),
    cl::value_desc("NAME=FILE"), cl::sub(profileCommand));
static cl::opt<bool> randomInputs(
    "random-inputs",
    cl::desc("Generate the inputs not given: floats uniform in [-1, 1), integers 0, bools false"),
    cl::sub(profileCommand));
static cl::opt<unsigned> seed("seed", cl::desc("Seed for --random-inputs (default 1)"),
                              cl::init(1), cl::sub(profileCommand));
static cl::opt<unsigned> iterations("iterations",
                                    cl::desc("Timed runs, after the warm-up (default 10)"),
                                    cl::init(10), cl::sub(profileCommand));
static cl::opt<unsigned> warmup(
    "warmup", cl::desc("Untimed runs first (default 3; at least one, which gives --output-dir "
                       "its outputs)"),
    cl::init(3), cl::sub(profileCommand));
static cl::opt<unsigned> threads(
    "threads",
    cl::desc("Threads for matmuls and convolutions (default: the recipe's, 1 in the "
             "built-in one)"),
    cl::init(1), cl::sub(profileCommand));
static cl::opt<std::string> tracePath(
    "trace", cl::desc("Write every timed call as Chrome trace-event JSON (opens in Perfetto)"),
    cl::value_desc("FILE.json"), cl::init(""), cl::sub(profileCommand));
static cl::opt<std::string> jsonPath(
    "json", cl::desc("Write the table as JSON (schemas/profile.schema.json)"),
    cl::value_desc("FILE.json"), cl::init(""), cl::sub(profileCommand));
static cl::opt<unsigned> maxTraceEvents(
    "max-trace-events",
    cl::desc("Most events (op calls and runs) kept for --trace; later ones are counted as "
             "dropped (default 100000)"),
    cl::init(100000), cl::sub(profileCommand));
static cl::opt<std::string> outputDir(
    "output-dir", cl::desc("Write the outputs of the first run to DIR/<name>.npy"),
    cl::value_desc("DIR"), cl::init(""), cl::sub(profileCommand));
static cl::opt<bool> noGraphPasses(
    "no-graph-passes",
    cl::desc("Skip the recipe's graph passes (for IR they already ran on, such as a "
             "compile's graph IR)"),
    cl::sub(profileCommand));

int runProfile(mlir::MLIRContext &context) {
  auto recipe = selectedRecipe(recipePath);
  if (!recipe)
    return reportError(recipe.takeError());
  if (threads < 1 || threads > 256)
    return reportError(createStringError("--threads must be between 1 and 256"));
  if (iterations < 1)
    return reportError(createStringError("--iterations must be at least 1"));
  driver::ProfileRequest request;
  request.modelPath = modelPath;
  request.specialize = recipe->shapes == "specialize";
  request.inputs = {{inputArgs.begin(), inputArgs.end()}, randomInputs, seed};
  request.options = recipe->cpuOptions();
  if (threads.getNumOccurrences())
    request.options.threads = threads;
  if (noGraphPasses)
    request.options.graphPasses.clear();
  request.iterations = iterations;
  request.warmup = warmup;
  request.trace = !tracePath.empty();
  request.maxTraceEvents = maxTraceEvents;
  auto report = driver::profileModel(context, request);
  if (!report)
    return reportError(report.takeError());
  printNotes(report->notes);
  if (!outputDir.empty())
    if (auto err = driver::writeOutputs(outputDir, report->outputSpecs, report->outputs,
                                        printLine))
      return reportError(std::move(err));

  driver::printProfileTable(*report, llvm::outs());
  if (!jsonPath.empty())
    if (auto err = driver::writeJsonFile(jsonPath, driver::profileJson(*report), /*pretty=*/true))
      return reportError(std::move(err));
  if (report->trace) {
    if (auto err = driver::writeJsonFile(tracePath, *report->trace, /*pretty=*/false))
      return reportError(std::move(err));
    if (report->droppedEvents)
      llvm::errs() << llvm::formatv("warning: --trace kept the first {0} events, dropped {1} "
                                    "(raise --max-trace-events)\n",
                                    report->keptEvents, report->droppedEvents);
  }
  llvm::errs() << llvm::format("compile_ms %.1f\n", report->compileMs);
  return 0;
}

} // namespace openopt::cli
