//===- IrAnalysis.cpp - parse, verify and infer an .mlir document by item -===//
#include "IrAnalysis.h"
#include "FunctionSplice.h"
#include "ItemBuffer.h"

#include "openopt/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"

#include <set>

using namespace openopt::lsp;
using namespace mlir;

namespace {

constexpr const char *kBufferName = kItemBufferName;

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' || c == '-' ||
         c == '%' || c == '@' || c == '^' || c == '#' || c == '!';
}

std::string hex(uint64_t value) {
  char buffer[17];
  snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string hashOf(std::string_view text) { return hex(llvm::xxh3_64bits(llvm::StringRef(text.data(), text.size()))); }

/// `@name`s the item refers to, other than its own symbol.
std::set<std::string> referencedSymbols(std::string_view text, const std::string &own) {
  std::set<std::string> symbols;
  for (size_t i = text.find('@'); i != std::string_view::npos; i = text.find('@', i + 1)) {
    size_t end = i + 1;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '_' || text[end] == '.' || text[end] == '$' || text[end] == '-'))
      ++end;
    std::string symbol(text.substr(i, end - i));
    if (symbol.size() > 1 && symbol != own)
      symbols.insert(symbol);
  }
  return symbols;
}

std::string functionDeclaration(func::FuncOp func) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "func.func private @" << func.getSymName() << "(";
  llvm::interleaveComma(func.getArgumentTypes(), os);
  os << ") -> (";
  llvm::interleaveComma(func.getResultTypes(), os);
  os << ")";
  return text;
}

/// Reads in an item that does not parse still want its ops and values:
/// blank the line the parser stops at and parse again, a few times. The
/// result serves reads only; the diagnostics are those of the real text.
void recoverItem(MLIRContext &context, ItemResult &r, std::string_view preamble, std::string_view itemText,
                     std::string_view declarations, int errorLine, const std::function<bool()> &superseded) {
  std::string text(itemText);
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (superseded && superseded())
      return;
    if (errorLine < 0 || errorLine >= static_cast<int>(r.lineCount))
      return;
    size_t begin = 0;
    for (int line = 0; line < errorLine && begin != std::string::npos; ++line)
      begin = text.find('\n', begin) == std::string::npos ? std::string::npos : text.find('\n', begin) + 1;
    if (begin == std::string::npos)
      return;
    for (size_t i = begin; i < text.size() && text[i] != '\n'; ++i)
      text[i] = ' ';
    auto sourceMgr = std::make_unique<llvm::SourceMgr>();
    sourceMgr->AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(makeItemBuffer(preamble, text, declarations), kBufferName), llvm::SMLoc());
    errorLine = -1;
    ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diagnostic) {
      if (auto file = fileLocationOf(diagnostic.getLocation()); file && errorLine < 0)
        errorLine = static_cast<int>(file->getLine()) - static_cast<int>(r.firstBufferLine);
      return success();
    });
    OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
    auto state = std::make_unique<AsmParserState>();
    ParserConfig config(&context, /*verifyAfterParse=*/false);
    if (succeeded(parseAsmSourceFile(*sourceMgr, module->getBody(), config, state.get()))) {
      r.sourceMgr = std::move(sourceMgr);
      r.module = std::move(module);
      r.state = std::move(state);
      r.recovered = true;
      return;
    }
  }
}

