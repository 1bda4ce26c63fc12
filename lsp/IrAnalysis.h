//===- IrAnalysis.h - one version of an .mlir document, analysed -*- C++ -*-===//
//
// Each top-level item (see IrSplitter.h) is parsed on its own, into its own
// module, with the file's aliases in front and private declarations of the
// other functions behind, so symbol uses still verify. An item whose text,
// aliases and visible declarations are unchanged keeps its previous result:
// an edit in one function re-parses, re-verifies and re-infers only it.
// Positions inside a result are relative to the item's first line, so
// results stay valid when lines above the item move.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_IRANALYSIS_H
#define OPENOPT_LSP_IRANALYSIS_H

#include "IrSplitter.h"
#include "Protocol.h"
#include "TextDocument.h"

#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::lsp {

struct FunctionIndex;

/// A diagnostic before it is placed: line relative to the item, byte column.
struct ItemDiagnostic {
  struct Point {
    int line = 0;
    size_t column = 0;
  };
  Point at;
  DiagnosticSeverity severity = DiagnosticSeverity::Error;
  std::string message;
  std::vector<std::pair<Point, std::string>> notes;
};

/// What parsing, verifying and inferring one item produced.
struct ItemResult {
  std::unique_ptr<llvm::SourceMgr> sourceMgr; // owns the parsed buffer
  unsigned firstBufferLine = 1; // 1-based buffer line of the item's first line
  unsigned lineCount = 0;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<mlir::AsmParserState> state; // null when parsing failed
  std::vector<ItemDiagnostic> diagnostics;
  /// Result types shape inference gives where they differ from the text's.
  llvm::DenseMap<mlir::Operation *, llvm::SmallVector<mlir::Type>> inferredTypes;
  /// The ONNX node name each op carried in `loc("…")`, before analysis
  /// replaced locations with positions in the text.
  llvm::DenseMap<mlir::Operation *, std::string> nodeNames;
  /// `func.func private @f(types) -> types` for a parsed function item.
  std::string declaration;
  bool crashed = false;
  /// The item did not parse; `state` and `module` come from a copy with
  /// the offending lines blanked and serve reads only.
  bool recovered = false;
  /// What recovery needs, kept until it has run (failed parses only).
  struct RecoveryInput {
    std::string preamble, itemText, declarations;
    int errorLine = 0;
  };
  std::unique_ptr<RecoveryInput> recoveryInput;
  /// The document version this result was computed for (recovery only
  /// touches results no published analysis shares yet).
  int analysedVersion = 0;
  /// Set when the diagnostics came from splicing an edit into the last
  /// good parse (FunctionSplice.h): `module` and `state` are empty until a
  /// read asks for them (completeForReads parses the whole item).
  struct DeferredParse {
    std::string preamble, itemText, declarations, symbol;
  };
  std::unique_ptr<DeferredParse> deferredParse;
  /// The last good parse, by line, that the next edit of this function is
  /// spliced into; built on first use (worker thread only).
  std::shared_ptr<const FunctionIndex> spliceBase;
  bool spliceBaseTried = false;

  /// Reads need a parse this result does not have yet.
  bool needsCompletion() const { return deferredParse || recoveryInput; }

  /// The item-relative line and byte column of a location in the buffer,
  /// or nullopt when it is outside the item (aliases, declarations).
  std::optional<ItemDiagnostic::Point> pointOf(llvm::SMLoc loc) const;
  /// The buffer location of an item-relative line and byte column.
  llvm::SMLoc locOf(int line, size_t column) const;
};

struct PlacedItem {
  IrItem item;
  std::string key; // hash of what the result was computed from
  std::shared_ptr<ItemResult> result; // shared with later versions once published
};

struct IrAnalysis {
  int version = 0;
  std::shared_ptr<const TextDocument> text;
  std::shared_ptr<mlir::MLIRContext> context; // keeps the IR alive
  std::vector<PlacedItem> items;
  std::vector<Diagnostic> diagnostics;
  unsigned itemsAnalysed = 0; // how many items this version re-analysed
  unsigned itemsSpliced = 0;  // how many of those only re-parsed the edited ops (FunctionSplice.h)

  /// The item holding a zero-based line, if any.
  const PlacedItem *itemAt(int line) const;
  Position positionOf(const PlacedItem &item, ItemDiagnostic::Point point) const;
  /// An SMRange of an item's buffer as an LSP range (nullopt outside the item).
  std::optional<Range> rangeOf(const PlacedItem &item, llvm::SMRange range) const;
  /// The buffer location of an LSP position inside `item`.
  llvm::SMLoc locOf(const PlacedItem &item, Position position) const;
};

/// Analyses `text`, reusing the results of `previous` (may be null) for
/// unchanged items. `superseded` is polled between items; when it returns
/// true the analysis stops and returns nullptr.
std::shared_ptr<IrAnalysis> analyzeIr(std::shared_ptr<const TextDocument> text, int version,
                                      std::shared_ptr<mlir::MLIRContext> context,
                                      const IrAnalysis *previous,
                                      const std::function<bool()> &superseded);

/// Whether every item of `analysis` has what reads need.
bool readyForReads(const IrAnalysis &analysis);

/// Gives the items of `analysis` what reads need: the whole-item parse of a
/// spliced edit, and for an item that did not parse a best-effort parse
/// (see ItemResult::recovered). Run lazily, when a read asks, after the
/// diagnostics are out. Returns false when `superseded` stopped it.
bool completeForReads(IrAnalysis &analysis, mlir::MLIRContext &context, const std::function<bool()> &superseded);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_IRANALYSIS_H
