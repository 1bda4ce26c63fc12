//===- GraphCommand.cpp - openopt graph: the dataflow graph as JSON -------===//
#include "Commands.h"

#include "openopt/Recipe/Recipe.h"
#include "openopt/Record/GraphJson.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Support/Diagnostics.h"
#include "openopt/Tools/ModelLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"

namespace cl = llvm::cl;
using llvm::createStringError;

namespace openopt::cli {

cl::SubCommand graphCommand("graph",
                            "Print a model's dataflow graph as JSON (schemas/graph.schema.json)");

static cl::opt<std::string> recipePath("recipe", cl::desc(kRecipeFlagHelp),
                                       cl::value_desc("FILE"), cl::init(""),
                                       cl::sub(graphCommand));

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model.onnx|model.mlir>"),
                                      cl::Required, cl::sub(graphCommand));
static cl::opt<std::string> afterPass(
    "after",
    cl::desc("Take the graph after this pass of the recipe's graph pipeline (the first "
             "occurrence; NAME#2 for the second), or 'all' for after the whole pipeline; "
             "default: as imported"),
    cl::value_desc("PASS"), cl::init(""), cl::sub(graphCommand));
static cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::sub(graphCommand));

int runGraph(mlir::MLIRContext &context) {
  auto module = loadModel(context, modelPath);
  if (!module)
    return reportError(module.takeError());
  if (!afterPass.empty()) {
    auto recipe = selectedRecipe(recipePath);
    if (!recipe)
      return reportError(recipe.takeError());
    std::vector<RecipePass> &passes = recipe->graphPasses;
    size_t count = passes.size();
    if (afterPass != "all") {
      auto [name, nth] = llvm::StringRef(afterPass).split('#');
      unsigned wanted = 1;
      if (!nth.empty() && (nth.getAsInteger(10, wanted) || wanted == 0))
        return reportError(createStringError("--after %s: write NAME#N with N >= 1",
                                             afterPass.c_str()));
      count = 0;
      for (size_t i = 0, seen = 0; i < passes.size() && !count; ++i)
        if (passes[i].name == name && ++seen == wanted)
          count = i + 1;
      if (!count) {
        std::vector<std::string> names;
        for (const RecipePass &p : passes)
          names.push_back(p.name);
        return reportError(createStringError(
            "--after %s: the recipe's graph pipeline has no such pass (it runs: %s)",
            afterPass.c_str(), names.empty() ? "nothing" : llvm::join(names, ", ").c_str()));
      }
    }
    passes.resize(count);
    std::string pipeline = recipe->graphPipeline();
    if (!pipeline.empty())
      if (auto err = runPipeline(**module, pipeline))
        return reportError(std::move(err));
  }
  mlir::func::FuncOp func = findEntryFunction(**module);
  if (!func)
    return reportError(createStringError("%s has no public function", modelPath.c_str()));
  GraphJsonOptions options;
  options.model = modelPath;
  options.after = afterPass;
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output)
    return reportError(createStringError(error));
  output->os() << llvm::formatv("{0:2}", graphToJson(func, options)) << "\n";
  output->keep();
  return 0;
}

} // namespace openopt::cli
