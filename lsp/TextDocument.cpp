//===- TextDocument.cpp - line index and UTF-16 positions -----------------===//
#include "TextDocument.h"

#include <algorithm>

using namespace openopt::lsp;

size_t openopt::lsp::utf16Length(std::string_view utf8) {
  size_t units = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    unsigned char c = utf8[i];
    if ((c & 0xC0) == 0x80)
      continue; // continuation byte
    units += c >= 0xF0 ? 2 : 1; // 4-byte sequences are surrogate pairs
  }
  return units;
}

void TextDocument::setText(std::string text) {
  content = std::move(text);
  lineStarts.assign(1, 0);
  for (size_t i = content.find('\n'); i != std::string::npos; i = content.find('\n', i + 1))
    lineStarts.push_back(i + 1);
}

std::string_view TextDocument::line(size_t index) const {
  if (index >= lineStarts.size())
    return {};
  size_t begin = lineStarts[index];
  size_t end = index + 1 < lineStarts.size() ? lineStarts[index + 1] - 1 : content.size();
  if (end > begin && content[end - 1] == '\r')
    --end;
  return std::string_view(content).substr(begin, end - begin);
}

size_t TextDocument::offsetOf(Position position) const {
  if (position.line < 0)
    return 0;
  if (static_cast<size_t>(position.line) >= lineStarts.size())
    return content.size();
  std::string_view text = line(position.line);
  size_t units = 0, byte = 0;
  while (byte < text.size() && units < static_cast<size_t>(position.character)) {
    unsigned char c = text[byte];
    size_t length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    units += length == 4 ? 2 : 1;
    byte += length;
  }
  return lineStarts[position.line] + std::min(byte, text.size());
}

Position TextDocument::positionOf(size_t offset) const {
  offset = std::min(offset, content.size());
  size_t lineIndex = std::upper_bound(lineStarts.begin(), lineStarts.end(), offset) - lineStarts.begin() - 1;
  return positionOfByteColumn(lineIndex, offset - lineStarts[lineIndex]);
}

Position TextDocument::positionOfByteColumn(size_t lineIndex, size_t byteColumn) const {
  if (lineIndex >= lineStarts.size())
    return {static_cast<int>(lineStarts.size() - 1), static_cast<int>(utf16Length(line(lineStarts.size() - 1)))};
  std::string_view text = line(lineIndex);
  return {static_cast<int>(lineIndex), static_cast<int>(utf16Length(text.substr(0, std::min(byteColumn, text.size()))))};
}

void TextDocument::replace(const Range &range, std::string_view newText) {
  size_t begin = offsetOf(range.start), end = std::max(begin, offsetOf(range.end));
  std::string updated;
  updated.reserve(content.size() - (end - begin) + newText.size());
  updated.append(content, 0, begin);
  updated.append(newText);
  updated.append(content, end, std::string::npos);
  setText(std::move(updated));
}
