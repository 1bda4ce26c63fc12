//===- LspMessageFuzzer.cpp - libFuzzer target: LSP framing + dispatch -----===//
//
// Bytes go through the Content-Length decoder and every message it yields
// into the language server, exactly as stdin would deliver them. One server
// lives for the whole run (building the dialect registry per input would
// make 10^6 runs impossible); documents it opens are analysed on its worker
// threads in the background, so analysis code runs too.
//
//===----------------------------------------------------------------------===//
#include "LanguageServer.h"
#include "MessageFraming.h"

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>

using namespace openopt::lsp;

namespace {
LanguageServer &server() {
  static LanguageServer *instance = [] {
    spdlog::set_level(spdlog::level::off);
    LanguageServerOptions options;
    options.maxDocumentBytes = 1 << 20;
    options.maxOpenDocuments = 64;
    auto *s = new LanguageServer(options, [](const std::string &) {});
    // Initialized once, so most inputs reach the document methods.
    s->handleMessage(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{"window":{"workDoneProgress":true}}}})");
    return s;
  }();
  return *instance;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  LanguageServer &lsp = server();
  FrameDecoder decoder(1 << 20);
  decoder.feed(std::string_view(reinterpret_cast<const char *>(data), size));
  while (auto message = decoder.next()) {
    if (auto *body = std::get_if<std::string>(&*message))
      lsp.handleMessage(*body);
    else
      lsp.reportFramingError(std::get<FramingError>(*message).message);
  }
  // Unframed, too: WS /lsp hands the server one message per frame.
  lsp.handleMessage(std::string_view(reinterpret_cast<const char *>(data), size));
  return 0;
}
