//===- Recipe.cpp - loading recipes, the built-in one, pipeline text ------===//
#include "openopt/Recipe/Recipe.h"

#include "RecipeChecker.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

namespace openopt {

#include "DefaultRecipe.inc"

char RecipeError::ID = 0;

void RecipeError::log(llvm::raw_ostream &os) const {
  llvm::ListSeparator newline("\n");
  for (const RecipeDiagnostic &d : diagnostics)
    os << newline << file << ":" << d.position.line << ":" << d.position.column
       << ": error: " << (d.pointer.empty() ? "(root)" : d.pointer) << ": " << d.message;
}

std::error_code RecipeError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

std::vector<RecipeDiagnostic> checkRecipe(llvm::StringRef text) {
  std::vector<RecipeDiagnostic> diagnostics;
  JsonSyntaxError syntax;
  auto doc = parseJsonWithComments(text, syntax);
  if (!doc) {
    diagnostics.push_back({"", syntax.position, syntax.message});
    return diagnostics;
  }
  Recipe recipe;
  checkRecipeDocument(*doc, recipe, diagnostics);
  return diagnostics;
}

llvm::Expected<Recipe> parseRecipe(llvm::StringRef text, llvm::StringRef fileName) {
  std::vector<RecipeDiagnostic> diagnostics;
  JsonSyntaxError syntax;
  auto doc = parseJsonWithComments(text, syntax);
  if (!doc)
    return llvm::make_error<RecipeError>(
        fileName.str(), std::vector<RecipeDiagnostic>{{"", syntax.position, syntax.message}});
  Recipe recipe;
  checkRecipeDocument(*doc, recipe, diagnostics);
  if (!diagnostics.empty())
    return llvm::make_error<RecipeError>(fileName.str(), std::move(diagnostics));
  return recipe;
}

llvm::Expected<Recipe> loadRecipe(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError("cannot read recipe '%s': %s", path.str().c_str(),
                                   buffer.getError().message().c_str());
  // Recipes are small; a huge file is a mistake, not a recipe.
  if ((*buffer)->getBufferSize() > (8u << 20))
    return llvm::createStringError("recipe '%s' is larger than 8 MiB", path.str().c_str());
  return parseRecipe((*buffer)->getBuffer(), path);
}

llvm::StringRef defaultRecipeText() { return kDefaultRecipeText; }

llvm::Expected<Recipe> defaultRecipe() {
  // Checked against the pass registry like any recipe (a unit test keeps it valid).
  return parseRecipe(defaultRecipeText(), "<built-in default recipe>");
}

int Recipe::vectorBits() const { return isa == "avx2" ? 256 : isa == "avx512" ? 512 : 0; }

std::string Recipe::graphPassList() const {
  std::vector<std::string> passes;
  for (const RecipePass &pass : graphPasses) {
    std::string text = pass.name;
    std::vector<std::string> options;
    for (const auto &[name, value] : pass.options)
      options.push_back(name + "=" + value);
    // The layout pass plans for the code generation's vector width (which
    // convolutions are computed directly): the target's ISA, unless the
    // recipe gives the pass its own.
    if (pass.name == "openopt-convert-layout" && vectorBits() != 0 &&
        llvm::none_of(pass.options, [](const auto &o) { return o.first == "vector-bits"; }))
      options.push_back("vector-bits=" + std::to_string(vectorBits()));
    if (!options.empty())
      text += "{" + llvm::join(options, " ") + "}";
    passes.push_back(std::move(text));
  }
  return llvm::join(passes, ",");
}

std::string Recipe::graphPipeline() const {
  std::string list = graphPassList();
  return list.empty() ? "" : "builtin.module(func.func(" + list + "))";
}

CpuPipelineOptions Recipe::cpuOptions() const {
  CpuPipelineOptions options;
  options.threads = threads;
  options.vectorizeMatmul = vectorizeMatmul;
  options.splitKernels = kernels;
  options.graphPasses = graphPassList();
  options.vectorBits = vectorBits();
  options.tileM = tileM;
  options.tileN = tileN;
  options.tileK = tileK;
  if (target == "cuda") {
    options.cudaArch = arch.empty() ? "auto" : arch;
    options.cudaPrecision = precision;
    // The CPU's schedules (packed weights, register tiles) are not for GPU
    // kernels; the host code runs on one thread.
    options.vectorizeMatmul = false;
    options.splitKernels = false;
    options.threads = 1;
    // The lowering's AVX-512-only routes (direct and few-channel
    // convolutions) stay off.
    options.vectorBits = 256;
  }
  return options;
}

} // namespace openopt
