//===- IrEntity.h - what the cursor is on in an .mlir document --*- C++ -*-===//
//
// Shared by the IR features (hover, navigation, rename, completion, hints):
// name characters, printed types, the entity at a position, and the ranges
// where a value, block or symbol is defined and used.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_IRENTITY_H
#define OPENOPT_LSP_IRENTITY_H

#include "IrAnalysis.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace openopt::lsp {

bool isNameChar(char c);
bool contains(llvm::SMRange range, const char *at);
std::string printed(mlir::Type type);

template <typename Range>
std::string printedTypes(Range &&types) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(types, os, [&](mlir::Type t) { t.print(os); });
  return text;
}

/// 1234567 -> "1,234,567".
std::string withThousands(int64_t value);
/// 1.5e9, "FLOP" -> "1.50 GFLOP".
std::string scaled(double value, const char *unit);

/// What the cursor is on.
struct Entity {
  enum Kind { None, Op, Result, BlockLabel, BlockArgument, Symbol } kind = None;
  const PlacedItem *item = nullptr;
  const mlir::AsmParserState::OperationDefinition *op = nullptr;
  const mlir::AsmParserState::SMDefinition *definition = nullptr;
  const mlir::AsmParserState::BlockDefinition *block = nullptr;
  mlir::Value value;
  llvm::SMRange hit;
  std::string symbol; // for Symbol, with its '@'
};

/// The `@name` token at `position` in the current text, if any.
std::string symbolAt(const TextDocument &text, Position position);
Entity entityAt(const IrAnalysis &analysis, Position position);

json location(const std::string &uri, const Range &range);
/// Every `@name` token equal to `symbol` in the text, as ranges.
std::vector<Range> symbolOccurrences(const TextDocument &text, const std::string &symbol);
/// Where `symbol` is defined: its token in a `func.func …@name(` header.
std::optional<Range> symbolDefinition(const IrAnalysis &analysis, const std::string &symbol);
/// The name token inside a def/use range (`%x` of `%x#1` or `%x:2`).
Range nameRange(const IrAnalysis &analysis, const PlacedItem &item, llvm::SMRange range);
/// Where the entity is used, and defined with `withDefinition`.
std::vector<Range> entityRanges(const IrAnalysis &analysis, const Entity &entity,
                                bool withDefinition);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_IRENTITY_H
