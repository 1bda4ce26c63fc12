//===- DocumentWorker.cpp - per-document queue, debounce, newest-wins -----===//
#include "DocumentWorker.h"

#include "RecipeFeatures.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <spdlog/spdlog.h>

using namespace openopt::lsp;
using Clock = std::chrono::steady_clock;

DocumentWorker::DocumentWorker(DocumentKind kind, const mlir::DialectRegistry &registry,
                               llvm::ThreadPoolInterface &threads, DocumentWorkerOptions options, Callbacks callbacks)
    : documentKind(kind), registry(registry), threads(threads), options(options), callbacks(std::move(callbacks)),
      thread(std::optional<unsigned>(64u << 20), [this] { run(); }) {}

DocumentWorker::~DocumentWorker() {
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  thread.join();
  // Requests still waiting were for a document that is gone.
  for (auto &[version, waiter] : waiters)
    waiter(nullptr, error_code::kContentModified);
  for (Waiter &waiter : readWaiters)
    waiter(nullptr, error_code::kContentModified);
}

void DocumentWorker::update(std::shared_ptr<const TextDocument> text, int version) {
  {
    std::lock_guard lock(mutex);
    auto now = Clock::now();
    // Two edits waiting at once is typing faster than the analysis: wait
    // for a pause. One edit after another is analysed at once.
    if (pendingText)
      burst = true;
    else
      pendingSince = now;
    pendingText = std::move(text);
    pendingVersion = version;
    lastUpdate = now;
  }
  wake.notify_all();
}

void DocumentWorker::whenAnalysed(Waiter waiter) {
  std::shared_ptr<const AnalysedDocument> ready;
  {
    std::lock_guard lock(mutex);
    if (!newest) {
      waiters.emplace_back(pendingVersion, std::move(waiter));
      return;
    }
    if (newest->version < publishedVersion) {
      waiters.emplace_back(publishedVersion, std::move(waiter));
      return;
    }
    if (!newest->readable) {
      // The worker completes it (lazily: only reads need it), then answers.
      readWaiters.push_back(std::move(waiter));
      completionWanted = true;
      wake.notify_all();
      return;
    }
    ready = newest;
  }
  waiter(ready, 0);
}

bool DocumentWorker::idle() const {
  std::lock_guard lock(mutex);
  return !pendingText && !running;
}

std::shared_ptr<const AnalysedDocument> DocumentWorker::latest() const {
  std::lock_guard lock(mutex);
  return newest;
}

std::shared_ptr<AnalysedDocument> DocumentWorker::analyse(std::shared_ptr<const TextDocument> text, int version) {
  auto started = Clock::now();
  auto result = std::make_shared<AnalysedDocument>();
  result->version = version;
  result->text = text;
  if (documentKind == DocumentKind::Recipe) {
    result->diagnostics = recipeDiagnostics(*text);
  } else {
    std::shared_ptr<const AnalysedDocument> previous = latest();
    auto superseded = [&] {
      std::lock_guard lock(mutex);
      return stopping || pendingVersion > version;
    };
    auto ir = analyzeIr(text, version, mlirContext, previous ? previous->ir.get() : nullptr, superseded);
    if (!ir)
      return nullptr;
    result->diagnostics = ir->diagnostics;
    spdlog::debug("analysed version {} in {} us ({} of {} items re-analysed, {} by splicing the edit)", version,
                  std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count(),
                  ir->itemsAnalysed, ir->items.size(), ir->itemsSpliced);
    result->ir = std::move(ir);
  }
  result->duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  return result;
}

void DocumentWorker::run() {
  auto context = std::make_shared<mlir::MLIRContext>(registry, mlir::MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects(); // completion lists the ops of every dialect
  context->setThreadPool(threads);     // reads and verification run on other threads
  std::unique_lock lock(mutex);
  mlirContext = std::move(context);
  while (true) {
    wake.wait(lock, [&] { return stopping || pendingText || completionWanted; });
    if (stopping)
      return;
    if (!pendingText) {
      completionWanted = false;
      if (newest)
        completeAndAnswer(lock, newest);
      continue;
    }
    // In a burst, wait for a quiet period (bounded) before analysing.
    while (burst && !stopping) {
      auto quietAt = lastUpdate + options.debounce;
      auto limit = pendingSince + options.debounce * 10;
      auto until = std::min(quietAt, limit);
      if (Clock::now() >= until)
        break;
      wake.wait_until(lock, until);
    }
    if (stopping)
      return;
    auto text = std::move(pendingText);
    pendingText.reset();
    int version = pendingVersion;
    burst = false;
    running = true;
    lock.unlock();

    bool large = text->text().size() >= options.progressBytes;
    if (large && callbacks.progress)
      callbacks.progress(true, text->text().size());
    std::shared_ptr<AnalysedDocument> result;
    try {
      result = analyse(text, version);
    } catch (const std::exception &e) {
      spdlog::error("analysis of version {} failed: {}", version, e.what());
    }
    if (large && callbacks.progress)
      callbacks.progress(false, text->text().size());

    if (!result) {
      lock.lock();
      running = false;
      continue; // superseded part-way: the newer text is pending
    }
    bool isLatest;
    {
      std::lock_guard guard(mutex);
      isLatest = pendingVersion == version;
      if (isLatest && callbacks.publish)
        publishedVersion = version;
    }
    // Diagnostics first. What only reads need (the whole parse of a
    // spliced edit, recovery parses) waits until a read asks.
    if (isLatest && callbacks.publish)
      callbacks.publish(*result);
    bool readable = !result->ir || readyForReads(*result->ir);

    lock.lock();
    running = false;
    if (!pendingText)
      pendingSince = Clock::now();
    // A superseded result still serves reads better than an older one.
    result->readable = readable;
    newest = result;
    completeAndAnswer(lock, result);
  }
}

void DocumentWorker::completeAndAnswer(std::unique_lock<std::mutex> &lock,
                                       const std::shared_ptr<AnalysedDocument> &document) {
  int version = document->version;
  bool asked = !readWaiters.empty() ||
               std::any_of(waiters.begin(), waiters.end(), [&](const auto &w) { return w.first == version; });
  if (!document->readable && asked && !pendingText) {
    running = true;
    lock.unlock();
    bool done = completeForReads(*document->ir, *mlirContext, [&] {
      std::lock_guard guard(mutex);
      return stopping || pendingVersion > version;
    });
    lock.lock();
    running = false;
    if (!pendingText)
      pendingSince = Clock::now();
    document->readable = done;
  }
  std::vector<Waiter> ready, modified;
  for (auto it = waiters.begin(); it != waiters.end();) {
    if (it->first == version && document->readable)
      ready.push_back(std::move(it->second));
    else if (it->first == version)
      readWaiters.push_back(std::move(it->second)); // a newer edit came first: its analysis answers
    else if (it->first < version)
      modified.push_back(std::move(it->second));
    else {
      ++it;
      continue;
    }
    it = waiters.erase(it);
  }
  if (document->readable) {
    for (Waiter &waiter : readWaiters)
      ready.push_back(std::move(waiter));
    readWaiters.clear();
  }
  lock.unlock();
  for (Waiter &waiter : ready)
    waiter(document, 0);
  for (Waiter &waiter : modified)
    waiter(nullptr, error_code::kContentModified);
  lock.lock();
}
