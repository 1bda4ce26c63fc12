//===- GraphCommand.cpp - openopt graph: the dataflow graph as JSON -------===//
#include "Commands.h"

#include "openopt/Driver/GraphView.h"
#include "openopt/Recipe/Recipe.h"

#include "mlir/IR/MLIRContext.h"
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
  driver::GraphRequest request;
  request.modelPath = modelPath;
  request.after = afterPass;
  if (!afterPass.empty()) {
    auto recipe = selectedRecipe(recipePath);
    if (!recipe)
      return reportError(recipe.takeError());
    request.recipe = std::move(*recipe);
  }
  auto graph = driver::graphView(context, request);
  if (!graph)
    return reportError(graph.takeError());
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output)
    return reportError(createStringError(error));
  output->os() << llvm::formatv("{0:2}", *graph) << "\n";
  output->keep();
  return 0;
}

} // namespace openopt::cli
