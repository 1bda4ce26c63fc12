//===- FunctionSplice.cpp - re-parse only the ops an edit touches ---------===//
#include "FunctionSplice.h"

#include "IrAnalysis.h"
#include "IrSplitter.h"
#include "ItemBuffer.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <map>
#include <set>

using namespace openopt::lsp;
using namespace mlir;

namespace {

constexpr int kMaxUsers = 256;

/// The lines of `text`, without their newlines (a final newline ends the
/// last line rather than starting an empty one).
std::vector<std::string_view> linesOf(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos)
      end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

bool isValueNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' || c == '-';
}

/// Calls `onName(name, offset)` for every `%name` outside strings and
/// comments (`%v#1` and `%v:2` give `%v`).
template <typename Fn> void scanValueNames(std::string_view text, Fn onName) {
  size_t nameEnd = 0;
  scanIrCode(
      text,
      [&](size_t i) {
        if (i < nameEnd || text[i] != '%')
          return;
        size_t end = i + 1;
        while (end < text.size() && isValueNameChar(text[end]))
          ++end;
        if (end > i + 1)
          onName(std::string(text.substr(i, end - i)), i);
        nameEnd = end;
      },
      [](size_t, size_t) {});
}

/// The `%name`s a line defines: `%a, %b:2 = …` at its start.
std::vector<std::string> definitionsOnLine(std::string_view line) {
  std::vector<std::string> names;
  size_t i = line.find_first_not_of(" \t");
  while (i != std::string_view::npos && i < line.size() && line[i] == '%') {
    size_t end = i + 1;
    while (end < line.size() && isValueNameChar(line[end]))
      ++end;
    names.emplace_back(line.substr(i, end - i));
    if (end < line.size() && line[end] == ':')
      for (++end; end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]));)
        ++end;
    i = line.find_first_not_of(" \t", end);
    if (i == std::string_view::npos)
      return {};
    if (line[i] == '=' && (i + 1 >= line.size() || line[i + 1] != '='))
      return names;
    if (line[i] != ',')
      return {};
    i = line.find_first_not_of(" \t", i + 1);
  }
  return {};
}

std::string nameAt(llvm::SMRange range) {
  llvm::StringRef text(range.Start.getPointer(), range.End.getPointer() - range.Start.getPointer());
  return text.take_until([](char c) { return c == ':' || c == '#'; }).str();
}

std::string printed(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// The names an op's lines use, other than those it defines.
std::vector<std::string> usesOf(const std::vector<std::string_view> &lines, int from, int to,
                                const std::vector<std::string> &defines) {
  std::set<std::string> names;
  for (int l = from; l < to && l < static_cast<int>(lines.size()); ++l)
    scanValueNames(lines[l], [&](std::string name, size_t) { names.insert(std::move(name)); });
  for (const std::string &d : defines)
    names.erase(d);
  return {names.begin(), names.end()};
}

} // namespace

