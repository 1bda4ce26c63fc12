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
