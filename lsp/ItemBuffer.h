//===- ItemBuffer.h - what parsing one item and its fragments share -*- C++ -*-===//
//
// An item is parsed in a buffer of its own: the file's aliases, the item,
// then private declarations of the functions it calls. A spliced edit
// (FunctionSplice.h) parses a fragment of a function the same way. These
// are the pieces both use.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_ITEMBUFFER_H
#define OPENOPT_LSP_ITEMBUFFER_H

#include "Protocol.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

#include <optional>
#include <string>
#include <string_view>

namespace openopt::lsp {

inline constexpr const char *kItemBufferName = "document.mlir";
/// MLIR's parser recurses per nesting level: deeper text is not parsed.
inline constexpr int kMaxNesting = 1000;

size_t countLines(std::string_view text);
std::string makeItemBuffer(std::string_view preamble, std::string_view itemText, std::string_view declarations);
std::optional<mlir::FileLineColLoc> fileLocationOf(mlir::Location loc);
DiagnosticSeverity severityOf(mlir::DiagnosticSeverity severity);
/// Offset where brackets ({[( and <) first nest deeper than `limit`
/// outside strings and comments, or npos.
size_t deepNestingOffset(std::string_view text, int limit);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_ITEMBUFFER_H
