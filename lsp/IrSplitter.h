//===- IrSplitter.h - an .mlir text cut into its top-level items -*- C++ -*-===//
//
// Per-function re-analysis needs the top-level items (functions, aliases,
// globals) of a file without parsing it, since the point is not to parse
// all of it. A lexical scan (strings, comments, brace depth) finds them,
// inside a single `module {…}` too. Files it cannot cut safely (top-level
// SSA values, unbalanced braces) are analysed whole.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_IRSPLITTER_H
#define OPENOPT_LSP_IRSPLITTER_H

#include <string>
#include <string_view>
#include <vector>

namespace openopt::lsp {

struct IrItem {
  size_t begin = 0, end = 0; // byte offsets; `end` is past the item's last line
  size_t firstLine = 0;      // zero-based line of `begin`
  bool isAlias = false;      // `#name = …` or `!name = …`
  std::string symbol;        // `@name` of a func.func, else empty
};

/// The items of `text` in order, or a single item covering the whole text
/// when it cannot be cut.
std::vector<IrItem> splitTopLevel(std::string_view text);

/// Calls `onCode(offset)` for every character outside strings and comments,
/// and `onComment(begin, end)` for every `//` comment.
template <typename CodeFn, typename CommentFn>
void scanIrCode(std::string_view text, CodeFn onCode, CommentFn onComment) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      size_t end = text.find('\n', i);
      end = end == std::string_view::npos ? text.size() : end;
      onComment(i, end);
      i = end;
    } else {
      onCode(i);
    }
  }
}

/// Calls `onBrace(offset, open)` for every `{`/`}` outside strings and
/// comments, and `onComment(begin, end)` for every `//` comment.
template <typename BraceFn, typename CommentFn>
void scanIr(std::string_view text, BraceFn onBrace, CommentFn onComment) {
  scanIrCode(
      text,
      [&](size_t i) {
        if (text[i] == '{' || text[i] == '}')
          onBrace(i, text[i] == '{');
      },
      onComment);
}

} // namespace openopt::lsp

#endif // OPENOPT_LSP_IRSPLITTER_H