std::shared_ptr<const FunctionIndex> openopt::lsp::indexFunction(const ItemResult &r, std::string_view itemText,
                                                                 const std::string &symbol) {
  if (!r.state || !r.module || r.recovered || r.crashed || !r.diagnostics.empty() || !r.inferredTypes.empty())
    return nullptr;
  func::FuncOp func;
  for (auto candidate : ModuleOp(r.module.get()).getBody()->getOps<func::FuncOp>())
    if (!candidate.isExternal() && "@" + candidate.getSymName().str() == symbol)
      func = candidate;
  if (!func || !func.getBody().hasOneBlock())
    return nullptr;
  Block &block = func.front();
  const AsmParserState &state = *r.state;
  auto index = std::make_shared<FunctionIndex>();
  index->itemText = std::string(itemText);
  index->declaration = r.declaration;
  {
    llvm::raw_string_ostream os(index->resultTypes);
    os << "(";
    llvm::interleaveComma(func.getResultTypes(), os);
    os << ")";
  }
  const AsmParserState::BlockDefinition *blockDef = state.getBlockDef(&block);
  if (!blockDef || blockDef->arguments.size() != block.getNumArguments())
    return nullptr;
  for (auto [argument, def] : llvm::zip(block.getArguments(), blockDef->arguments))
    index->values[nameAt(def.loc)] = {argument.getType(), -1};
  const AsmParserState::OperationDefinition *funcDef = state.getOpDef(func);
  if (!funcDef)
    return nullptr;
  auto closing = r.pointOf(llvm::SMLoc::getFromPointer(funcDef->scopeLoc.End.getPointer() - 1));
  if (!closing)
    return nullptr;
  index->closingLine = closing->line;

  for (Operation &op : block) {
    const AsmParserState::OperationDefinition *def = state.getOpDef(&op);
    auto at = def ? r.pointOf(def->loc.Start) : std::nullopt;
    if (!at)
      return nullptr;
    FunctionIndex::Op entry;
    entry.firstLine = at->line;
    entry.hasRegions = op.getNumRegions() > 0;
    for (const auto &group : def->resultGroups) {
      auto groupAt = r.pointOf(group.definition.loc.Start);
      if (!groupAt)
        return nullptr;
      entry.firstLine = std::min(entry.firstLine, groupAt->line);
      std::string name = nameAt(group.definition.loc);
      entry.defines.push_back(name);
      index->values[name] = {op.getNumResults() == 1 ? op.getResult(0).getType() : Type(),
                             static_cast<int>(index->ops.size())};
    }
    if (!index->ops.empty() && entry.firstLine <= index->ops.back().firstLine)
      return nullptr; // two ops on one line
    index->ops.push_back(std::move(entry));
  }
  if (index->ops.empty() || index->ops.front().firstLine <= 0 || index->ops.back().firstLine >= index->closingLine)
    return nullptr;
  std::vector<std::string_view> lines = linesOf(index->itemText);
  for (size_t k = 0; k < index->ops.size(); ++k) {
    int to = k + 1 < index->ops.size() ? index->ops[k + 1].firstLine : index->closingLine;
    index->ops[k].uses = usesOf(lines, index->ops[k].firstLine, to, index->ops[k].defines);
  }
  return index;
}

