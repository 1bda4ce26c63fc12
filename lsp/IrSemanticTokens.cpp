//===- IrSemanticTokens.cpp - semantic tokens from the text --------------===//
#include "IrEntity.h"
#include "IrFeatures.h"

#include <regex>

using namespace openopt::lsp;
using namespace mlir;

json openopt::lsp::irSemanticTokens(const TextDocument &text) {
  std::vector<int> data;
  int previousLine = 0, previousStart = 0;
  auto emit = [&](int line, size_t byteBegin, size_t byteEnd, SemanticTokenType type) {
    std::string_view lineText = text.line(line);
    int start = static_cast<int>(utf16Length(lineText.substr(0, byteBegin)));
    int length = static_cast<int>(utf16Length(lineText.substr(byteBegin, byteEnd - byteBegin)));
    data.insert(data.end(), {line - previousLine, line == previousLine ? start - previousStart : start, length,
                             static_cast<int>(type), 0});
    previousLine = line;
    previousStart = start;
  };
  static const std::set<std::string_view> builtinTypes = {
      "tensor", "memref", "vector", "index", "none", "f16", "bf16", "f32", "f64", "f8E4M3FN", "complex", "tuple"};
  for (size_t l = 0; l < text.lineCount(); ++l) {
    std::string_view line = text.line(l);
    bool opSeen = false;
    for (size_t i = 0; i < line.size();) {
      char c = line[i];
      if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
        emit(l, i, line.size(), SemanticTokenType::Comment);
        break;
      }
      if (c == '"') {
        size_t j = i + 1;
        while (j < line.size() && line[j] != '"')
          j += line[j] == '\\' ? 2 : 1;
        j = std::min(j + 1, line.size());
        emit(l, i, j, SemanticTokenType::String);
        i = j;
        continue;
      }
      if (c == '%' || c == '^' || c == '@' || c == '#' || c == '!') {
        size_t j = i + 1;
        while (j < line.size() && isNameChar(line[j]))
          ++j;
        if (j > i + 1) {
          SemanticTokenType type = c == '%'   ? SemanticTokenType::Variable
                                   : c == '^' ? SemanticTokenType::Label
                                   : c == '@' ? SemanticTokenType::Function
                                   : c == '#' ? SemanticTokenType::Namespace
                                              : SemanticTokenType::Type;
          emit(l, i, j, type);
        }
        i = j;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '-' && i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1])))) {
        size_t j = i + 1;
        while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '.'))
          ++j;
        bool partOfWord = i > 0 && (std::isalpha(static_cast<unsigned char>(line[i - 1])) || line[i - 1] == 'x');
        if (!partOfWord)
          emit(l, i, j, SemanticTokenType::Number);
        i = j;
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = i;
        while (j < line.size() && isNameChar(line[j]))
          ++j;
        std::string_view word = line.substr(i, j - i);
        bool integerType = word.size() > 1 && (word[0] == 'i' || word.starts_with("si") || word.starts_with("ui")) &&
                           std::all_of(word.begin() + (word[0] == 'i' ? 1 : 2), word.end(),
                                       [](char d) { return std::isdigit(static_cast<unsigned char>(d)); });
        if (!opSeen && word.find('.') != std::string_view::npos && word.back() != '.') {
          emit(l, i, j, SemanticTokenType::Operator);
          opSeen = true;
        } else if (builtinTypes.count(word) || integerType) {
          emit(l, i, j, SemanticTokenType::Type);
        }
        i = j;
        continue;
      }
      ++i;
    }
  }
  return {{"data", data}};
}