/// Parses, verifies and shape-infers one buffer: `preamble`, the item, then
/// `declarations`.
std::shared_ptr<ItemResult> analyseItem(MLIRContext &context, std::string_view preamble,
                                        std::string_view itemText, std::string_view declarations,
                                        const std::string &ownSymbol) {
  auto result = std::make_shared<ItemResult>();
  std::string buffer = makeItemBuffer(preamble, itemText, declarations);
  result->firstBufferLine = countLines(preamble) + 1;
  result->lineCount = countLines(itemText);
  result->sourceMgr = std::make_unique<llvm::SourceMgr>();
  // getMemBufferCopy NUL-terminates: MLIR's lexer reads up to the NUL.
  result->sourceMgr->AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(buffer, kBufferName),
                                        llvm::SMLoc());
  ItemResult &r = *result;

  auto record = [&](mlir::Diagnostic &diagnostic) {
    auto pointOf = [&](Location loc) -> std::optional<ItemDiagnostic::Point> {
      auto file = fileLocationOf(loc);
      if (!file)
        return ItemDiagnostic::Point{0, 0}; // nowhere in the text: the item's start
      int line = static_cast<int>(file->getLine()) - static_cast<int>(r.firstBufferLine);
      if (line < 0 || line >= static_cast<int>(r.lineCount))
        return std::nullopt; // in the aliases or declarations: reported there
      return ItemDiagnostic::Point{line, file->getColumn() > 0 ? file->getColumn() - 1 : 0};
    };
    auto at = pointOf(diagnostic.getLocation());
    if (!at)
      return;
    ItemDiagnostic item{*at, severityOf(diagnostic.getSeverity()), diagnostic.str(), {}};
    for (mlir::Diagnostic &note : diagnostic.getNotes())
      if (auto noteAt = pointOf(note.getLocation()))
        item.notes.emplace_back(*noteAt, note.str());
    r.diagnostics.push_back(std::move(item));
  };
  ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diagnostic) {
    record(diagnostic);
    return success();
  });

  OpBuilder builder(&context);
  r.module = ModuleOp::create(builder.getUnknownLoc());
  auto state = std::make_unique<AsmParserState>();
  ParserConfig config(&context, /*verifyAfterParse=*/false);
  bool parsed = false;
  llvm::CrashRecoveryContext recovery;
  bool survived = recovery.RunSafely([&] {
    if (failed(parseAsmSourceFile(*r.sourceMgr, r.module->getBody(), config, state.get())))
      return;
    parsed = true;
    // Give every op its position in this text, keeping an ONNX name, so
    // verifier errors land on the op even when the text carries loc(...).
    for (const AsmParserState::OperationDefinition &def : state->getOpDefs()) {
      auto lineCol = r.sourceMgr->getLineAndColumn(def.loc.Start);
      Location position = FileLineColLoc::get(&context, kBufferName, lineCol.first, lineCol.second);
      if (auto name = dyn_cast<NameLoc>(def.op->getLoc())) {
        r.nodeNames[def.op] = name.getName().str();
        position = NameLoc::get(name.getName(), position);
      }
      def.op->setLoc(position);
    }
    if (failed(verify(*r.module)))
      return;
    // Shape inference on a copy: its errors are diagnostics, its refined
    // types become inlay hints; the text's IR stays as written.
    for (auto func : r.module->getBody()->getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      OwningOpRef<ModuleOp> scratch = ModuleOp::create(builder.getUnknownLoc());
      auto copy = cast<func::FuncOp>(func->clone());
      scratch->getBody()->push_back(copy);
      if (failed(openopt::refineShapes(copy)))
        continue;
      llvm::SmallVector<Operation *> original, refined;
      func.walk([&](Operation *op) { original.push_back(op); });
      copy.walk([&](Operation *op) { refined.push_back(op); });
      for (size_t i = 0; i < original.size() && i < refined.size(); ++i)
        if (original[i]->getResultTypes() != refined[i]->getResultTypes())
          r.inferredTypes[original[i]] = llvm::to_vector(refined[i]->getResultTypes());
    }
  });
  if (!survived) {
    r.crashed = true;
    r.diagnostics.push_back({{0, 0}, openopt::lsp::DiagnosticSeverity::Error,
                             "the analysis crashed on this item; it is skipped until it changes "
                             "(please report the IR)", {}});
  }
  if (parsed && survived) {
    r.state = std::move(state);
    // The declarations behind the item never declare its own symbol.
    for (auto func : r.module->getBody()->getOps<func::FuncOp>())
      if ("@" + func.getSymName().str() == ownSymbol && r.declaration.empty())
        r.declaration = functionDeclaration(func);
  } else {
    // A failed parse leaves half-built IR; keep only the diagnostics.
    state.reset();
    r.inferredTypes.clear();
    r.nodeNames.clear();
    if (survived && !r.diagnostics.empty())
      r.recoveryInput.reset(new ItemResult::RecoveryInput{std::string(preamble), std::string(itemText),
                                                         std::string(declarations), r.diagnostics.front().at.line});
  }
  return result;
}

} // namespace

