//===- FunctionSplice.h - re-parse only the ops an edit touches -*- C++ -*-===//
//
// An edit inside one big function should not re-parse the function. From
// the last good (clean) parse of a single-block function we keep an index:
// each top-level op's first line, the values it defines and the names it
// uses, and every value's type. An edit then re-parses only the ops whose
// lines it touches, plus the ops that use what they defined, in a small
// fragment function whose arguments stand for the values they use from the
// rest; the new ops are verified there (with the function's result types,
// so `return` checks too) and their types inferred. When they define the
// same values with the same types the rest of the function cannot change:
// the fragment's diagnostics are the function's, and the index is updated
// by splicing the fragment's ops in place of the old ones.
//
// Anything the fragment cannot answer exactly falls back to parsing the
// whole function: an edit of the signature, a block label or the closing
// brace; ops with regions; values whose name or type changed while the
// fragment still parses; a use of a value defined further down; shape
// inference that would refine a type; too many ops.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_FUNCTIONSPLICE_H
#define OPENOPT_LSP_FUNCTIONSPLICE_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::lsp {

struct ItemResult;

/// A clean parse of a single-block function, by line.
struct FunctionIndex {
  struct Op {
    int firstLine = 0;                // item-relative; the op owns lines up to the next op's first line
    std::vector<std::string> defines; // `%name`s of its results
    std::vector<std::string> uses;    // `%name`s it refers to (not its own)
    bool hasRegions = false;
  };
  struct Value {
    mlir::Type type; // null for a result of a multi-result op (not spliced)
    int definer = -1; // index into `ops`; -1 for a function argument
  };
  std::string itemText; // the text this index describes
  int closingLine = 0;  // the line of the function's closing brace
  std::vector<Op> ops;
  llvm::StringMap<Value> values;
  std::string resultTypes; // "(t, …)" of the function
  std::string declaration; // the function's private declaration (calls to itself)
};

/// The index of a clean parse, or null when the item is not a clean,
/// single-block function whose types shape inference leaves as written.
std::shared_ptr<const FunctionIndex> indexFunction(const ItemResult &result, std::string_view itemText,
                                                   const std::string &symbol);

/// The result of `itemText` spliced into `base`, or null when the whole
/// function must be parsed. The result carries diagnostics only; a read
/// that needs the IR parses the whole item (ItemResult::deferredParse).
std::shared_ptr<ItemResult> spliceEdit(mlir::MLIRContext &context, const FunctionIndex &base,
                                       std::shared_ptr<const FunctionIndex> baseRef, std::string_view preamble,
                                       std::string_view itemText, std::string_view declarations,
                                       const std::string &symbol);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_FUNCTIONSPLICE_H
