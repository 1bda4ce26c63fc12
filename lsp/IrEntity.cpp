//===- IrEntity.cpp - what the cursor is on in an .mlir document ----------===//
#include "IrEntity.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace openopt::lsp {

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' || c == '-';
}

bool contains(llvm::SMRange range, const char *at) {
  return range.Start.isValid() && range.Start.getPointer() <= at && at <= range.End.getPointer();
}

std::string printed(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

std::string withThousands(int64_t value) {
  std::string digits = std::to_string(value), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-')
      out += ',';
    out += digits[i];
  }
  return out;
}

std::string scaled(double value, const char *unit) {
  const char *prefixes[] = {"", "K", "M", "G", "T"};
  int i = 0;
  while (value >= 1000 && i < 4) {
    value /= 1000;
    ++i;
  }
  return llvm::formatv("{0:F2} {1}{2}", value, prefixes[i], unit).str();
}

/// The `@name` token at `position` in the current text, if any.
std::string symbolAt(const TextDocument &text, Position position) {
  std::string_view line = text.line(position.line);
  size_t at = text.offsetOf(position) - text.offsetOf({position.line, 0});
  size_t begin = std::min(at, line.size());
  while (begin > 0 && (isNameChar(line[begin - 1]) || line[begin - 1] == '@'))
    --begin;
  size_t end = begin;
  if (end < line.size() && line[end] == '@') {
    ++end;
    while (end < line.size() && isNameChar(line[end]))
      ++end;
    if (end > begin + 1 && at <= end)
      return std::string(line.substr(begin, end - begin));
  }
  return "";
}

Entity entityAt(const IrAnalysis &analysis, Position position) {
  Entity entity;
  if (std::string symbol = symbolAt(*analysis.text, position); !symbol.empty()) {
    entity.kind = Entity::Symbol;
    entity.symbol = symbol;
    entity.item = analysis.itemAt(position.line);
    return entity;
  }
  const PlacedItem *item = analysis.itemAt(position.line);
  if (!item || !item->result->state)
    return entity;
  entity.item = item;
  const char *at = analysis.locOf(*item, position).getPointer();
  if (!at)
    return entity;
  const AsmParserState &state = *item->result->state;
  for (const AsmParserState::OperationDefinition &op : state.getOpDefs()) {
    if (!contains(op.scopeLoc, at) && op.resultGroups.empty())
      continue;
    for (const auto &group : op.resultGroups) {
      auto check = [&](llvm::SMRange range) {
        if (!contains(range, at))
          return false;
        unsigned index = group.startIndex;
        llvm::StringRef text(range.Start.getPointer(), range.End.getPointer() - range.Start.getPointer());
        if (size_t hash = text.find('#'); hash != llvm::StringRef::npos)
          text.drop_front(hash + 1).getAsInteger(10, index), index += group.startIndex;
        entity = {Entity::Result, item, &op, &group.definition, nullptr,
                  index < op.op->getNumResults() ? op.op->getResult(index) : Value(), range, ""};
        return true;
      };
      if (check(group.definition.loc))
        return entity;
      for (llvm::SMRange use : group.definition.uses)
        if (check(use))
          return entity;
    }
    if (contains(op.loc, at)) {
      entity = {Entity::Op, item, &op, nullptr, nullptr, Value(), op.loc, ""};
      return entity;
    }
  }
  for (const AsmParserState::BlockDefinition &block : state.getBlockDefs()) {
    auto inDefinition = [&](const AsmParserState::SMDefinition &d) {
      if (contains(d.loc, at))
        return d.loc;
      for (llvm::SMRange use : d.uses)
        if (contains(use, at))
          return use;
      return llvm::SMRange();
    };
    if (llvm::SMRange hit = inDefinition(block.definition); hit.isValid()) {
      entity = {Entity::BlockLabel, item, nullptr, &block.definition, &block, Value(), hit, ""};
      return entity;
    }
    for (size_t i = 0; i < block.arguments.size(); ++i)
      if (llvm::SMRange hit = inDefinition(block.arguments[i]); hit.isValid()) {
        entity = {Entity::BlockArgument, item, nullptr, &block.arguments[i], &block,
                  block.block->getArgument(i), hit, ""};
        return entity;
      }
  }
  // Inside an op but not on a name: the innermost op whose text holds it.
  const AsmParserState::OperationDefinition *innermost = nullptr;
  for (const AsmParserState::OperationDefinition &op : state.getOpDefs())
    if (contains(op.scopeLoc, at) &&
        (!innermost || op.scopeLoc.Start.getPointer() >= innermost->scopeLoc.Start.getPointer()))
      innermost = &op;
  if (innermost && innermost->op->getNumRegions() == 0)
    entity = {Entity::Op, item, innermost, nullptr, nullptr, Value(), innermost->loc, ""};
  return entity;
}

json location(const std::string &uri, const Range &range) {
  return {{"uri", uri}, {"range", toJson(range)}};
}

/// Every `@name` token equal to `symbol` in the text, as ranges.
std::vector<Range> symbolOccurrences(const TextDocument &text, const std::string &symbol) {
  std::vector<Range> out;
  const std::string &source = text.text();
  for (size_t i = source.find(symbol); i != std::string::npos; i = source.find(symbol, i + 1)) {
    size_t end = i + symbol.size();
    if (end < source.size() && isNameChar(source[end]))
      continue;
    size_t lineStart = source.rfind('\n', i);
    lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
    if (source.substr(lineStart, i - lineStart).find("//") != std::string::npos)
      continue; // in a comment
    out.push_back({text.positionOf(i), text.positionOf(end)});
  }
  return out;
}

/// Where `symbol` is defined: its token in a `func.func …@name(` header.
std::optional<Range> symbolDefinition(const IrAnalysis &analysis, const std::string &symbol) {
  for (const Range &range : symbolOccurrences(*analysis.text, symbol)) {
    std::string_view line = analysis.text->line(range.start.line);
    if (line.find("func.func") != std::string_view::npos && line.find(symbol) != std::string_view::npos &&
        line.find("func.func") < line.find(symbol) && line.find("call") == std::string_view::npos)
      return range;
  }
  return std::nullopt;
}

/// The name token inside a def/use range (`%x` of `%x#1` or `%x:2`).
Range nameRange(const IrAnalysis &analysis, const PlacedItem &item, llvm::SMRange range) {
  const char *begin = range.Start.getPointer(), *end = range.End.getPointer();
  const char *stop = begin + (begin < end && (*begin == '%' || *begin == '^') ? 1 : 0);
  while (stop < end && isNameChar(*stop))
    ++stop;
  return *analysis.rangeOf(item, llvm::SMRange(range.Start, llvm::SMLoc::getFromPointer(stop)));
}

std::vector<Range> entityRanges(const IrAnalysis &analysis, const Entity &entity, bool withDefinition) {
  std::vector<Range> out;
  if (entity.kind == Entity::Symbol) {
    std::optional<Range> definition = symbolDefinition(analysis, entity.symbol);
    for (const Range &range : symbolOccurrences(*analysis.text, entity.symbol))
      if (withDefinition || definition != range)
        out.push_back(range);
    return out;
  }
  if (!entity.definition)
    return out;
  if (withDefinition)
    out.push_back(nameRange(analysis, *entity.item, entity.definition->loc));
  for (llvm::SMRange use : entity.definition->uses)
    out.push_back(nameRange(analysis, *entity.item, use));
  return out;
}

} // namespace openopt::lsp
