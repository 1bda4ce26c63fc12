//===- IrCompletion.cpp - completion of values, blocks, symbols, ops, attributes ---===//
#include "IrEntity.h"
#include "IrFeatures.h"

#include "OdsDocs.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/FormatVariadic.h"

#include <regex>
#include <set>

using namespace openopt::lsp;
using namespace mlir;

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
