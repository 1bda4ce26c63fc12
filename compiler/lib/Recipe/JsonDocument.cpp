//===- JsonDocument.cpp - JSON with comments, and where each value is -----===//
#include "openopt/Recipe/JsonDocument.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace openopt {

std::string escapeJsonPointerToken(llvm::StringRef token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

static llvm::StringRef parentPointer(llvm::StringRef pointer) {
  size_t slash = pointer.rfind('/');
  return slash == llvm::StringRef::npos ? llvm::StringRef() : pointer.take_front(slash);
}

SourcePosition JsonDocument::positionOf(llvm::StringRef pointer) const {
  while (true) {
    auto it = valuePositions.find(pointer.str());
    if (it != valuePositions.end())
      return it->second;
    if (pointer.empty())
      return SourcePosition();
    pointer = parentPointer(pointer);
  }
}

SourcePosition JsonDocument::keyPositionOf(llvm::StringRef pointer) const {
  auto it = keyPositions.find(pointer.str());
  return it != keyPositions.end() ? it->second : positionOf(pointer);
}

namespace {

/// A character as an error message shows it: itself when printable, else its byte value.
std::string describeChar(char c) {
  if (llvm::isPrint(c))
    return llvm::formatv("'{0}'", c).str();
  return llvm::formatv("byte 0x{0:X-2}", (unsigned)(unsigned char)c).str();
}

/// Recursive descent over the text; nesting is capped so hostile input
/// cannot exhaust the stack.
class Parser {
public:
  Parser(llvm::StringRef text, JsonDocument &doc) : text(text), doc(doc) {}

  bool parseDocument(JsonSyntaxError &error) {
    skipSpaceAndComments();
    if (failed)
      return report(error);
    if (pos >= text.size())
      return fail("the file is empty; expected a JSON object"), report(error);
    auto value = parseValue("", 0);
    if (!value)
      return report(error);
    skipSpaceAndComments();
    if (failed)
      return report(error);
    if (pos < text.size())
      return fail(llvm::formatv("unexpected {0} after the end of the JSON value", describeChar(text[pos]))),
             report(error);
    doc.root = std::move(*value);
    return true;
  }

private:
  static constexpr int maxDepth = 128;
  llvm::StringRef text;
  JsonDocument &doc;
  size_t pos = 0;
  unsigned line = 1, lineStart = 0;
  bool failed = false;
  JsonSyntaxError firstError;

  SourcePosition here() const { return {line, unsigned(pos - lineStart + 1)}; }

  void fail(const llvm::Twine &message) { failAt(here(), message); }
  void failAt(SourcePosition at, const llvm::Twine &message) {
    if (failed)
      return;
    failed = true;
    firstError = {at, message.str()};
  }
  bool report(JsonSyntaxError &error) {
    error = firstError;
    return false;
  }

  void advance() {
    if (text[pos] == '\n') {
      ++line;
      lineStart = pos + 1;
    }
    ++pos;
  }

  void skipSpaceAndComments() {
    while (pos < text.size()) {
      char c = text[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (text.substr(pos).starts_with("//")) {
        while (pos < text.size() && text[pos] != '\n')
          advance();
      } else if (text.substr(pos).starts_with("/*")) {
        SourcePosition start = here();
        advance(), advance();
        while (pos < text.size() && !text.substr(pos).starts_with("*/"))
          advance();
        if (pos >= text.size())
          return failAt(start, "unterminated /* comment");
        advance(), advance();
      } else {
        return;
      }
    }
  }

  std::optional<llvm::json::Value> parseValue(const std::string &pointer, int depth) {
    if (depth > maxDepth)
      return fail(llvm::formatv("nesting deeper than {0} levels", maxDepth)), std::nullopt;
    if (pos >= text.size())
      return fail("unexpected end of file; expected a value"), std::nullopt;
    doc.valuePositions[pointer] = here();
    char c = text[pos];
    if (c == '{')
      return parseObject(pointer, depth);
    if (c == '[')
      return parseArray(pointer, depth);
    if (c == '"') {
      auto s = parseString();
      if (!s)
        return std::nullopt;
      return llvm::json::Value(std::move(*s));
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return parseNumber();
    for (auto [word, value] : {std::pair<llvm::StringRef, llvm::json::Value>{"true", true},
                               {"false", false},
                               {"null", nullptr}}) {
      if (text.substr(pos).starts_with(word)) {
        for (size_t i = 0; i < word.size(); ++i)
          advance();
        return value;
      }
    }
    if (c == '\'')
      return fail("strings take double quotes in JSON"), std::nullopt;
    return fail(llvm::formatv("unexpected {0}; expected a value", describeChar(c))), std::nullopt;
  }

  std::optional<llvm::json::Value> parseObject(const std::string &pointer, int depth) {
    advance(); // {
    llvm::json::Object object;
    while (true) {
      skipSpaceAndComments();
      if (failed)
        return std::nullopt;
      if (pos >= text.size())
        return fail("unexpected end of file; expected '}'"), std::nullopt;
      if (text[pos] == '}') {
        advance();
        return llvm::json::Value(std::move(object));
      }
      if (text[pos] != '"')
        return fail(text[pos] == '\'' ? "member names take double quotes in JSON"
                                      : "expected a member name in double quotes or '}'"),
               std::nullopt;
      SourcePosition keyAt = here();
      auto key = parseString();
      if (!key)
        return std::nullopt;
      std::string member = pointer + "/" + escapeJsonPointerToken(*key);
      if (object.find(*key) != object.end())
        return failAt(keyAt, llvm::formatv("duplicate member \"{0}\"", *key)), std::nullopt;
      doc.keyPositions[member] = keyAt;
      skipSpaceAndComments();
      if (failed)
        return std::nullopt;
      if (pos >= text.size() || text[pos] != ':')
        return fail(llvm::formatv("expected ':' after \"{0}\"", *key)), std::nullopt;
      advance();
      skipSpaceAndComments();
      if (failed)
        return std::nullopt;
      auto value = parseValue(member, depth + 1);
      if (!value)
        return std::nullopt;
      object[*key] = std::move(*value);
      skipSpaceAndComments();
      if (failed)
        return std::nullopt;
      if (pos < text.size() && text[pos] == ',') {
        advance(); // a trailing comma before '}' is tolerated
        continue;
      }
      if (pos < text.size() && text[pos] == '}')
        continue;
      return fail("expected ',' or '}' after an object member"), std::nullopt;
    }
  }

  std::optional<llvm::json::Value> parseArray(const std::string &pointer, int depth) {
    advance(); // [
    llvm::json::Array array;
    while (true) {
      skipSpaceAndComments();
      if (failed)
        return std::nullopt;
      if (pos >= text.size())
        return fail("unexpected end of file; expected ']'"), std::nullopt;
      if (text[pos] == ']') {
        advance();
        return llvm::json::Value(std::move(array));
      }
      auto value = parseValue(pointer + "/" + std::to_string(array.size()), depth + 1);
      if (!value)
        return std::nullopt;
      array.push_back(std::move(*value));
      skipSpaceAndComments();
      if (failed)
        return std::nullopt;
      if (pos < text.size() && text[pos] == ',') {
        advance();
        continue;
      }
      if (pos < text.size() && text[pos] == ']')
        continue;
      return fail("expected ',' or ']' after an array element"), std::nullopt;
    }
  }

  std::optional<std::string> parseString() {
    SourcePosition start = here();
    advance(); // "
    std::string out;
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '"') {
        advance();
        if (!llvm::json::isUTF8(out))
          return failAt(start, "string is not valid UTF-8"), std::nullopt;
        return out;
      }
      if (c == '\n')
        return fail("line break inside a string (write \\n)"), std::nullopt;
      if ((unsigned char)c < 0x20)
        return fail("control character inside a string"), std::nullopt;
      if (c != '\\') {
        out += c;
        advance();
        continue;
      }
      advance();
      if (pos >= text.size())
        break;
      char e = text[pos];
      advance();
      switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
          if (pos >= text.size() || !llvm::isHexDigit(text[pos]))
            return fail("\\u takes four hex digits"), std::nullopt;
          code = code * 16 + llvm::hexDigitValue(text[pos]);
          advance();
        }
        // Surrogate pairs are not needed in recipes; lone ones become U+FFFD.
        if (code >= 0xD800 && code <= 0xDFFF)
          code = 0xFFFD;
        char buffer[4];
        char *end = buffer;
        llvm::ConvertCodePointToUTF8(code, end);
        out.append(buffer, end);
        break;
      }
      default:
        return fail(llvm::formatv("unknown escape \\ followed by {0}", describeChar(e))),
               std::nullopt;
      }
    }
    return failAt(start, "unterminated string"), std::nullopt;
  }

  std::optional<llvm::json::Value> parseNumber() {
    size_t start = pos;
    SourcePosition at = here();
    if (text[pos] == '-')
      advance();
    auto digits = [&] {
      size_t n = 0;
      while (pos < text.size() && llvm::isDigit(text[pos]))
        advance(), ++n;
      return n;
    };
    if (digits() == 0)
      return failAt(at, "a number needs digits"), std::nullopt;
    bool integral = true;
    if (pos < text.size() && text[pos] == '.') {
      integral = false;
      advance();
      if (digits() == 0)
        return fail("expected digits after '.'"), std::nullopt;
    }
    if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
      integral = false;
      advance();
      if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
        advance();
      if (digits() == 0)
        return fail("expected digits in the exponent"), std::nullopt;
    }
    llvm::StringRef literal = text.slice(start, pos);
    int64_t asInt;
    if (integral && !literal.getAsInteger(10, asInt))
      return llvm::json::Value(asInt);
    double asDouble;
    if (literal.getAsDouble(asDouble) || !std::isfinite(asDouble))
      return failAt(at, llvm::formatv("number '{0}' is out of range", literal)), std::nullopt;
    return llvm::json::Value(asDouble);
  }
};

} // namespace

std::optional<JsonDocument> parseJsonWithComments(llvm::StringRef text, JsonSyntaxError &error) {
  JsonDocument doc;
  Parser parser(text, doc);
  if (!parser.parseDocument(error))
    return std::nullopt;
  return doc;
}

} // namespace openopt
