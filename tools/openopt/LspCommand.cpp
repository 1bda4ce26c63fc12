//===- LspCommand.cpp - `openopt lsp`: the language server over stdio -----===//
#include "Commands.h"

#include "StdioTransport.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

using namespace llvm;

namespace openopt::cli {
cl::SubCommand lspCommand("lsp", "Serve the language server (LSP 3.17) on stdin/stdout: "
                                 "diagnostics, hover, navigation and completion for .mlir "
                                 "and *.recipe.json files");
} // namespace openopt::cli

namespace {
using namespace openopt::cli;
cl::opt<bool> stdioFlag("stdio", cl::desc("Talk LSP on stdin/stdout (the only transport; accepted "
                                          "because editors pass it)"),
                        cl::sub(lspCommand));
cl::opt<bool> litTest("lit-test",
                      cl::desc("Transcript mode for tests: JSON messages separated by '// -----' "
                               "on stdin, handled in order, replies pretty-printed"),
                      cl::sub(lspCommand));
cl::opt<unsigned> debounceMs("debounce-ms",
                             cl::desc("Quiet period before analysing a burst of edits (ms)"),
                             cl::init(20), cl::sub(lspCommand));
cl::opt<unsigned> maxDocumentMiB("max-document-mib", cl::desc("Largest document analysed (MiB)"),
                                 cl::init(64), cl::sub(lspCommand));
cl::opt<std::string> logLevel("log-level", cl::desc("trace, debug, info, warn, error or off (to stderr)"),
                              cl::init("info"), cl::sub(lspCommand));
} // namespace

int openopt::cli::runLsp() {
  // stdout carries the protocol: every log line goes to stderr.
  auto logger = spdlog::stderr_color_mt("openopt-lsp");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(logLevel));
  openopt::lsp::LanguageServerOptions options;
  options.worker.debounce = std::chrono::milliseconds(debounceMs);
  options.maxDocumentBytes = size_t(maxDocumentMiB) << 20;
  spdlog::info("openopt lsp: serving on stdio (debounce {} ms, documents up to {} MiB)", debounceMs.getValue(),
               maxDocumentMiB.getValue());
  if (litTest)
    return openopt::lsp::serveLitTest(options);
  return openopt::lsp::serveStdio(options);
}
