//===- RecipeCommand.cpp - openopt recipe, and the shared --recipe flag ---===//
#include "Commands.h"

#include "openopt/Recipe/Recipe.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

namespace cl = llvm::cl;

namespace openopt::cli {

cl::SubCommand recipeCommand(
    "recipe", "Check recipe files, print the built-in recipe, or the pipeline a recipe runs");

static cl::list<std::string> recipeArgs(
    cl::Positional,
    cl::desc("check FILE... | default | pipeline [FILE] | passes"), cl::OneOrMore,
    cl::sub(recipeCommand));

const char *const kRecipeFlagHelp =
    "Recipe file (*.recipe.json) saying which graph passes run, with which options, and how "
    "code is generated (default: the built-in recipe, see 'openopt recipe default')";

llvm::Expected<Recipe> selectedRecipe(llvm::StringRef path) {
  if (path.empty())
    return defaultRecipe();
  return loadRecipe(path);
}

int runRecipe() {
  llvm::StringRef action = recipeArgs.front();
  std::vector<std::string> files(recipeArgs.begin() + 1, recipeArgs.end());
  if (action == "default") {
    llvm::outs() << defaultRecipeText();
    return 0;
  }
  if (action == "check") {
    if (files.empty())
      return reportError(llvm::createStringError("recipe check: give one or more files"));
    int status = 0;
    for (const std::string &file : files) {
      auto recipe = loadRecipe(file);
      if (!recipe) {
        status = reportError(recipe.takeError());
        continue;
      }
      llvm::outs() << file << ": ok (" << recipe->graphPasses.size() << " graph passes)\n";
    }
    return status;
  }
  if (action == "pipeline") {
    if (files.size() > 1)
      return reportError(llvm::createStringError("recipe pipeline: give at most one file"));
    auto recipe = files.empty() ? defaultRecipe() : loadRecipe(files.front());
    if (!recipe)
      return reportError(recipe.takeError());
    llvm::outs() << cpuPipeline(recipe->cpuOptions()) << "\n";
    return 0;
  }
  if (action == "passes") {
    // The graph passes and their options as JSON, for editors and tests.
    llvm::json::Array passes;
    for (llvm::StringRef name : graphPassNames()) {
      auto description = describePass(name);
      if (!description) {
        llvm::consumeError(description.takeError()); // not linked into this build
        continue;
      }
      llvm::json::Array options;
      for (const PassOptionInfo &o : description->options)
        options.push_back(llvm::json::Object{
            {"name", o.name}, {"default", o.defaultValue}, {"type", o.type}});
      passes.push_back(llvm::json::Object{{"name", description->name},
                                          {"summary", description->summary},
                                          {"options", std::move(options)}});
    }
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(passes))) << "\n";
    return 0;
  }
  return reportError(llvm::createStringError(
      "recipe: unknown action '%s' (check, default, pipeline, passes)", action.str().c_str()));
}

} // namespace openopt::cli
