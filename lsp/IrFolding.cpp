//===- IrFolding.cpp - folding ranges of regions and comment blocks ------===//
#include "IrEntity.h"
#include "IrFeatures.h"

using namespace openopt::lsp;
using namespace mlir;

json openopt::lsp::irFoldingRanges(const TextDocument &text) {
  json out = json::array();
  std::vector<size_t> open;
  const std::string &source = text.text();
  scanIr(
      source,
      [&](size_t offset, bool isOpen) {
        if (isOpen) {
          open.push_back(offset);
          return;
        }
        if (open.empty())
          return;
        Position start = text.positionOf(open.back()), end = text.positionOf(offset);
        open.pop_back();
        if (end.line > start.line + 1) // the closing brace stays visible
          out.push_back({{"startLine", start.line}, {"endLine", end.line - 1}});
      },
      [](size_t, size_t) {});
  // Runs of comment lines fold as comments.
  int runStart = -1;
  for (size_t l = 0; l <= text.lineCount(); ++l) {
    bool comment = l < text.lineCount() &&
                   text.line(l).find_first_not_of(" \t") != std::string_view::npos &&
                   text.line(l).substr(text.line(l).find_first_not_of(" \t")).starts_with("//");
    if (comment && runStart < 0)
      runStart = static_cast<int>(l);
    if (!comment && runStart >= 0) {
      if (static_cast<int>(l) - 1 > runStart)
        out.push_back({{"startLine", runStart}, {"endLine", static_cast<int>(l) - 1}, {"kind", "comment"}});
      runStart = -1;
    }
  }
  return out;
}
