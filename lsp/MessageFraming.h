//===- MessageFraming.h - LSP base protocol: Content-Length frames -*- C++ -*-===//
//
// Splits a byte stream into messages ("Content-Length: N\r\n[other headers]\r\n
// \r\n" + N bytes). A malformed header is reported and skipped up to the
// next blank line, so one bad frame does not end the session.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_MESSAGEFRAMING_H
#define OPENOPT_LSP_MESSAGEFRAMING_H

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace openopt::lsp {

struct FramingError {
  std::string message;
};

class FrameDecoder {
public:
  explicit FrameDecoder(size_t maxMessageBytes) : maxMessageBytes(maxMessageBytes) {}

  void feed(std::string_view bytes) { buffer.append(bytes); }

  /// The next complete message body or framing error, or nullopt when more
  /// bytes are needed.
  std::optional<std::variant<std::string, FramingError>> next();

  /// Bytes received but not yet consumed.
  size_t buffered() const { return buffer.size() - start; }

private:
  size_t maxMessageBytes;
  std::string buffer;
  size_t start = 0;
  /// Body bytes still to skip of a message refused for its size.
  size_t skipping = 0;
};

/// One message with its Content-Length header.
std::string encodeFrame(std::string_view body);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_MESSAGEFRAMING_H
