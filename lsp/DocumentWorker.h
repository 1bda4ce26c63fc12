//===- DocumentWorker.h - one open document's analysis thread -*- C++ -*-===//
//
// clangd's shape: every document has its own queue and thread. Edits only
// replace the pending text; the thread analyses the newest text, so edits
// superseded while waiting are never analysed. When edits arrive in a burst
// (a second one while the first still waits) it waits for a short quiet
// period first; an edit to an idle or busy document is next in line at once. A result is
// published only if no newer edit arrived meanwhile, but it still serves
// reads, which are answered from the last finished analysis.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_LSP_DOCUMENTWORKER_H
#define OPENOPT_LSP_DOCUMENTWORKER_H

#include "IrAnalysis.h"
#include "Protocol.h"
#include "TextDocument.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include "llvm/Support/thread.h"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace llvm {
class ThreadPoolInterface;
} // namespace llvm

namespace openopt::lsp {

enum class DocumentKind { Ir, Recipe };

/// One finished analysis of one version.
struct AnalysedDocument {
  int version = 0;
  std::shared_ptr<const TextDocument> text;
  std::shared_ptr<IrAnalysis> ir; // IR documents only (read-only once published)
  std::vector<Diagnostic> diagnostics;
  std::chrono::microseconds duration{0};
  /// Reads may use `ir`: every item has its whole parse (a spliced edit
  /// and the recovery of a failed parse are completed when a read asks).
  /// Guarded by the worker's mutex.
  bool readable = true;
};

struct DocumentWorkerOptions {
  std::chrono::milliseconds debounce{20};
  size_t progressBytes = 1 << 20; // report $/progress for larger documents
};

class DocumentWorker {
public:
  struct Callbacks {
    /// Diagnostics of the newest version (called on the worker thread).
    std::function<void(const AnalysedDocument &)> publish;
    /// Long work on a large document begins/ends.
    std::function<void(bool begin, size_t bytes)> progress;
  };
  /// Whoever waits for an analysis: called once with the analysis, or with
  /// null and an error code (ContentModified) when the version it waited
  /// for was superseded before any analysis finished.
  using Waiter = std::function<void(std::shared_ptr<const AnalysedDocument>, int errorCode)>;

  /// The worker builds the document's MLIRContext on its own thread (loading
  /// every dialect takes milliseconds), sharing `threads` with the others.
  DocumentWorker(DocumentKind kind, const mlir::DialectRegistry &registry, llvm::ThreadPoolInterface &threads,
                 DocumentWorkerOptions options, Callbacks callbacks);
  ~DocumentWorker();
  DocumentWorker(const DocumentWorker &) = delete;
  DocumentWorker &operator=(const DocumentWorker &) = delete;

  void update(std::shared_ptr<const TextDocument> text, int version);
  /// Calls `waiter` with the newest finished analysis, now if there is one
  /// (even of an older version, unless the diagnostics of a newer one were
  /// already published: then when that one finishes), else when the first
  /// one finishes.
  void whenAnalysed(Waiter waiter);
  std::shared_ptr<const AnalysedDocument> latest() const;
  /// No edit waiting and no analysis running.
  bool idle() const;
  DocumentKind kind() const { return documentKind; }
  /// Valid once an analysis has finished (reads wait for one).
  mlir::MLIRContext &context() { return *mlirContext; }

private:
  void run();
  /// Gives `document` what reads need and answers the reads waiting for it.
  void completeAndAnswer(std::unique_lock<std::mutex> &lock, const std::shared_ptr<AnalysedDocument> &document);
  std::shared_ptr<AnalysedDocument> analyse(std::shared_ptr<const TextDocument> text, int version);

  DocumentKind documentKind;
  const mlir::DialectRegistry &registry;
  llvm::ThreadPoolInterface &threads;
  std::shared_ptr<mlir::MLIRContext> mlirContext;
  DocumentWorkerOptions options;
  Callbacks callbacks;

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool running = false;
  bool completionWanted = false; // a read waits for `newest` to be completed
  bool burst = false;
  std::shared_ptr<const TextDocument> pendingText;
  int pendingVersion = -1;
  std::chrono::steady_clock::time_point lastUpdate, pendingSince;
  std::shared_ptr<AnalysedDocument> newest;
  // The newest version whose diagnostics went out: reads wait for its
  // analysis rather than answer from an older one the client has seen
  // replaced (its recovery parses finish after the diagnostics).
  int publishedVersion = -1;
  std::vector<std::pair<int, Waiter>> waiters; // with the version they asked about
  // Reads that found the newest analysis not yet readable: answered by the
  // first analysis completed for reads, that one or a newer one.
  std::vector<Waiter> readWaiters;
  llvm::thread thread; // with a large stack: MLIR's parser and verifier recurse
};

} // namespace openopt::lsp

#endif // OPENOPT_LSP_DOCUMENTWORKER_H
