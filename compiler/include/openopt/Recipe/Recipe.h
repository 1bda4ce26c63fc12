//===- Recipe.h - what a compile does, as a user writes it ------*- C++ -*-===//
//
// A recipe (`*.recipe.json`, comments allowed; schema in
// schemas/recipe.schema.json) names the target, the ordered graph passes with
// their options, the lowering/codegen options and the outputs of a compile.
// Loading one checks it against the live pass registry and reports every
// problem at once, each with its JSON pointer, line and column.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RECIPE_RECIPE_H
#define OPENOPT_RECIPE_RECIPE_H

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Recipe/JsonDocument.h"

#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace openopt {

/// One graph pass as the recipe gives it: its registered argument and its
/// options rendered as pass-pipeline text values.
struct RecipePass {
  std::string name;
  std::vector<std::pair<std::string, std::string>> options;
};

struct RecipeOutputs {
  bool passRecord = false; // record.json: what every pass did
  bool graphIR = false;    // the nn IR after the graph passes
  bool llvmDialect = false; // the LLVM-dialect MLIR
  bool llvmIR = false;     // LLVM IR (.ll)
  bool object = true;      // a native object file (.o)
  bool sharedLibrary = false; // libNAME.so + NAME.h, with the runtime (runtime/)
  bool weightsFile = false;   // the library's weights in NAME.weights beside it
  bool ptx = false;           // target cuda: the kernels as PTX assembly (.ptx)
};

struct Recipe {
  std::string name;
  std::string description;
  std::string target = "cpu";
  int threads = 1;
  std::string isa = "auto"; // auto, avx2, avx512
  /// Target "cuda": the GPU architecture ("sm_90"; "" takes the device's).
  std::string arch;
  /// Target "cuda": how f32 matmuls are done: "f32" (exact, CUDA cores),
  /// "tf32" or "tf32x3" (tensor cores).
  std::string precision = "f32";
  std::vector<RecipePass> graphPasses;
  bool vectorizeMatmul = true;
  bool kernels = true;
  int tileM = 128, tileN = 256, tileK = 256;
  /// "dynamic": symbolic input dims stay dynamic, one compile runs at every
  /// size; "specialize": they take the sizes of the inputs of the first run
  /// (faster code, a compile per input shape).
  std::string shapes = "dynamic";
  RecipeOutputs outputs;

  /// The graph passes as a pipeline nested in func.func, e.g.
  /// "canonicalize,openopt-fold-constants{max-elements=1024}" (empty: none).
  std::string graphPassList() const;
  /// The graph passes as a whole pipeline anchored on builtin.module, for
  /// running them alone ("" when there are none).
  std::string graphPipeline() const;
  /// The whole CPU pipeline's options.
  CpuPipelineOptions cpuOptions() const;
  /// The SIMD width `isa` fixes: 256 (avx2), 512 (avx512), 0 (auto: the host's).
  int vectorBits() const;
};

/// One problem in a recipe: where (JSON pointer, line, column) and what.
struct RecipeDiagnostic {
  std::string pointer;
  SourcePosition position;
  std::string message;
};

/// Every problem found in a recipe file, printed one per line as
/// "FILE:LINE:COLUMN: error: POINTER: MESSAGE".
class RecipeError : public llvm::ErrorInfo<RecipeError> {
public:
  static char ID;
  RecipeError(std::string file, std::vector<RecipeDiagnostic> diagnostics)
      : file(std::move(file)), diagnostics(std::move(diagnostics)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

  std::string file;
  std::vector<RecipeDiagnostic> diagnostics;
};

/// Parses and checks a recipe. Pass names and options are checked against
/// the registered passes, so register them first.
llvm::Expected<Recipe> parseRecipe(llvm::StringRef text, llvm::StringRef fileName);
llvm::Expected<Recipe> loadRecipe(llvm::StringRef path);

/// Every problem in a recipe text (empty when it is valid).
std::vector<RecipeDiagnostic> checkRecipe(llvm::StringRef text);

/// The built-in recipe (recipes/default.recipe.json), used when none is given.
llvm::StringRef defaultRecipeText();
llvm::Expected<Recipe> defaultRecipe();

/// The passes a recipe's graph pipeline is meant to hold, for completion and
/// "did you mean" (any registered pass is accepted).
llvm::ArrayRef<llvm::StringRef> graphPassNames();

/// A registered pass as recipes see it: its summary and its options, with
/// defaults as pipeline text and JSON types ("boolean", "integer",
/// "number", "string", or "" when the default does not tell).
struct PassOptionInfo {
  std::string name, defaultValue, type;
};
struct PassDescription {
  std::string name, summary;
  std::string anchor; // the op it runs on ("" when any)
  std::vector<PassOptionInfo> options;
};
llvm::Expected<PassDescription> describePass(llvm::StringRef name);

} // namespace openopt

#endif // OPENOPT_RECIPE_RECIPE_H
