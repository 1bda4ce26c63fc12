//===- ItemBuffer.cpp - what parsing one item and its fragments share ----===//
#include "ItemBuffer.h"

#include <algorithm>

using namespace openopt::lsp;

size_t openopt::lsp::countLines(std::string_view text) {
  size_t lines = std::count(text.begin(), text.end(), '\n');
  return lines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

std::string openopt::lsp::makeItemBuffer(std::string_view preamble, std::string_view itemText,
                                         std::string_view declarations) {
  std::string buffer;
  buffer.reserve(preamble.size() + itemText.size() + declarations.size() + 1);
  buffer.append(preamble).append(itemText);
  if (!buffer.empty() && buffer.back() != '\n')
    buffer += '\n';
  buffer.append(declarations);
  return buffer;
}

std::optional<mlir::FileLineColLoc> openopt::lsp::fileLocationOf(mlir::Location loc) {
  if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc))
    return file;
  if (auto name = mlir::dyn_cast<mlir::NameLoc>(loc))
    return fileLocationOf(name.getChildLoc());
  if (auto call = mlir::dyn_cast<mlir::CallSiteLoc>(loc))
    return fileLocationOf(call.getCallee());
  if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc))
    for (mlir::Location inner : fused.getLocations())
      if (auto file = fileLocationOf(inner))
        return file;
  return std::nullopt;
}

DiagnosticSeverity openopt::lsp::severityOf(mlir::DiagnosticSeverity severity) {
  switch (severity) {
  case mlir::DiagnosticSeverity::Error:
    return DiagnosticSeverity::Error;
  case mlir::DiagnosticSeverity::Warning:
    return DiagnosticSeverity::Warning;
  default:
    return DiagnosticSeverity::Information;
  }
}

size_t openopt::lsp::deepNestingOffset(std::string_view text, int limit) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '{' || c == '[' || c == '(' || c == '<') {
      if (++depth > limit)
        return i;
    } else if (c == '}' || c == ']' || c == ')' || (c == '>' && (i == 0 || text[i - 1] != '-'))) {
      depth = std::max(0, depth - 1);
    }
  }
  return std::string_view::npos;
}
