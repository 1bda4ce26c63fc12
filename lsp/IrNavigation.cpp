//===- IrNavigation.cpp - go to definition, references, document symbols ---===//
#include "IrEntity.h"
#include "IrFeatures.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace openopt::lsp;
using namespace mlir;

json openopt::lsp::irDefinition(const IrAnalysis &analysis, const std::string &uri, Position position) {
  Entity entity = entityAt(analysis, position);
  if (entity.kind == Entity::Symbol) {
    if (auto range = symbolDefinition(analysis, entity.symbol))
      return location(uri, *range);
    return nullptr;
  }
  if (!entity.definition)
    return nullptr;
  return location(uri, nameRange(analysis, *entity.item, entity.definition->loc));
}

json openopt::lsp::irReferences(const IrAnalysis &analysis, const std::string &uri, Position position,
                                bool includeDeclaration) {
  json out = json::array();
  for (const Range &range : entityRanges(analysis, entityAt(analysis, position), includeDeclaration))
    out.push_back(location(uri, range));
  return out;
}

json openopt::lsp::irDocumentSymbols(const IrAnalysis &analysis) {
  json out = json::array();
  for (const PlacedItem &item : analysis.items) {
    if (!item.result->state) {
      if (!item.item.symbol.empty()) { // keep unparsable functions in the outline
        Position start{static_cast<int>(item.item.firstLine), 0};
        Range range{start, analysis.text->positionOf(item.item.end)};
        out.push_back({{"name", item.item.symbol.substr(1)}, {"kind", 12}, {"detail", "(does not parse)"},
                       {"range", toJson(range)}, {"selectionRange", toJson(Range{start, start})}});
      }
      continue;
    }
    for (const auto &def : item.result->state->getOpDefs()) {
      auto func = dyn_cast<func::FuncOp>(def.op);
      if (!func || func.isExternal() && !item.result->pointOf(def.loc.Start))
        continue;
      auto range = analysis.rangeOf(item, def.scopeLoc);
      if (!range)
        continue;
      Range selection = *range;
      for (const Range &r : symbolOccurrences(*analysis.text, "@" + func.getSymName().str()))
        if (r.start.line == range->start.line)
          selection = r;
      json children = json::array();
      for (const auto &inner : item.result->state->getOpDefs()) {
        auto name = item.result->nodeNames.find(inner.op);
        if (name == item.result->nodeNames.end() || inner.op->getParentOfType<func::FuncOp>() != func)
          continue;
        if (auto innerRange = analysis.rangeOf(item, inner.scopeLoc))
          children.push_back({{"name", name->second},
                              {"detail", inner.op->getName().getStringRef().str()},
                              {"kind", 25}, // Operator
                              {"range", toJson(*innerRange)},
                              {"selectionRange", toJson(*analysis.rangeOf(item, inner.loc))}});
      }
      out.push_back({{"name", func.getSymName().str()},
                     {"detail", printed(func.getFunctionType())},
                     {"kind", 12}, // Function
                     {"range", toJson(*range)},
                     {"selectionRange", toJson(selection)},
                     {"children", children}});
    }
  }
  return out;
}
