//===- CompileCommand.cpp - openopt compile: a model to native code -------===//
#include "Commands.h"

#include "openopt/Record/PassRecord.h"
#include "openopt/Recipe/Recipe.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Runtime/NativeCode.h"
#include "openopt/Support/Diagnostics.h"
#include "openopt/Tools/ModelLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

namespace cl = llvm::cl;
using llvm::createStringError;

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

namespace {

llvm::Error writeIR(mlir::ModuleOp module, llvm::StringRef path) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return createStringError("cannot write '%s': %s", path.str().c_str(), ec.message().c_str());
  module->print(out.os());
  out.keep();
  return llvm::Error::success();
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
  auto module = loadModel(context, modelPath);
  if (!module)
    return reportError(module.takeError());
  auto specs = entryInputSpecs(**module);
  if (!specs)
    return reportError(specs.takeError());
  for (const TensorSpec &spec : *specs)
    if (llvm::any_of(spec.shape, [](int64_t d) { return d < 0; }))
      return reportError(createStringError(
          "input %s has dynamic dimensions; compile writes an object for static shapes "
          "(openopt run compiles for any size)",
          spec.describe().c_str()));

  std::string dir = outputDir;
  if (dir.empty())
    dir = (llvm::sys::path::stem(modelPath) + ".openopt").str();
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return reportError(
        createStringError("cannot create '%s': %s", dir.c_str(), ec.message().c_str()));
  std::string stem = llvm::sys::path::stem(modelPath).str();
  auto pathOf = [&](llvm::StringRef suffix) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, stem + suffix);
    return std::string(path);
  };

  const RecipeOutputs &outputs = recipe->outputs;
  bool recording = record || outputs.passRecord;
  PassRecord passRecord;
  // The graph passes run alone first, so their IR can be written; the
  // lowering follows without them.
  std::string graphPipeline = noGraphPasses ? "" : recipe->graphPipeline();
  CpuPipelineOptions options = recipe->cpuOptions();
  if (noGraphPasses)
    options.graphPasses.clear();
  passRecord.pipeline = cpuPipeline(options);
  options.graphPasses.clear();
  auto recorder = [&]() -> std::unique_ptr<PassRecorder> {
    return recording ? std::make_unique<PassRecorder>(passRecord) : nullptr;
  };
  if (recording) {
    PassRecorder initial(passRecord);
    initial.recordInitial(**module);
  }

  auto start = std::chrono::steady_clock::now();
  int64_t opsBefore = countNestedOps(**module);
  llvm::Error err = llvm::Error::success();
  if (!graphPipeline.empty())
    err = runPipeline(**module, graphPipeline, recorder());
  int64_t opsAfterGraph = countNestedOps(**module);
  if (!err && outputs.graphIR) {
    err = writeIR(**module, pathOf(".graph.mlir"));
    if (!err)
      reportWritten(pathOf(".graph.mlir"));
  }
  if (!err)
    err = runPipeline(**module, cpuPipeline(options), recorder());
  if (!err && outputs.llvmDialect) {
    err = writeIR(**module, pathOf(".llvm.mlir"));
    if (!err)
      reportWritten(pathOf(".llvm.mlir"));
  }
  if (!err && (outputs.llvmIR || outputs.object)) {
    std::string ll = outputs.llvmIR ? pathOf(".ll") : "";
    std::string object = outputs.object ? pathOf(".o") : "";
    err = writeNativeCode(**module, ll, object);
    if (!err) {
      if (!ll.empty())
        reportWritten(ll);
      if (!object.empty())
        reportWritten(object);
    }
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // The record of a failed compile is written too: it shows where it stopped.
  if (recording) {
    if (auto writeErr = writePassRecord(passRecord, dir))
      err = llvm::joinErrors(std::move(err), std::move(writeErr));
    else
      reportWritten((dir + "/record.json"));
  }
  if (err)
    return reportError(std::move(err));
  llvm::outs() << llvm::formatv("compiled {0} with recipe '{1}' in {2:f1} ms; graph passes: "
                                "{3} -> {4} ops\n",
                                modelPath, recipe->name.empty() ? recipePath : recipe->name, ms,
                                opsBefore, opsAfterGraph);
  return 0;
}

} // namespace openopt::cli
