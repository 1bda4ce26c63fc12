//===- RecipeFeatures.h - what the server answers about a recipe -*- C++ -*-===//
#ifndef OPENOPT_LSP_RECIPEFEATURES_H
#define OPENOPT_LSP_RECIPEFEATURES_H

#include "Protocol.h"
#include "TextDocument.h"

namespace openopt::lsp {

/// Schema and pass-registry problems (unknown pass with "did you mean",
/// option of the wrong type, target not available on this host).
std::vector<Diagnostic> recipeDiagnostics(const TextDocument &text);
json recipeCompletion(const TextDocument &text, Position position);
json recipeHover(const TextDocument &text, Position position);
json recipeCodeLenses(const std::string &uri);
/// The passes the recipe expands to: {pipeline, graphPasses[], passes[]};
/// throws RequestError listing the recipe's problems when it is invalid.
json previewPipeline(const TextDocument &text);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_RECIPEFEATURES_H
