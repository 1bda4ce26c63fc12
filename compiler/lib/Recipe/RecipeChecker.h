//===- RecipeChecker.h - a recipe document to a Recipe, or its problems ---===//
#ifndef OPENOPT_LIB_RECIPE_RECIPECHECKER_H
#define OPENOPT_LIB_RECIPE_RECIPECHECKER_H

#include "openopt/Recipe/Recipe.h"

namespace openopt {

/// Reads `doc` into `recipe`, appending a diagnostic for every problem.
void checkRecipeDocument(const JsonDocument &doc, Recipe &recipe,
                         std::vector<RecipeDiagnostic> &diagnostics);

} // namespace openopt

#endif
