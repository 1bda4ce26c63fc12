//===- Protocol.cpp - LSP types to and from JSON --------------------------===//
#include "Protocol.h"

using namespace openopt::lsp;

Position openopt::lsp::positionFromJson(const json &value, const char *where) {
  if (!value.is_object() || !value.contains("line") || !value.contains("character") ||
      !value["line"].is_number_integer() || !value["character"].is_number_integer())
    throw RequestError(error_code::kInvalidParams,
                       std::string(where) + ": expected {line, character} with integers");
  int64_t line = value["line"].get<int64_t>(), character = value["character"].get<int64_t>();
  if (line < 0 || character < 0 || line > INT32_MAX || character > INT32_MAX)
    throw RequestError(error_code::kInvalidParams,
                       std::string(where) + ": line and character must be in [0, 2^31)");
  return {static_cast<int>(line), static_cast<int>(character)};
}

Range openopt::lsp::rangeFromJson(const json &value, const char *where) {
  if (!value.is_object() || !value.contains("start") || !value.contains("end"))
    throw RequestError(error_code::kInvalidParams, std::string(where) + ": expected {start, end}");
  Range range{positionFromJson(value["start"], where), positionFromJson(value["end"], where)};
  if (range.end < range.start)
    throw RequestError(error_code::kInvalidParams, std::string(where) + ": end is before start");
  return range;
}

json openopt::lsp::toJson(const Diagnostic &diagnostic, const std::string &uri) {
  json out = {{"range", toJson(diagnostic.range)},
              {"severity", static_cast<int>(diagnostic.severity)},
              {"source", diagnostic.source},
              {"message", diagnostic.message}};
  if (!diagnostic.notes.empty()) {
    json related = json::array();
    for (const DiagnosticNote &note : diagnostic.notes)
      related.push_back({{"location", {{"uri", uri}, {"range", toJson(note.range)}}},
                         {"message", note.message}});
    out["relatedInformation"] = std::move(related);
  }
  return out;
}

json openopt::lsp::semanticTokensLegend() {
  return {{"tokenTypes",
           {"function", "variable", "parameter", "type", "keyword", "operator", "label",
            "namespace", "comment", "string", "number", "property"}},
          {"tokenModifiers", {"declaration"}}};
}

std::optional<size_t> openopt::lsp::jsonNestingExceeds(std::string_view text, int limit) {
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}
