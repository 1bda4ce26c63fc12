//===- IrFeatures.h - what the server answers about an .mlir document -*- C++ -*-===//
#ifndef OPENOPT_LSP_IRFEATURES_H
#define OPENOPT_LSP_IRFEATURES_H

#include "IrAnalysis.h"

namespace openopt::lsp {

json irHover(const IrAnalysis &analysis, Position position);
json irDefinition(const IrAnalysis &analysis, const std::string &uri, Position position);
json irReferences(const IrAnalysis &analysis, const std::string &uri, Position position,
                  bool includeDeclaration);
json irPrepareRename(const IrAnalysis &analysis, Position position);
/// Throws RequestError when `newName` is not a valid name for the entity.
json irRename(const IrAnalysis &analysis, const std::string &uri, Position position,
              const std::string &newName);
json irDocumentSymbols(const IrAnalysis &analysis);
/// Completion reads the current text (which may not parse) and the last
/// analysis that did.
json irCompletion(const IrAnalysis &analysis, const TextDocument &current, Position position,
                  mlir::MLIRContext &context);
json irInlayHints(const IrAnalysis &analysis, Range range);
json irSemanticTokens(const TextDocument &text);
json irFoldingRanges(const TextDocument &text);
json irCodeLenses(const IrAnalysis &analysis, const std::string &uri);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_IRFEATURES_H