std::optional<ItemDiagnostic::Point> ItemResult::pointOf(llvm::SMLoc loc) const {
  if (!loc.isValid() || !sourceMgr->FindBufferContainingLoc(loc))
    return std::nullopt;
  auto [line, column] = sourceMgr->getLineAndColumn(loc);
  int relative = static_cast<int>(line) - static_cast<int>(firstBufferLine);
  if (relative < 0 || relative >= static_cast<int>(lineCount))
    return std::nullopt;
  return ItemDiagnostic::Point{relative, column - 1};
}

llvm::SMLoc ItemResult::locOf(int line, size_t column) const {
  return sourceMgr->FindLocForLineAndColumn(1, line + firstBufferLine, column + 1);
}

const PlacedItem *IrAnalysis::itemAt(int line) const {
  for (const PlacedItem &placed : items) {
    int first = static_cast<int>(placed.item.firstLine);
    if (line >= first && line < first + static_cast<int>(placed.result->lineCount))
      return &placed;
  }
  return nullptr;
}

Position IrAnalysis::positionOf(const PlacedItem &item, ItemDiagnostic::Point point) const {
  return text->positionOfByteColumn(item.item.firstLine + point.line, point.column);
}

std::optional<Range> IrAnalysis::rangeOf(const PlacedItem &item, llvm::SMRange range) const {
  auto start = item.result->pointOf(range.Start);
  auto end = item.result->pointOf(range.End);
  if (!start)
    return std::nullopt;
  if (!end)
    end = start;
  return Range{positionOf(item, *start), positionOf(item, *end)};
}

llvm::SMLoc IrAnalysis::locOf(const PlacedItem &item, Position position) const {
  size_t offset = text->offsetOf(position);
  size_t lineStart = text->offsetOf({position.line, 0});
  return item.result->locOf(position.line - static_cast<int>(item.item.firstLine), offset - lineStart);
}

namespace {

/// An item nested too deeply to parse: its diagnostic, and nothing else.
std::shared_ptr<ItemResult> tooDeep(std::string_view itemText, size_t at) {
  auto result = std::make_shared<ItemResult>();
  result->lineCount = countLines(itemText);
  result->sourceMgr = std::make_unique<llvm::SourceMgr>();
  size_t lineStart = itemText.rfind('\n', at == 0 ? 0 : at - 1);
  lineStart = lineStart == std::string_view::npos || at == 0 ? 0 : lineStart + 1;
  int line = static_cast<int>(std::count(itemText.begin(), itemText.begin() + lineStart, '\n'));
  result->diagnostics.push_back({{line, at - lineStart}, openopt::lsp::DiagnosticSeverity::Error,
                                 "the IR nests deeper than " + std::to_string(kMaxNesting) +
                                     " levels here; this item is not analysed",
                                 {}});
  return result;
}

/// The last good parse of `before`'s function to splice an edit into, when
/// the edit kept the item's aliases and visible declarations (the key's
/// first and last parts).
std::shared_ptr<const FunctionIndex> spliceBaseOf(const IrAnalysis &previous, const PlacedItem &before,
                                                  const std::string &key) {
  constexpr size_t part = 16;
  if (before.key.size() != 3 * part || key.size() != 3 * part || before.key.compare(0, part, key, 0, part) != 0 ||
      before.key.compare(2 * part, part, key, 2 * part, part) != 0)
    return nullptr;
  ItemResult &result = *before.result;
  if (!result.spliceBaseTried) {
    result.spliceBaseTried = true;
    std::string_view text =
        std::string_view(previous.text->text()).substr(before.item.begin, before.item.end - before.item.begin);
    result.spliceBase = indexFunction(result, text, before.item.symbol);
  }
  return result.spliceBase;
}

} // namespace

