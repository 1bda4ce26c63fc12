//===- IrFeatures.cpp - hover, navigation, completion, hints for .mlir ----===//
#include "IrFeatures.h"

#include "OdsDocs.h"

#include "openopt/Dialect/NN/CostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/FormatVariadic.h"

#include <regex>
#include <set>

using namespace openopt::lsp;
using namespace mlir;

namespace {

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

template <typename Range>
std::string printedTypes(Range &&types) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(types, os, [&](Type t) { t.print(os); });
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

/// What the cursor is on.
struct Entity {
  enum Kind { None, Op, Result, BlockLabel, BlockArgument, Symbol } kind = None;
  const PlacedItem *item = nullptr;
  const AsmParserState::OperationDefinition *op = nullptr;
  const AsmParserState::SMDefinition *definition = nullptr;
  const AsmParserState::BlockDefinition *block = nullptr;
  Value value;
  llvm::SMRange hit;
  std::string symbol; // for Symbol, with its '@'
};

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

std::string opDocumentation(Operation *op, const PlacedItem &item) {
  std::string name = op->getName().getStringRef().str();
  std::string out = "```mlir\n" + name + "\n```\n";
  if (const OpDoc *doc = findOpDoc(name)) {
    if (!doc->summary.empty())
      out += "**" + std::string(doc->summary) + "**\n\n";
    if (!doc->description.empty()) {
      std::string description(doc->description.substr(0, 2000));
      out += description + (doc->description.size() > 2000 ? " …" : "") + "\n\n";
    }
  }
  if (auto it = item.result->nodeNames.find(op); it != item.result->nodeNames.end())
    out += "ONNX node: `" + it->second + "`\n\n";
  if (op->getNumOperands() > 0)
    out += "Operands: `" + printedTypes(op->getOperandTypes()) + "`\n\n";
  if (op->getNumResults() > 0)
    out += "Results: `" + printedTypes(op->getResultTypes()) + "`\n\n";
  if (auto it = item.result->inferredTypes.find(op); it != item.result->inferredTypes.end())
    out += "Inferred: `" + printedTypes(it->second) + "`\n\n";
  if (op->getName().getDialectNamespace() == "nn") {
    openopt::nn::OpCost cost = openopt::nn::estimateCost(op);
    if (cost.flops || cost.bytes) {
      out += "| cost | estimate |\n|---|---|\n";
      if (cost.flops)
        out += "| FLOPs | " + withThousands(*cost.flops) + " (" + scaled(double(*cost.flops), "FLOP") + ") |\n";
      if (cost.bytes)
        out += "| bytes moved | " + withThousands(*cost.bytes) + " (" + scaled(double(*cost.bytes), "B") + ") |\n";
      if (auto intensity = cost.arithmeticIntensity())
        out += llvm::formatv("| arithmetic intensity | {0:F2} FLOP/byte |\n", *intensity).str();
    } else {
      out += "Cost: unknown (dynamic shapes)\n";
    }
  }
  return out;
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

} // namespace

json openopt::lsp::irHover(const IrAnalysis &analysis, Position position) {
  Entity entity = entityAt(analysis, position);
  std::string markdown;
  std::optional<Range> range;
  switch (entity.kind) {
  case Entity::None:
    return nullptr;
  case Entity::Op:
    markdown = opDocumentation(entity.op->op, *entity.item);
    range = analysis.rangeOf(*entity.item, entity.op->loc);
    break;
  case Entity::Result:
  case Entity::BlockArgument: {
    if (!entity.value)
      return nullptr;
    range = analysis.rangeOf(*entity.item, entity.hit);
    markdown = "```mlir\n" + printed(entity.value.getType()) + "\n```\n";
    if (auto result = dyn_cast<OpResult>(entity.value)) {
      markdown += llvm::formatv("Result #{0} of `{1}`", result.getResultNumber(),
                                result.getOwner()->getName().getStringRef()).str();
      if (auto it = entity.item->result->nodeNames.find(result.getOwner());
          it != entity.item->result->nodeNames.end())
        markdown += " (ONNX node `" + it->second + "`)";
      if (auto it = entity.item->result->inferredTypes.find(result.getOwner());
          it != entity.item->result->inferredTypes.end())
        markdown += "\n\nInferred: `" + printed(it->second[result.getResultNumber()]) + "`";
    } else {
      auto argument = cast<BlockArgument>(entity.value);
      Operation *parent = argument.getOwner()->getParentOp();
      markdown += llvm::formatv("Argument #{0} of {1}", argument.getArgNumber(),
                                parent && isa<func::FuncOp>(parent)
                                    ? "function `@" + cast<func::FuncOp>(parent).getSymName().str() + "`"
                                    : std::string("a block")).str();
    }
    size_t uses = std::distance(entity.value.use_begin(), entity.value.use_end());
    markdown += llvm::formatv("\n\n{0} use{1}", uses, uses == 1 ? "" : "s").str();
    break;
  }
  case Entity::BlockLabel:
    range = analysis.rangeOf(*entity.item, entity.hit);
    markdown = llvm::formatv("Block with {0} argument(s), {1} predecessor(s)",
                             entity.block->block->getNumArguments(),
                             std::distance(entity.block->block->pred_begin(),
                                           entity.block->block->pred_end())).str();
    break;
  case Entity::Symbol:
    for (const PlacedItem &item : analysis.items)
      if (item.item.symbol == entity.symbol && !item.result->declaration.empty()) {
        std::string signature = item.result->declaration; // "func.func private @f(…) -> (…)"
        signature.erase(signature.find(" private"), 8);
        markdown = "```mlir\n" + signature + "\n```";
      }
    if (markdown.empty())
      markdown = "`" + entity.symbol + "`";
    break;
  }
  json out = {{"contents", {{"kind", "markdown"}, {"value", markdown}}}};
  if (range)
    out["range"] = toJson(*range);
  return out;
}

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

namespace {

json completionItem(const std::string &label, int kind, const std::string &detail,
                    const std::string &documentation = "") {
  json item = {{"label", label}, {"kind", kind}};
  if (!detail.empty())
    item["detail"] = detail;
  if (!documentation.empty())
    item["documentation"] = {{"kind", "markdown"}, {"value", documentation}};
  return item;
}

/// The text of the function enclosing `line` up to the cursor, found
/// lexically since the text being typed rarely parses.
std::string_view enclosingFunctionPrefix(const TextDocument &text, Position position) {
  // Up to the start of the cursor's line: a value is in scope after the op defining it.
  size_t cursor = text.offsetOf({position.line, 0});
  int line = position.line;
  while (line > 0 && text.line(line).find("func.func") == std::string_view::npos)
    --line;
  size_t begin = text.offsetOf({line, 0});
  return std::string_view(text.text()).substr(begin, cursor - begin);
}

} // namespace

namespace {
// What the line before the cursor ends with, for each kind of completion.
const std::regex kValuePrefix(R"(([%^])([\w$.\-]*)$)");
// Where values and labels are defined in the (possibly unparsable) text.
const std::regex kValueDefinition(R"((%[\w$.\-]+)(?::\d+)?\s*(?:[,=:]))");
const std::regex kLabelDefinition(R"((\^[\w$.\-]+)\s*[(:])");
const std::regex kSymbolPrefix(R"(@([\w$.\-]*)$)");
const std::regex kAttributePrefix(R"(([a-z_][\w]*\.[\w.]+)[^{}]*\{([^}]*,)?\s*([\w]*)$)");
const std::regex kOpNamePrefix(R"(^\s*(?:(?:%[\w$.\-]+(?::\d+)?\s*,\s*)*%[\w$.\-]+(?::\d+)?\s*=\s*)?"?([\w.]*)$)");
} // namespace

json openopt::lsp::irCompletion(const IrAnalysis &analysis, const TextDocument &current, Position position,
                                MLIRContext &context) {
  std::string_view lineText = current.line(position.line);
  size_t column = current.offsetOf(position) - current.offsetOf({position.line, 0});
  std::string prefix(lineText.substr(0, std::min(column, lineText.size())));
  json items = json::array();
  std::smatch match;

  // SSA values (%) and block labels (^) defined earlier in the function.
  if (std::regex_search(prefix, match, kValuePrefix)) {
    char sigil = match[1].str()[0];
    std::string_view scope = enclosingFunctionPrefix(current, position);
    std::map<std::string, std::string> types; // from the last analysis that parsed
    if (const PlacedItem *item = analysis.itemAt(position.line); item && item->result->state)
      for (const auto &op : item->result->state->getOpDefs())
        for (const auto &group : op.resultGroups) {
          llvm::StringRef name(group.definition.loc.Start.getPointer(),
                               group.definition.loc.End.getPointer() - group.definition.loc.Start.getPointer());
          if (group.startIndex < op.op->getNumResults())
            types[name.str()] = printed(op.op->getResult(group.startIndex).getType());
        }
    std::set<std::string> seen;
    std::string scopeText(scope);
    const std::regex &definition = sigil == '%' ? kValueDefinition : kLabelDefinition;
    for (auto it = std::sregex_iterator(scopeText.begin(), scopeText.end(), definition);
         it != std::sregex_iterator(); ++it) {
      std::string name = (*it)[1];
      if (seen.insert(name).second) {
        json entry = completionItem(name, sigil == '%' ? 6 : 18, types.count(name) ? types[name] : "");
        // Replace the typed sigil and name: clients differ in what they count as the word.
        Position start{position.line, position.character - static_cast<int>(match[0].length())};
        entry["textEdit"] = {{"range", toJson(Range{start, position})}, {"newText", name}};
        entry["filterText"] = name;
        items.push_back(std::move(entry));
      }
    }
    return {{"isIncomplete", false}, {"items", items}};
  }

  // Symbols after '@'.
  if (std::regex_search(prefix, match, kSymbolPrefix)) {
    for (const PlacedItem &item : analysis.items)
      if (!item.item.symbol.empty())
        items.push_back(completionItem(item.item.symbol.substr(1), 3, item.result->declaration));
    return {{"isIncomplete", false}, {"items", items}};
  }

  // Attribute names inside an op's `{…}`.
  if (std::regex_search(prefix, match, kAttributePrefix)) {
    if (auto name = RegisteredOperationName::lookup(match[1].str(), &context)) {
      for (StringAttr attribute : name->getAttributeNames())
        items.push_back(completionItem(attribute.str(), 10, "attribute of " + match[1].str()));
      return {{"isIncomplete", false}, {"items", items}};
    }
  }

  // Op names where an op starts: at the line start or after `… =`.
  if (std::regex_search(prefix, match, kOpNamePrefix)) {
    std::string typed = match[1];
    // With nothing typed yet, the dialects models are written in; the rest
    // appear as soon as a letter narrows the list.
    static const std::vector<llvm::StringRef> common = {"nn", "func", "tosa", "arith", "math", "tensor", "scf", "cf"};
    bool incomplete = typed.empty();
    for (RegisteredOperationName name : context.getRegisteredOperations()) {
      llvm::StringRef full = name.getStringRef();
      llvm::StringRef dialect = full.split('.').first;
      auto rank = std::find(common.begin(), common.end(), dialect) - common.begin();
      if (typed.empty() ? rank == static_cast<long>(common.size()) : !full.contains(typed))
        continue;
      const OpDoc *doc = findOpDoc(full);
      json entry = completionItem(full.str(), 3, doc ? std::string(doc->summary) : "",
                                  doc ? std::string(doc->description.substr(0, 600)) : "");
      entry["sortText"] = llvm::formatv("{0}{1}", rank, full).str();
      items.push_back(std::move(entry));
    }
    std::sort(items.begin(), items.end(),
              [](const json &a, const json &b) { return a["sortText"] < b["sortText"]; });
    return {{"isIncomplete", incomplete}, {"items", items}};
    return {{"isIncomplete", false}, {"items", items}};
  }
  return {{"isIncomplete", false}, {"items", items}};
}

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

json openopt::lsp::irSemanticTokens(const TextDocument &text) {
  std::vector<int> data;
  int previousLine = 0, previousStart = 0;
  auto emit = [&](int line, size_t byteBegin, size_t byteEnd, SemanticTokenType type) {
    std::string_view lineText = text.line(line);
    int start = static_cast<int>(utf16Length(lineText.substr(0, byteBegin)));
    int length = static_cast<int>(utf16Length(lineText.substr(byteBegin, byteEnd - byteBegin)));
    data.insert(data.end(), {line - previousLine, line == previousLine ? start - previousStart : start, length,
                             static_cast<int>(type), 0});
    previousLine = line;
    previousStart = start;
  };
  static const std::set<std::string_view> builtinTypes = {
      "tensor", "memref", "vector", "index", "none", "f16", "bf16", "f32", "f64", "f8E4M3FN", "complex", "tuple"};
  for (size_t l = 0; l < text.lineCount(); ++l) {
    std::string_view line = text.line(l);
    bool opSeen = false;
    for (size_t i = 0; i < line.size();) {
      char c = line[i];
      if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
        emit(l, i, line.size(), SemanticTokenType::Comment);
        break;
      }
      if (c == '"') {
        size_t j = i + 1;
        while (j < line.size() && line[j] != '"')
          j += line[j] == '\\' ? 2 : 1;
        j = std::min(j + 1, line.size());
        emit(l, i, j, SemanticTokenType::String);
        i = j;
        continue;
      }
      if (c == '%' || c == '^' || c == '@' || c == '#' || c == '!') {
        size_t j = i + 1;
        while (j < line.size() && isNameChar(line[j]))
          ++j;
        if (j > i + 1) {
          SemanticTokenType type = c == '%'   ? SemanticTokenType::Variable
                                   : c == '^' ? SemanticTokenType::Label
                                   : c == '@' ? SemanticTokenType::Function
                                   : c == '#' ? SemanticTokenType::Namespace
                                              : SemanticTokenType::Type;
          emit(l, i, j, type);
        }
        i = j;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '-' && i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1])))) {
        size_t j = i + 1;
        while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '.'))
          ++j;
        bool partOfWord = i > 0 && (std::isalpha(static_cast<unsigned char>(line[i - 1])) || line[i - 1] == 'x');
        if (!partOfWord)
          emit(l, i, j, SemanticTokenType::Number);
        i = j;
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < line.size() && isNameChar(line[j]))
          ++j;
        std::string_view word = line.substr(i, j - i);
        bool integerType = word.size() > 1 && (word[0] == 'i' || word.starts_with("si") || word.starts_with("ui")) &&
                           std::all_of(word.begin() + (word[0] == 'i' ? 1 : 2), word.end(),
                                       [](char d) { return std::isdigit(static_cast<unsigned char>(d)); });
        if (!opSeen && word.find('.') != std::string_view::npos && word.back() != '.') {
          emit(l, i, j, SemanticTokenType::Operator);
          opSeen = true;
        } else if (builtinTypes.count(word) || integerType) {
          emit(l, i, j, SemanticTokenType::Type);
        }
        i = j;
        continue;
      }
      ++i;
    }
  }
  return {{"data", data}};
}

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

json openopt::lsp::irCodeLenses(const IrAnalysis &analysis, const std::string &uri) {
  json out = json::array();
  for (size_t l = 0; l < analysis.text->lineCount(); ++l) {
    std::string_view line = analysis.text->line(l);
    size_t func = line.find("func.func");
    size_t at = line.find('@');
    if (func == std::string_view::npos || at == std::string_view::npos || line.find("private") != std::string_view::npos)
      continue;
    size_t end = at + 1;
    while (end < line.size() && isNameChar(line[end]))
      ++end;
    std::string name(line.substr(at + 1, end - at - 1));
    Range range{analysis.text->positionOfByteColumn(l, at), analysis.text->positionOfByteColumn(l, end)};
    json arguments = json::array({{{"uri", uri}, {"function", name}}});
    for (auto [title, command] : {std::pair{"▶ Run", "openopt.run"}, std::pair{"Show graph", "openopt.showGraph"},
                                  std::pair{"Show passes", "openopt.showPasses"}})
      out.push_back({{"range", toJson(range)},
                     {"command", {{"title", title}, {"command", command}, {"arguments", arguments}}}});
  }
  return out;
}
