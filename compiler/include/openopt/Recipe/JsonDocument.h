//===- JsonDocument.h - JSON with comments, and where each value is --*- C++ -*-===//
//
// Recipes are written by hand, so they may carry `//` and `/* */` comments and
// trailing commas (as VS Code's "JSON with Comments" allows), and every error
// about them must point at a line and column. llvm::json keeps neither, so
// this parser builds an llvm::json::Value together with the source position
// of every value and member key, indexed by JSON pointer (RFC 6901).
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RECIPE_JSONDOCUMENT_H
#define OPENOPT_RECIPE_JSONDOCUMENT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <optional>
#include <string>

namespace openopt {

/// 1-based line and column (columns count bytes).
struct SourcePosition {
  unsigned line = 1, column = 1;
};

struct JsonDocument {
  llvm::json::Value root = nullptr;
  /// Where the value at each JSON pointer starts ("" is the root).
  std::map<std::string, SourcePosition> valuePositions;
  /// Where the key of each object member starts, by the member's pointer.
  std::map<std::string, SourcePosition> keyPositions;

  /// The value's position; for a pointer that names no value (a missing
  /// member), the closest enclosing value's.
  SourcePosition positionOf(llvm::StringRef pointer) const;
  /// The member key's position, else positionOf(pointer).
  SourcePosition keyPositionOf(llvm::StringRef pointer) const;
};

struct JsonSyntaxError {
  SourcePosition position;
  std::string message;
};

/// Parses `text`; on a syntax error returns it with its position.
std::optional<JsonDocument> parseJsonWithComments(llvm::StringRef text, JsonSyntaxError &error);

/// `token` escaped for use as one JSON pointer segment ('~' -> "~0", '/' -> "~1").
std::string escapeJsonPointerToken(llvm::StringRef token);

} // namespace openopt

#endif // OPENOPT_RECIPE_JSONDOCUMENT_H