std::shared_ptr<IrAnalysis> openopt::lsp::analyzeIr(std::shared_ptr<const TextDocument> text,
                                                    int version,
                                                    std::shared_ptr<MLIRContext> context,
                                                    const IrAnalysis *previous,
                                                    const std::function<bool()> &superseded) {
  auto analysis = std::make_shared<IrAnalysis>();
  analysis->version = version;
  analysis->text = text;
  analysis->context = context;
  std::string_view source = text->text();
  std::vector<IrItem> items = splitTopLevel(source);
  bool split = items.size() > 1;

  std::string preamble;
  if (split)
    for (const IrItem &item : items)
      if (item.isAlias) {
        preamble.append(source.substr(item.begin, item.end - item.begin));
        if (preamble.back() != '\n')
          preamble += '\n';
      }
  std::string preambleHash = hashOf(preamble);

  std::map<std::string, std::shared_ptr<ItemResult>> reusable;
  std::map<std::string, std::string> declarations; // symbol -> declaration
  std::map<std::string, const PlacedItem *> previousBySymbol;
  if (previous)
    for (const PlacedItem &placed : previous->items) {
      reusable[placed.key] = placed.result;
      if (!placed.item.symbol.empty())
        previousBySymbol[placed.item.symbol] = &placed;
      if (!placed.item.symbol.empty() && !placed.result->declaration.empty())
        declarations[placed.item.symbol] = placed.result->declaration;
    }

  std::vector<std::set<std::string>> references(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    if (split && !items[i].isAlias)
      references[i] = referencedSymbols(source.substr(items[i].begin, items[i].end - items[i].begin),
                                        items[i].symbol);

  std::vector<PlacedItem> placed(items.size());
  // A second round re-analyses the items whose callees' declarations the
  // first round changed (new or edited signatures).
  for (int round = 0; round < 3; ++round) {
    bool changed = false;
    for (size_t i = 0; i < items.size(); ++i) {
      const IrItem &item = items[i];
      std::string_view itemText = source.substr(item.begin, item.end - item.begin);
      std::string visible;
      if (split && !item.isAlias)
        for (const std::string &symbol : references[i])
          if (auto it = declarations.find(symbol); it != declarations.end())
            visible.append(it->second).append("\n");
      std::string key = item.isAlias ? "alias:" + hashOf(itemText)
                                     : preambleHash + hashOf(itemText) + hashOf(visible);
      if (placed[i].key == key)
        continue;
      placed[i].item = item;
      placed[i].key = key;
      if (auto it = reusable.find(key); it != reusable.end()) {
        placed[i].result = it->second;
        continue;
      }
      if (superseded && superseded())
        return nullptr;
      std::string_view itemPreamble = item.isAlias || !split ? "" : std::string_view(preamble);
      placed[i].result = nullptr;
      // MLIR's parser recurses per nesting level: refuse what would exhaust
      // the stack rather than crash.
      if (size_t at = deepNestingOffset(itemText, kMaxNesting); at != std::string_view::npos)
        placed[i].result = tooDeep(itemText, at);
      if (!placed[i].result && !item.isAlias && !item.symbol.empty())
        if (auto it = previousBySymbol.find(item.symbol); it != previousBySymbol.end())
          if (auto base = spliceBaseOf(*previous, *it->second, key)) {
            placed[i].result = spliceEdit(*context, *base, base, itemPreamble, itemText, visible, item.symbol);
            analysis->itemsSpliced += placed[i].result != nullptr;
          }
      if (!placed[i].result)
        placed[i].result = analyseItem(*context, itemPreamble, itemText, visible, item.symbol);
      placed[i].result->analysedVersion = version;
      reusable[key] = placed[i].result;
      ++analysis->itemsAnalysed;
      changed = true;
    }
    std::map<std::string, std::string> next = declarations;
    for (const PlacedItem &p : placed)
      if (!p.item.symbol.empty() && !p.result->declaration.empty())
        next[p.item.symbol] = p.result->declaration;
    if (!changed || next == declarations)
      break;
    declarations = std::move(next);
  }
  analysis->items = std::move(placed);

  // Diagnostics in document coordinates, with the offending token's range.
  auto tokenRange = [&](const PlacedItem &p, ItemDiagnostic::Point point) {
    size_t lineIndex = p.item.firstLine + point.line;
    std::string_view line = text->line(lineIndex);
    size_t end = std::min(point.column, line.size());
    if (end < line.size() && line[end] == '"') { // a quoted op name or string
      size_t close = line.find('"', end + 1);
      end = close == std::string_view::npos ? line.size() : close + 1;
    }
    while (end < line.size() && isTokenChar(line[end]))
      ++end;
    if (end == point.column && end < line.size())
      ++end;
    return Range{text->positionOfByteColumn(lineIndex, point.column),
                 text->positionOfByteColumn(lineIndex, end)};
  };
  std::map<std::string, const PlacedItem *> symbols;
  for (const PlacedItem &p : analysis->items) {
    for (const ItemDiagnostic &d : p.result->diagnostics) {
      Diagnostic out{tokenRange(p, d.at), d.severity, d.message, "openopt", {}};
      for (const auto &[at, message] : d.notes)
        out.notes.push_back({tokenRange(p, at), message});
      analysis->diagnostics.push_back(std::move(out));
    }
    if (p.item.symbol.empty())
      continue;
    auto [it, inserted] = symbols.emplace(p.item.symbol, &p);
    if (!inserted) {
      size_t column = text->line(p.item.firstLine).find(p.item.symbol);
      Diagnostic out{tokenRange(p, {0, column == std::string_view::npos ? 0 : column}),
                     openopt::lsp::DiagnosticSeverity::Error, "redefinition of symbol named '" + p.item.symbol.substr(1) + "'",
                     "openopt", {}};
      out.notes.push_back({tokenRange(*it->second, {0, 0}), "see existing symbol definition here"});
      analysis->diagnostics.push_back(std::move(out));
    }
  }
  return analysis;
}

bool openopt::lsp::readyForReads(const IrAnalysis &analysis) {
  return std::none_of(analysis.items.begin(), analysis.items.end(),
                      [](const PlacedItem &placed) { return placed.result->needsCompletion(); });
}

bool openopt::lsp::completeForReads(IrAnalysis &analysis, MLIRContext &context,
                                    const std::function<bool()> &superseded) {
  for (PlacedItem &placed : analysis.items) {
    ItemResult &r = *placed.result;
    if (r.deferredParse) {
      if (superseded && superseded())
        return false;
      // The published diagnostics came from the splice; reads get the whole
      // item's parse, its inferred types and ONNX names.
      auto input = std::move(r.deferredParse);
      auto whole = analyseItem(context, input->preamble, input->itemText, input->declarations, input->symbol);
      r.sourceMgr = std::move(whole->sourceMgr);
      r.firstBufferLine = whole->firstBufferLine;
      r.lineCount = whole->lineCount;
      r.module = std::move(whole->module);
      r.state = std::move(whole->state);
      r.inferredTypes = std::move(whole->inferredTypes);
      r.nodeNames = std::move(whole->nodeNames);
      r.crashed = whole->crashed;
      r.recoveryInput = std::move(whole->recoveryInput);
      if (!whole->declaration.empty())
        r.declaration = whole->declaration;
    }
    if (r.recoveryInput) {
      if (superseded && superseded())
        return false;
      auto input = std::move(r.recoveryInput);
      recoverItem(context, r, input->preamble, input->itemText, input->declarations, input->errorLine,
                  superseded);
    }
  }
  return true;
}
