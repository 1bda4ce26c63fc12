//===- StdioTransport.h - the language server over stdin/stdout -*- C++ -*-===//
#ifndef OPENOPT_LSP_STDIOTRANSPORT_H
#define OPENOPT_LSP_STDIOTRANSPORT_H

#include "LanguageServer.h"

namespace openopt::lsp {

/// Serves LSP on file descriptors `in` and `out` until `exit` or end of
/// input; returns the process exit code LSP asks for.
int serveStdio(LanguageServerOptions options, int in = 0, int out = 1);

/// Transcript mode for tests: reads JSON messages separated by lines
/// `// -----` from `in` (no headers), handles each to completion in order,
/// and writes the server's messages framed, one line each with sorted keys, to `out`.
int serveLitTest(LanguageServerOptions options, int in = 0, int out = 1);

} // namespace openopt::lsp

#endif // OPENOPT_LSP_STDIOTRANSPORT_H
