//===- IrInlayHints.cpp - inferred types as inlay hints ------------------===//
#include "IrEntity.h"
#include "IrFeatures.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace openopt::lsp;
using namespace mlir;

json openopt::lsp::irInlayHints(const IrAnalysis &analysis, Range range) {
  json out = json::array();
  for (const PlacedItem &item : analysis.items) {
    if (!item.result->state)
      continue;
    int first = static_cast<int>(item.item.firstLine);
    if (first > range.end.line || first + static_cast<int>(item.result->lineCount) < range.start.line)
      continue;
    for (const auto &op : item.result->state->getOpDefs()) {
      if (op.resultGroups.empty())
        continue;
      auto inferred = item.result->inferredTypes.find(op.op);
      llvm::StringRef text(op.scopeLoc.Start.getPointer(),
                           op.scopeLoc.End.getPointer() - op.scopeLoc.Start.getPointer());
      for (const auto &group : op.resultGroups) {
        if (group.startIndex >= op.op->getNumResults())
          continue;
        Type written = op.op->getResult(group.startIndex).getType();
        std::string label;
        if (inferred != item.result->inferredTypes.end())
          label = ": " + printed(inferred->second[group.startIndex]) + " (inferred)";
        else if (!text.contains(printed(written)))
          label = ": " + printed(written);
        if (label.empty())
          continue;
        auto at = analysis.rangeOf(item, group.definition.loc);
        if (!at || at->end.line < range.start.line || at->end.line > range.end.line)
          continue;
        out.push_back({{"position", toJson(nameRange(analysis, item, group.definition.loc).end)},
                       {"label", label}, {"kind", 1}, {"paddingLeft", false}});
      }
    }
  }
  return out;
}
