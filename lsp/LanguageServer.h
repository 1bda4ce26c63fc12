//===- LanguageServer.h - LSP dispatch, independent of transport -*- C++ -*-===//
//
// Feed it one JSON-RPC message at a time (from stdio framing or a WebSocket
// text frame); it answers through the `send` callback, which may be called
// from any thread (one call at a time). Requests never run on the caller's
// thread for longer than it takes to queue them: analyses run on each
// document's worker, reads on a small pool.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_LANGUAGESERVER_H
#define OPENOPT_LSP_LANGUAGESERVER_H

#include "DocumentWorker.h"
#include "Protocol.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace llvm {
class ThreadPoolInterface;
} // namespace llvm

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace openopt::lsp {

struct LanguageServerOptions {
  DocumentWorkerOptions worker;
  size_t maxDocumentBytes = 64 << 20;
  size_t maxOpenDocuments = 256;
  unsigned readThreads = 2;
};

class LanguageServer {
public:
  using Send = std::function<void(const std::string &)>;
  LanguageServer(LanguageServerOptions options, Send send);
  ~LanguageServer();

  /// Handles one message (a request, notification or response).
  void handleMessage(std::string_view text);
  /// Answers a framing problem the transport found (logged, -32700 reply).
  void reportFramingError(const std::string &message);
  /// Blocks until every document is analysed and every request answered
  /// (for transcript tests, which need one deterministic order).
  void waitIdle();
  /// True once `exit` was received; `exitCode()` says how to end.
  bool exitRequested() const { return exited; }
  int exitCode() const { return shutdownRequested ? 0 : 1; }

private:
  struct OpenDocument {
    std::string uri;
    int version = 0;
    std::shared_ptr<const TextDocument> text; // the newest text
    std::shared_ptr<DocumentWorker> worker;
  };
  struct PendingRequest {
    std::atomic<bool> answered{false};
    std::atomic<bool> cancelled{false};
  };
  using Handler = std::function<void(const json &id, const json &params)>;

  void dispatch(const json &message);
  void handleRequest(const json &id, const std::string &method, const json &params);
  void handleNotification(const std::string &method, const json &params);

  void reply(const json &id, json result);
  void replyError(const json &id, int code, const std::string &message);
  void notify(const std::string &method, json params);
  void sendJson(const json &message);

  json initialize(const json &params);
  void didOpen(const json &params);
  void didChange(const json &params);
  void didClose(const json &params);
  void executeCommand(const json &id, const json &params);

  /// Runs `read` on the read pool with the document's analysis, answering
  /// the request with its result, or with the error it throws,
  /// RequestCancelled or ContentModified.
  void readDocument(const json &id, const json &params,
                    std::function<json(const AnalysedDocument &, const TextDocument &current,
                                       DocumentWorker &worker)> read);
  std::shared_ptr<OpenDocument> documentFor(const json &params);
  std::shared_ptr<PendingRequest> track(const json &id);
  void finish(const json &id, const std::shared_ptr<PendingRequest> &request, json result);
  void finishWithError(const json &id, const std::shared_ptr<PendingRequest> &request, int code,
                       const std::string &message);
  /// Answers the request on the read pool with `compute`'s result or the
  /// error it throws (unless it was cancelled meanwhile).
  void answerOnReadPool(const json &id, std::shared_ptr<PendingRequest> request, std::function<json()> compute);

  LanguageServerOptions options;
  Send send;
  std::mutex sendMutex;
  std::unique_ptr<mlir::DialectRegistry> registry;
  std::unique_ptr<llvm::ThreadPoolInterface> mlirThreads;
  std::unique_ptr<llvm::ThreadPoolInterface> readPool; // reads: short, on the last analysis

  bool initialized = false;
  bool shutdownRequested = false;
  bool exited = false;
  std::atomic<bool> clientProgress{false}; // read by the workers
  std::atomic<int> progressCounter{0};

  std::map<std::string, std::shared_ptr<OpenDocument>> documents;
  std::mutex pendingMutex;
  std::map<std::string, std::shared_ptr<PendingRequest>> pending; // by id.dump()
};

} // namespace openopt::lsp

#endif // OPENOPT_LSP_LANGUAGESERVER_H