std::shared_ptr<ItemResult> openopt::lsp::spliceEdit(MLIRContext &context, const FunctionIndex &base,
                                                     std::shared_ptr<const FunctionIndex> baseRef,
                                                     std::string_view preamble, std::string_view itemText,
                                                     std::string_view declarations, const std::string &symbol) {
  std::vector<std::string_view> oldLines = linesOf(base.itemText), newLines = linesOf(itemText);
  size_t prefix = 0, suffix = 0;
  while (prefix < oldLines.size() && prefix < newLines.size() && oldLines[prefix] == newLines[prefix])
    ++prefix;
  while (suffix < oldLines.size() - prefix && suffix < newLines.size() - prefix &&
         oldLines[oldLines.size() - 1 - suffix] == newLines[newLines.size() - 1 - suffix])
    ++suffix;
  const int a = static_cast<int>(prefix), b = static_cast<int>(oldLines.size() - suffix);
  const int delta = static_cast<int>(newLines.size()) - static_cast<int>(oldLines.size());
  const std::vector<FunctionIndex::Op> &ops = base.ops;
  const int n = static_cast<int>(ops.size());
  // Edits of the signature, of what precedes the first op or of the closing
  // brace are not splices.
  if ((a == b && delta == 0) || a < ops.front().firstLine || b > base.closingLine)
    return nullptr;
  auto opAt = [&](int line) {
    auto it = std::upper_bound(ops.begin(), ops.end(), line,
                               [](int l, const FunctionIndex::Op &op) { return l < op.firstLine; });
    return static_cast<int>(it - ops.begin()) - 1;
  };
  auto endOf = [&](int k) { return k + 1 < n ? ops[k + 1].firstLine : base.closingLine; };
  int first, last;
  if (b > a) {
    first = opAt(a);
    last = opAt(b - 1);
  } else {
    first = last = opAt(a < base.closingLine ? a : a - 1);
  }
  const int regionBegin = ops[first].firstLine;
  const int newRegionEnd = endOf(last) + delta;
  if (newRegionEnd < regionBegin || last - first + 1 > std::max(64, n / 4))
    return nullptr;
  std::set<std::string> removed;
  for (int k = first; k <= last; ++k) {
    if (ops[k].hasRegions)
      return nullptr;
    removed.insert(ops[k].defines.begin(), ops[k].defines.end());
  }
  // The ops using what the edited ops defined: re-parsed and re-verified too.
  std::vector<int> users;
  for (int k = 0; k < n; ++k) {
    if (k >= first && k <= last)
      continue;
    if (std::any_of(ops[k].uses.begin(), ops[k].uses.end(), [&](const std::string &u) { return removed.count(u); })) {
      if (ops[k].hasRegions || users.size() >= static_cast<size_t>(kMaxUsers))
        return nullptr;
      users.push_back(k);
    }
  }

  // The fragment: the edited ops' new lines, then the users' lines, each
  // mapped back to its line in the item.
  std::string body;
  std::vector<int> lineMap;
  std::set<std::string> regionDefines, regionUses, userUses, definedHere;
  for (int l = regionBegin; l < newRegionEnd; ++l) {
    body.append(newLines[l]).push_back('\n');
    lineMap.push_back(l);
    for (std::string &name : definitionsOnLine(newLines[l]))
      regionDefines.insert(std::move(name));
    scanValueNames(newLines[l], [&](std::string name, size_t) { regionUses.insert(std::move(name)); });
  }
  const int regionLineCount = static_cast<int>(lineMap.size());
  definedHere = regionDefines;
  for (int k : users) {
    int shift = k > last ? delta : 0;
    for (int l = ops[k].firstLine + shift; l < endOf(k) + shift; ++l) {
      body.append(newLines[l]).push_back('\n');
      lineMap.push_back(l);
    }
    definedHere.insert(ops[k].defines.begin(), ops[k].defines.end());
    userUses.insert(ops[k].uses.begin(), ops[k].uses.end());
  }
  // A value the edited ops now define that is defined again further down:
  // the redefinition is reported there, outside the fragment.
  for (const std::string &name : regionDefines)
    if (auto it = base.values.find(name); it != base.values.end() && !removed.count(name) && it->second.definer > last)
      return nullptr;
  std::string arguments;
  std::set<std::string> referenced = regionUses;
  referenced.insert(userUses.begin(), userUses.end());
  for (const std::string &name : referenced) {
    // A value defined before the edited ops that they define again stays
    // an argument: the parser reports the redefinition.
    bool redefined = regionDefines.count(name) && !removed.count(name) && base.values.count(name);
    if ((definedHere.count(name) && !redefined) || removed.count(name))
      continue; // defined in the fragment, or gone (the parser reports the use)
    auto it = base.values.find(name);
    if (it == base.values.end())
      continue; // never defined: the parser reports it
    if (!it->second.type || (it->second.definer > last && regionUses.count(name)))
      return nullptr; // a multi-result op's value, or one defined further down
    if (!arguments.empty())
      arguments += ", ";
    arguments += name + ": " + printed(it->second.type);
  }
  // The fragment carries the function's name, so messages name it; a
  // fragment that calls the function itself is not spliced. Nesting the
  // parser cannot take is the whole function's to report.
  if (body.find(symbol) != std::string::npos || deepNestingOffset(body, kMaxNesting - 1) != std::string_view::npos)
    return nullptr;
  std::string fragment = "func.func " + symbol + "(" + arguments + ") -> " + base.resultTypes + " {\n" + body + "}\n";
  std::string trailer(declarations);
  auto sourceMgr = std::make_unique<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(makeItemBuffer(preamble, fragment, trailer), kItemBufferName),
      llvm::SMLoc());
  const int firstBodyLine = static_cast<int>(countLines(preamble)) + 2; // 1-based, after the signature

  std::vector<ItemDiagnostic> diagnostics;
  bool elsewhere = false;
  auto pointOf = [&](Location loc) -> std::optional<ItemDiagnostic::Point> {
    auto file = fileLocationOf(loc);
    if (!file)
      return std::nullopt;
    int line = static_cast<int>(file->getLine()) - firstBodyLine;
    if (line < 0 || line >= static_cast<int>(lineMap.size()))
      return std::nullopt;
    return ItemDiagnostic::Point{lineMap[line], file->getColumn() > 0 ? file->getColumn() - 1 : 0};
  };
  ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diagnostic) {
    auto at = pointOf(diagnostic.getLocation());
    if (!at) {
      elsewhere = true; // about the fragment's scaffolding: not the function's diagnostic
      return success();
    }
    ItemDiagnostic item{*at, severityOf(diagnostic.getSeverity()), diagnostic.str(), {}};
    for (mlir::Diagnostic &note : diagnostic.getNotes())
      if (auto noteAt = pointOf(note.getLocation()))
        item.notes.emplace_back(*noteAt, note.str());
    diagnostics.push_back(std::move(item));
    return success();
  });

  auto result = std::make_shared<ItemResult>();
  result->lineCount = static_cast<unsigned>(newLines.size());
  result->firstBufferLine = static_cast<unsigned>(countLines(preamble)) + 1;
  result->declaration = base.declaration;
  result->spliceBaseTried = true;
  result->spliceBase = baseRef; // an edit with errors leaves the base as it was
  result->deferredParse.reset(new ItemResult::DeferredParse{std::string(preamble), std::string(itemText),
                                                            std::string(declarations), symbol});
  auto withDiagnostics = [&]() -> std::shared_ptr<ItemResult> {
    if (elsewhere || diagnostics.empty())
      return nullptr;
    result->diagnostics = std::move(diagnostics);
    return result;
  };

  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
  AsmParserState state;
  ParserConfig config(&context, /*verifyAfterParse=*/false);
  bool parsed = false, crashed = false;
  llvm::CrashRecoveryContext recovery;
  crashed = !recovery.RunSafely(
      [&] { parsed = succeeded(parseAsmSourceFile(*sourceMgr, module->getBody(), config, &state)); });
  if (crashed)
    return nullptr; // the whole-function analysis reports it
  if (!parsed)
    return withDiagnostics();
  if (elsewhere)
    return nullptr;

  func::FuncOp fragmentFunc;
  for (auto func : module->getBody()->getOps<func::FuncOp>())
    if (!func.isExternal() && "@" + func.getSymName().str() == symbol)
      fragmentFunc = func;
  if (!fragmentFunc || !fragmentFunc.getBody().hasOneBlock())
    return nullptr;
  std::vector<Operation *> regionOps, userOps;
  std::vector<int> regionOpLines;
  for (Operation &op : fragmentFunc.front()) {
    const AsmParserState::OperationDefinition *def = state.getOpDef(&op);
    if (!def)
      return nullptr;
    int line = static_cast<int>(sourceMgr->getLineAndColumn(def->loc.Start).first) - firstBodyLine;
    for (const auto &group : def->resultGroups)
      line = std::min(line, static_cast<int>(sourceMgr->getLineAndColumn(group.definition.loc.Start).first) -
                                firstBodyLine);
    if (line < 0 || line >= static_cast<int>(lineMap.size()))
      return nullptr;
    if (line < regionLineCount) {
      if (!userOps.empty() || op.getNumRegions() > 0 || (!regionOpLines.empty() && line <= regionOpLines.back()))
        return nullptr;
      regionOps.push_back(&op);
      regionOpLines.push_back(line);
    } else {
      userOps.push_back(&op);
    }
  }
  if (userOps.size() != users.size())
    return nullptr;
  // The terminator stays last, and only there.
  const bool holdsTerminator = last == n - 1;
  if (holdsTerminator && regionOps.empty())
    return nullptr;
  for (size_t i = 0; i < regionOps.size(); ++i)
    if (regionOps[i]->hasTrait<OpTrait::IsTerminator>() != (holdsTerminator && i + 1 == regionOps.size()))
      return nullptr;

  std::map<std::string, Type> oldDefines, newDefines;
  for (int k = first; k <= last; ++k)
    for (const std::string &name : ops[k].defines)
      oldDefines[name] = base.values.lookup(name).type;
  std::vector<std::vector<std::string>> regionOpDefines;
  for (Operation *op : regionOps) {
    const AsmParserState::OperationDefinition *def = state.getOpDef(op);
    if (op->getNumResults() > 1)
      return nullptr;
    std::vector<std::string> names;
    for (const auto &group : def->resultGroups) {
      names.push_back(nameAt(group.definition.loc));
      newDefines[names.back()] = op->getResult(0).getType();
    }
    regionOpDefines.push_back(std::move(names));
  }

  // Verify what the edit touched, where it stands: each op (its verifier
  // sees the function's result types through `return`) and its symbol uses.
  // (A verifier that crashes is left to the whole function's analysis,
  // which reports it.)
  SymbolTableCollection symbolTables;
  if (!recovery.RunSafely([&] {
        for (const std::vector<Operation *> *list : {&regionOps, &userOps})
          for (Operation *op : *list) {
            // Dominance in the block, which verifying one op does not check
            // (an op using its own result, say).
            for (OpOperand &operand : op->getOpOperands())
              if (Operation *definer = operand.get().getDefiningOp();
                  definer && definer->getBlock() == op->getBlock() && !definer->isBeforeInBlock(op)) {
                op->emitError("operand #") << operand.getOperandNumber() << " does not dominate this use";
                break;
              }
            (void)mlir::verify(op);
            if (auto user = dyn_cast<SymbolUserOpInterface>(op))
              (void)user.verifySymbolUses(symbolTables);
          }
      }))
    return nullptr;
  if (elsewhere)
    return nullptr;
  if (!diagnostics.empty())
    return withDiagnostics();
  // A value gone or of another type: the rest of the function may verify
  // or infer differently. (A new value is used nowhere else yet.)
  for (const auto &[name, type] : oldDefines)
    if (auto it = newDefines.find(name); it == newDefines.end() || it->second != type)
      return nullptr;
  // Shape inference: an op whose inferred types differ from its written
  // ones would refine everything downstream.
  enum class Inferred { AsWritten, Refined, Failed } inferred = Inferred::AsWritten;
  if (!recovery.RunSafely([&] {
        for (Operation *op : regionOps) {
          auto inferable = dyn_cast<InferTypeOpInterface>(op);
          if (!inferable)
            continue;
          llvm::SmallVector<Type> types;
          if (failed(inferable.inferReturnTypes(op->getContext(), op->getLoc(), op->getOperands(),
                                                op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
                                                op->getRegions(), types))) {
            inferred = Inferred::Failed;
            return;
          }
          if (llvm::ArrayRef<Type>(types) != op->getResultTypes()) {
            inferred = Inferred::Refined;
            return;
          }
        }
      }))
    return nullptr;
  if (inferred == Inferred::Failed)
    return withDiagnostics();
  if (inferred == Inferred::Refined)
    return nullptr;
  if (elsewhere || !diagnostics.empty())
    return withDiagnostics();

  // A clean splice: the next edit is spliced into this text.
  auto next = std::make_shared<FunctionIndex>();
  next->itemText = std::string(itemText);
  next->closingLine = base.closingLine + delta;
  next->resultTypes = base.resultTypes;
  next->declaration = base.declaration;
  next->ops.reserve(ops.size() - (last - first + 1) + regionOps.size());
  next->ops.insert(next->ops.end(), ops.begin(), ops.begin() + first);
  for (size_t i = 0; i < regionOps.size(); ++i) {
    FunctionIndex::Op entry;
    entry.firstLine = regionBegin + regionOpLines[i];
    int to = i + 1 < regionOps.size() ? regionBegin + regionOpLines[i + 1] : newRegionEnd;
    entry.defines = regionOpDefines[i];
    entry.uses = usesOf(newLines, entry.firstLine, to, entry.defines);
    next->ops.push_back(std::move(entry));
  }
  for (int k = last + 1; k < n; ++k) {
    next->ops.push_back(ops[k]);
    next->ops.back().firstLine += delta;
  }
  if (next->ops.empty() || (first > 0 && !regionOps.empty() && next->ops[first].firstLine <= next->ops[first - 1].firstLine))
    return nullptr;
  const int shift = static_cast<int>(regionOps.size()) - (last - first + 1);
  for (const auto &entry : base.values) {
    if (removed.count(entry.getKey().str()))
      continue;
    FunctionIndex::Value value = entry.getValue();
    if (value.definer > last)
      value.definer += shift;
    next->values[entry.getKey()] = value;
  }
  for (size_t i = 0; i < regionOps.size(); ++i)
    for (const std::string &name : regionOpDefines[i])
      next->values[name] = {newDefines[name], first + static_cast<int>(i)};
  result->spliceBase = std::move(next);
  return result;
}
