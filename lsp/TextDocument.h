//===- TextDocument.h - an open document's text and its line index -*- C++ -*-===//
//
// LSP positions count UTF-16 code units; MLIR's count bytes. This class
// converts between the two and applies incremental edits.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_TEXTDOCUMENT_H
#define OPENOPT_LSP_TEXTDOCUMENT_H

#include "Protocol.h"

#include <string>
#include <string_view>
#include <vector>

namespace openopt::lsp {

class TextDocument {
public:
  explicit TextDocument(std::string text = "") { setText(std::move(text)); }

  const std::string &text() const { return content; }
  void setText(std::string text);
  /// Replaces `range` by `newText` (positions past the end are clamped, as
  /// LSP asks).
  void replace(const Range &range, std::string_view newText);

  size_t lineCount() const { return lineStarts.size(); }
  std::string_view line(size_t index) const;

  /// Byte offset of an LSP position, clamped to the document.
  size_t offsetOf(Position position) const;
  /// LSP position of a byte offset.
  Position positionOf(size_t offset) const;
  /// LSP position of a zero-based line and byte column.
  Position positionOfByteColumn(size_t line, size_t byteColumn) const;

private:
  std::string content;
  std::vector<size_t> lineStarts;
};

/// UTF-16 code units in `utf8`.
size_t utf16Length(std::string_view utf8);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_TEXTDOCUMENT_H
