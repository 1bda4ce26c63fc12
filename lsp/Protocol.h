//===- Protocol.h - the LSP 3.17 types this server speaks ------*- C++ -*-===//
//
// Messages are nlohmann::json, as in the daemon's API; this header holds the
// few structured types the features share and the error codes.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_PROTOCOL_H
#define OPENOPT_LSP_PROTOCOL_H

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string_view>
#include <string>

namespace openopt::lsp {

using json = nlohmann::json;

namespace error_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestFailed = -32803;
inline constexpr int kRequestCancelled = -32800;
inline constexpr int kContentModified = -32801;
} // namespace error_code

/// Thrown by a handler to answer its request with a JSON-RPC error.
struct RequestError : std::runtime_error {
  RequestError(int code, const std::string &message) : std::runtime_error(message), code(code) {}
  int code;
};

/// nlohmann::json recurses per nesting level: the offset where `text`'s
/// arrays and objects first nest deeper than `limit`, so hostile messages are
/// refused before parsing, or nullopt.
std::optional<size_t> jsonNestingExceeds(std::string_view text, int limit);

/// Zero-based line and UTF-16 character, as LSP counts them.
struct Position {
  int line = 0, character = 0;
  friend bool operator==(const Position &, const Position &) = default;
  friend auto operator<=>(const Position &, const Position &) = default;
};

struct Range {
  Position start, end;
  bool contains(Position p) const { return start <= p && p <= end; }
  friend bool operator==(const Range &, const Range &) = default;
};

inline json toJson(const Position &p) { return {{"line", p.line}, {"character", p.character}}; }
inline json toJson(const Range &r) { return {{"start", toJson(r.start)}, {"end", toJson(r.end)}}; }

/// Reads a Position; throws RequestError(InvalidParams) naming `where`.
Position positionFromJson(const json &value, const char *where);
Range rangeFromJson(const json &value, const char *where);

enum class DiagnosticSeverity { Error = 1, Warning = 2, Information = 3, Hint = 4 };

struct DiagnosticNote {
  Range range;
  std::string message;
};

struct Diagnostic {
  Range range;
  DiagnosticSeverity severity = DiagnosticSeverity::Error;
  std::string message;
  std::string source = "openopt";
  std::vector<DiagnosticNote> notes; // relatedInformation, in this document
};

json toJson(const Diagnostic &diagnostic, const std::string &uri);

// SemanticTokens legend: the indexes the encoded tokens use.
enum class SemanticTokenType : int {
  Function = 0, Variable, Parameter, Type, Keyword, Operator, Label, Namespace, Comment, String,
  Number, Property
};
json semanticTokensLegend();

} // namespace openopt::lsp

#endif // OPENOPT_LSP_PROTOCOL_H
