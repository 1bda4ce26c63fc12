//===- IrRename.cpp - prepare rename and rename of values, blocks, symbols ---===//
#include "IrEntity.h"
#include "IrFeatures.h"

#include <regex>

using namespace openopt::lsp;
using namespace mlir;

json openopt::lsp::irPrepareRename(const IrAnalysis &analysis, Position position) {
  Entity entity = entityAt(analysis, position);
  if (entity.kind == Entity::Symbol) {
    for (const Range &range : symbolOccurrences(*analysis.text, entity.symbol))
      if (range.contains(position))
        return {{"range", toJson(range)}, {"placeholder", entity.symbol}};
    return nullptr;
  }
  if (!entity.definition)
    return nullptr;
  Range range = nameRange(analysis, *entity.item, entity.hit);
  size_t begin = analysis.text->offsetOf(range.start), end = analysis.text->offsetOf(range.end);
  return {{"range", toJson(range)}, {"placeholder", analysis.text->text().substr(begin, end - begin)}};
}

json openopt::lsp::irRename(const IrAnalysis &analysis, const std::string &uri, Position position,
                            const std::string &requested) {
  Entity entity = entityAt(analysis, position);
  char sigil = entity.kind == Entity::Symbol       ? '@'
               : entity.kind == Entity::BlockLabel ? '^'
               : entity.definition                 ? '%'
                                                   : 0;
  if (!sigil)
    throw RequestError(error_code::kRequestFailed, "nothing to rename here: put the cursor on an SSA value, "
                                                   "a block label or a symbol");
  std::string name = requested;
  if (!name.empty() && (name[0] == '%' || name[0] == '@' || name[0] == '^')) {
    if (name[0] != sigil)
      throw RequestError(error_code::kInvalidParams,
                         "'" + requested + "' has the wrong sigil; expected '" + std::string(1, sigil) + "'");
    name = name.substr(1);
  }
  static const std::regex valid(R"(([A-Za-z_$.\-][\w$.\-]*|[0-9]+))");
  if (!std::regex_match(name, valid))
    throw RequestError(error_code::kInvalidParams,
                       "'" + requested + "' is not a valid MLIR name (letters, digits, _ $ . -)");
  std::string newText = std::string(1, sigil) + name;
  if (sigil == '@' && !symbolOccurrences(*analysis.text, newText).empty())
    throw RequestError(error_code::kRequestFailed, "symbol " + newText + " already exists");
  if (sigil == '%' && entity.item && entity.item->result->state)
    for (const auto &op : entity.item->result->state->getOpDefs())
      for (const auto &group : op.resultGroups) {
        llvm::StringRef text(group.definition.loc.Start.getPointer(),
                             group.definition.loc.End.getPointer() - group.definition.loc.Start.getPointer());
        if (text == newText)
          throw RequestError(error_code::kRequestFailed, newText + " is already defined in this function");
      }
  json edits = json::array();
  for (const Range &range : entityRanges(analysis, entity, true))
    edits.push_back({{"range", toJson(range)}, {"newText", newText}});
  return {{"changes", {{uri, edits}}}};
}
