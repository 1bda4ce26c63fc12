//===- IrSplitter.cpp - top-level items of an .mlir text ------------------===//
#include "IrSplitter.h"

#include <cctype>

using namespace openopt::lsp;

namespace {

struct Line {
  size_t begin, end;  // [begin, end) without the newline
  int depthBefore;    // brace depth at the start of the line
  int depthAfter;
  std::string_view firstToken; // first non-blank, non-comment text
};

bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' || c == '-'; }

/// Lines with their brace depths, or empty when braces do not balance.
std::vector<Line> scanLines(std::string_view text) {
  // Where the braces are, in order (a few per line: cheaper than a
  // depth per byte on every edit of a large file).
  std::vector<std::pair<size_t, int>> braces;
  int depth = 0;
  bool balanced = true;
  scanIr(
      text,
      [&](size_t offset, bool open) {
        braces.emplace_back(offset, open ? 1 : -1);
        depth += open ? 1 : -1;
        if (depth < 0)
          balanced = false;
      },
      [](size_t, size_t) {});
  if (!balanced || depth != 0)
    return {};
  std::vector<Line> lines;
  int running = 0;
  size_t begin = 0, brace = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos)
      end = text.size();
    Line line{begin, end, running, running, {}};
    for (; brace < braces.size() && braces[brace].first < end; ++brace)
      running += braces[brace].second;
    line.depthAfter = running;
    std::string_view content = text.substr(begin, end - begin);
    size_t first = content.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && !content.substr(first).starts_with("//"))
      line.firstToken = content.substr(first);
    lines.push_back(line);
    if (end == text.size())
      break;
    begin = end + 1;
  }
  return lines;
}

/// Whether a line at item depth begins a new item (rather than continuing
/// the previous one, like `attributes {…} {` or `-> type`).
bool startsItem(std::string_view token) {
  if (token.empty())
    return false;
  char c = token.front();
  if (c == '%' || c == '"' || c == '#' || c == '!')
    return true;
  size_t n = 0;
  while (n < token.size() && isIdentChar(token[n]))
    ++n;
  std::string_view word = token.substr(0, n);
  return word.find('.') != std::string_view::npos || word == "module";
}

std::string symbolOf(std::string_view itemText) {
  size_t at = itemText.find('@');
  size_t paren = itemText.find('(');
  if (!itemText.starts_with("func.func") || at == std::string_view::npos ||
      (paren != std::string_view::npos && paren < at))
    return "";
  size_t end = at + 1;
  while (end < itemText.size() && isIdentChar(itemText[end]))
    ++end;
  return std::string(itemText.substr(at, end - at));
}

} // namespace

std::vector<IrItem> openopt::lsp::splitTopLevel(std::string_view text) {
  std::vector<IrItem> whole{{0, text.size(), 0, false, ""}};
  std::vector<Line> lines = scanLines(text);
  if (lines.empty())
    return whole;

  // Items live at depth 0, or at depth 1 when the file is one `module {…}`.
  int itemDepth = 0;
  size_t firstIndex = 0, lastIndex = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].firstToken.empty() || lines[i].depthBefore != 0)
      continue;
    if (lines[i].firstToken.starts_with("#") || lines[i].firstToken.starts_with("!"))
      continue;
    if (lines[i].firstToken.starts_with("module")) {
      // The module must open on this line and be the only other top-level item.
      if (lines[i].depthAfter != 1)
        return whole;
      size_t close = i + 1;
      while (close < lines.size() && lines[close].depthAfter != 0)
        ++close;
      if (close >= lines.size() || lines[close].firstToken != "}")
        return whole;
      for (size_t j = close + 1; j < lines.size(); ++j)
        if (!lines[j].firstToken.empty())
          return whole;
      itemDepth = 1;
      firstIndex = i + 1;
      lastIndex = close;
    }
    break;
  }

  std::vector<IrItem> items;
  auto lineOffset = [&](size_t index) { return index < lines.size() ? lines[index].begin : text.size(); };
  // Aliases before a `module {` are items too.
  if (itemDepth == 1)
    for (size_t i = 0; i + 1 < firstIndex; ++i)
      if (!lines[i].firstToken.empty() && lines[i].depthBefore == 0 && lines[i].depthAfter == 0 &&
          (lines[i].firstToken.starts_with("#") || lines[i].firstToken.starts_with("!")))
        items.push_back({lines[i].begin, lineOffset(i + 1), i, true, ""});

  size_t i = firstIndex;
  while (i < lastIndex) {
    if (lines[i].firstToken.empty()) {
      ++i;
      continue;
    }
    if (lines[i].depthBefore != itemDepth || !startsItem(lines[i].firstToken))
      return whole;
    size_t start = i, j = i;
    // Extend while inside braces or while the next line continues this item.
    while (true) {
      if (lines[j].depthAfter > itemDepth) {
        ++j;
        if (j >= lastIndex)
          return whole;
        continue;
      }
      size_t next = j + 1;
      while (next < lastIndex && lines[next].firstToken.empty())
        ++next;
      if (next < lastIndex && !startsItem(lines[next].firstToken) &&
          lines[next].firstToken.front() != '}') {
        j = next;
        continue;
      }
      break;
    }
    std::string_view first = lines[start].firstToken;
    if (first.front() == '%')
      return whole; // top-level SSA values tie items together
    IrItem item{lines[start].begin, lineOffset(j + 1), start, false, ""};
    item.isAlias = (first.front() == '#' || first.front() == '!') && j == start;
    item.symbol = symbolOf(first);
    items.push_back(item);
    i = j + 1;
  }
  // One function: analysed whole, but under its name (an edit inside it
  // can then be spliced, see FunctionSplice.h).
  if (items.size() == 1 && !items[0].isAlias && itemDepth == 0)
    whole[0].symbol = items[0].symbol;
  if (items.size() < 2)
    return whole;
  return items;
}
