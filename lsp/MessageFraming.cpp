//===- MessageFraming.cpp - LSP base protocol framing ---------------------===//
#include "MessageFraming.h"

#include <charconv>

using namespace openopt::lsp;

namespace {
bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60))
    out += (c >= 32 && c < 127) ? c : '?';
  return out;
}
} // namespace

std::optional<std::variant<std::string, FramingError>> FrameDecoder::next() {
  // Compact once the consumed prefix dominates, so a long session does not
  // keep every message it ever received.
  if (start > 0 && start * 2 >= buffer.size()) {
    buffer.erase(0, start);
    start = 0;
  }
  if (skipping > 0) {
    size_t n = std::min(skipping, buffer.size() - start);
    start += n;
    skipping -= n;
    if (skipping > 0)
      return std::nullopt;
  }
  std::string_view rest(buffer.data() + start, buffer.size() - start);
  size_t headerEnd = rest.find("\r\n\r\n");
  if (headerEnd == std::string_view::npos) {
    if (rest.size() > 64 * 1024) { // no sane header block is this long
      start = buffer.size();
      return FramingError{"header block longer than 64 KiB without a blank line; dropped"};
    }
    return std::nullopt;
  }
  std::string_view headers = rest.substr(0, headerEnd);
  std::optional<size_t> length;
  std::string problem;
  while (!headers.empty()) {
    size_t eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      problem = "malformed header line '" + printable(line) + "' (expected 'Name: value')";
      break;
    }
    std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (equalsIgnoringCase(name, "Content-Length")) {
      size_t parsed = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (ec != std::errc() || end != value.data() + value.size()) {
        problem = "Content-Length '" + printable(value) + "' is not a number";
        break;
      }
      length = parsed;
    }
  }
  start += headerEnd + 4;
  if (problem.empty() && !length)
    problem = "message without a Content-Length header";
  if (!problem.empty())
    return FramingError{problem};
  if (*length > maxMessageBytes) {
    skipping = *length;
    return FramingError{"message of " + std::to_string(*length) + " bytes exceeds the limit of " +
                        std::to_string(maxMessageBytes) + " bytes; skipped"};
  }
  if (buffer.size() - start < *length) {
    start -= headerEnd + 4; // wait for the whole body
    return std::nullopt;
  }
  std::string body = buffer.substr(start, *length);
  start += *length;
  return body;
}

std::string openopt::lsp::encodeFrame(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out.append(body);
  return out;
}
