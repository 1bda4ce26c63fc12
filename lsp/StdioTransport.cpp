//===- StdioTransport.cpp - Content-Length framing on file descriptors ----===//
#include "StdioTransport.h"

#include "MessageFraming.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <unistd.h>

using namespace openopt::lsp;

namespace {
void writeAll(int fd, const std::string &data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // the client is gone; reading will see the end of input
    done += static_cast<size_t>(n);
  }
}
} // namespace

int openopt::lsp::serveStdio(LanguageServerOptions options, int in, int out) {
  std::signal(SIGPIPE, SIG_IGN);
  FrameDecoder decoder(options.maxDocumentBytes + (1 << 20));
  LanguageServer server(options, [out](const std::string &body) { writeAll(out, encodeFrame(body)); });
  std::string buffer(1 << 16, '\0');
  while (!server.exitRequested()) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      spdlog::info("lsp: end of input");
      return server.exitCode();
    }
    decoder.feed(std::string_view(buffer.data(), static_cast<size_t>(n)));
    while (auto message = decoder.next()) {
      if (auto *error = std::get_if<FramingError>(&*message))
        server.reportFramingError(error->message);
      else
        server.handleMessage(std::get<std::string>(*message));
      if (server.exitRequested())
        break;
    }
  }
  return server.exitCode();
}

int openopt::lsp::serveLitTest(LanguageServerOptions options, int in, int out) {
  std::string input;
  std::string buffer(1 << 16, '\0');
  for (ssize_t n; (n = ::read(in, buffer.data(), buffer.size())) != 0;) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    input.append(buffer.data(), static_cast<size_t>(n));
  }
  options.worker.debounce = std::chrono::milliseconds(0);
  LanguageServer server(options, [out](const std::string &body) {
    std::string pretty = body;
    try {
      pretty = json::parse(body).dump(); // keys sorted, one line per message
    } catch (const json::exception &) {
    }
    writeAll(out, "Content-Length: " + std::to_string(pretty.size()) + "\r\n\r\n" + pretty + "\n");
  });
  size_t start = 0;
  while (start < input.size() && !server.exitRequested()) {
    size_t separator = input.find("\n// -----", start);
    size_t end = separator == std::string::npos ? input.size() : separator;
    std::string message = input.substr(start, end - start);
    start = separator == std::string::npos ? input.size() : input.find('\n', separator + 1);
    if (start == std::string::npos)
      start = input.size();
    // Lines starting with `//` are the test's own (RUN, CHECK, comments).
    std::string json;
    for (size_t at = 0; at < message.size();) {
      size_t eol = message.find('\n', at);
      std::string line = message.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
      at = eol == std::string::npos ? message.size() : eol + 1;
      size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line.compare(first, 2, "//") != 0)
        json += line + "\n";
    }
    message = json;
    if (message.find_first_not_of(" \t\r\n") == std::string::npos)
      continue;
    server.handleMessage(message);
    server.waitIdle();
  }
  return server.exitCode();
}
