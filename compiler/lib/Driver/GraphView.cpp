//===- GraphView.cpp - a model's dataflow graph as JSON -------------------===//
#include "openopt/Driver/GraphView.h"

#include "openopt/Record/GraphJson.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Support/Diagnostics.h"
#include "openopt/Tools/ModelLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"

using llvm::createStringError;

namespace openopt::driver {
namespace {

// How many of `passes` run for `after` ("NAME", "NAME#N" or "all").
llvm::Expected<size_t> passesUpTo(llvm::ArrayRef<RecipePass> passes, llvm::StringRef after) {
  if (after == "all")
    return passes.size();
  auto [name, nth] = after.split('#');
  unsigned wanted = 1;
  if (!nth.empty() && (nth.getAsInteger(10, wanted) || wanted == 0))
    return createStringError("--after %s: write NAME#N with N >= 1", after.str().c_str());
  for (size_t i = 0, seen = 0; i < passes.size(); ++i)
    if (passes[i].name == name && ++seen == wanted)
      return i + 1;
  std::vector<std::string> names;
  for (const RecipePass &p : passes)
    names.push_back(p.name);
  return createStringError(
      "--after %s: the recipe's graph pipeline has no such pass (it runs: %s)",
      after.str().c_str(), names.empty() ? "nothing" : llvm::join(names, ", ").c_str());
}

} // namespace

llvm::Expected<llvm::json::Value> graphView(mlir::MLIRContext &context,
                                            const GraphRequest &request) {
  auto module = loadModel(context, request.modelPath);
  if (!module)
    return module.takeError();
  if (!request.after.empty()) {
    Recipe recipe = request.recipe;
    auto count = passesUpTo(recipe.graphPasses, request.after);
    if (!count)
      return count.takeError();
    recipe.graphPasses.resize(*count);
    std::string pipeline = recipe.graphPipeline();
    if (!pipeline.empty())
      if (auto err = runPipeline(**module, pipeline))
        return std::move(err);
  }
  mlir::func::FuncOp func = findEntryFunction(**module);
  if (!func)
    return createStringError("%s has no public function", request.modelPath.c_str());
  GraphJsonOptions options;
  options.model = request.modelPath;
  options.after = request.after;
  return graphToJson(func, options);
}

} // namespace openopt::driver
