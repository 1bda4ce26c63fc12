//===- JobQueue.cpp - worker threads, cancellation, durable results -------===//
#include "jobs/JobQueue.h"

#include "Hash.h"
#include "Log.h"

namespace openopt::server {

JobQueue::JobQueue(Storage &storage, Metrics &metrics, unsigned workers,
                   unsigned timeoutSeconds)
    : storage(storage), metrics(metrics), timeoutSeconds(timeoutSeconds) {
  for (unsigned i = 0; i < workers; ++i)
    threads.emplace_back([this] { workerLoop(); });
}

JobQueue::~JobQueue() { shutdown(); }

void JobQueue::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (stopping)
      return;
    stopping = true;
    for (auto &[id, entry] : live)
      entry->context->cancelled = true;
  }
  wake.notify_all();
  for (std::thread &t : threads)
    t.join();
}

std::string JobQueue::submit(const std::string &kind, const json &params,
                             const std::string &client, const std::string &tokenId, JobWork work,
                             JobListener listener) {
  auto entry = std::make_shared<Entry>();
  entry->id = randomHex(16);
  entry->kind = kind;
  entry->client = client;
  entry->work = std::move(work);
  entry->listener = std::move(listener);
  entry->context = std::make_shared<JobContext>();
  entry->context->id = entry->id;
  entry->queuedAt = std::chrono::steady_clock::now();
  storage.insertJob({entry->id, kind, "queued", params, nullptr, nullptr, 0, "queued", client,
                     tokenId, "", "", ""});
  logEvent(spdlog::level::info, "job.queued",
           {{"job", entry->id}, {"kind", kind}, {"client", client}});
  {
    std::lock_guard<std::mutex> lock(mutex);
    live[entry->id] = entry;
    queue.push_back(entry);
  }
  wake.notify_one();
  return entry->id;
}

std::string JobQueue::submitFinished(const std::string &kind, const json &params,
                                     const std::string &client, const std::string &tokenId,
                                     const json &result, JobListener listener) {
  std::string id = randomHex(16);
  storage.insertJob(
      {id, kind, "queued", params, nullptr, nullptr, 0, "cached", client, tokenId, "", "", ""});
  storage.finishJob(id, "done", result, nullptr);
  metrics.observeJob(kind, "done", 0);
  logEvent(spdlog::level::info, "job.done",
           {{"job", id}, {"kind", kind}, {"state", "done"}, {"ms", 0}, {"cached", true}});
  if (listener)
    listener("job/done", {{"job", id}, {"kind", kind}, {"state", "done"}, {"result", result}});
  return id;
}

bool JobQueue::cancel(const std::string &id, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mutex);
  auto it = live.find(id);
  if (it == live.end())
    return false;
  std::shared_ptr<Entry> entry = it->second;
  entry->context->cancelled = true;
  if (!entry->running) {
    // Still queued: it ends now and the worker that picks it up skips it.
    live.erase(it);
    lock.unlock();
    finish(entry, "cancelled", nullptr,
           {{"code", kJobCancelled}, {"message", "cancelled before it started"}});
    return true;
  }
  finished.wait_for(lock, wait, [&] { return !live.count(id); });
  return true;
}

int JobQueue::liveJobs() {
  std::lock_guard<std::mutex> lock(mutex);
  return int(live.size());
}

int JobQueue::liveJobsOf(const std::string &client) {
  std::lock_guard<std::mutex> lock(mutex);
  int n = 0;
  for (const auto &[id, entry] : live)
    n += entry->client == client;
  return n;
}

void JobQueue::workerLoop() {
  for (;;) {
    std::shared_ptr<Entry> entry;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping)
        return;
      entry = queue.front();
      queue.pop_front();
      if (!live.count(entry->id))
        continue; // cancelled while queued
      entry->running = true;
    }
    runEntry(entry);
  }
}

void JobQueue::runEntry(const std::shared_ptr<Entry> &entry) {
  JobContext &context = *entry->context;
  context.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  std::weak_ptr<Entry> weak = entry;
  context.progress = [this, weak](double fraction, const std::string &message) {
    auto entry = weak.lock();
    if (!entry)
      return;
    try {
      storage.updateJobProgress(entry->id, fraction, message);
    } catch (const std::exception &e) {
      logEvent(spdlog::level::warn, "job.progress_not_stored",
               {{"job", entry->id}, {"error", e.what()}});
    }
    if (entry->listener)
      entry->listener("job/progress", {{"job", entry->id},
                                       {"kind", entry->kind},
                                       {"progress", fraction},
                                       {"message", message}});
  };
  try {
    storage.markJobRunning(entry->id);
  } catch (const std::exception &e) {
    finish(entry, "failed", nullptr,
           {{"code", kJobInternal}, {"message", std::string("storage: ") + e.what()}});
    return;
  }
  logEvent(spdlog::level::info, "job.started", {{"job", entry->id}, {"kind", entry->kind}});
  context.progress(0.0, "started");
  try {
    json result = entry->work(context);
    if (context.cancelled)
      finish(entry, "cancelled", nullptr, {{"code", kJobCancelled}, {"message", "cancelled"}});
    else
      finish(entry, "done", result, nullptr);
  } catch (const JobFailure &failure) {
    finish(entry, failure.code == kJobCancelled ? "cancelled" : "failed", nullptr,
           {{"code", failure.code}, {"message", failure.message}});
  } catch (const std::exception &e) {
    finish(entry, "failed", nullptr, {{"code", kJobInternal}, {"message", e.what()}});
  }
}

void JobQueue::finish(const std::shared_ptr<Entry> &entry, const std::string &state,
                      const json &result, const json &error) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                 entry->queuedAt)
                       .count();
  std::string storedState = state;
  json storedError = error;
  try {
    storage.finishJob(entry->id, state, result, error);
  } catch (const std::exception &e) {
    // Not stored means not done: report the failure instead of a result
    // that a restart could not show.
    storedState = "failed";
    storedError = {{"code", kJobInternal},
                   {"message", std::string("the result could not be stored: ") + e.what()}};
    logEvent(spdlog::level::err, "job.store_failed", {{"job", entry->id}, {"error", e.what()}});
  }
  metrics.observeJob(entry->kind, storedState, seconds);
  json fields = {{"job", entry->id},
                 {"kind", entry->kind},
                 {"state", storedState},
                 {"ms", int64_t(seconds * 1000)}};
  if (!storedError.is_null())
    fields["error"] = storedError["message"];
  logEvent(storedState == "done" ? spdlog::level::info : spdlog::level::warn, "job.finished",
           fields);
  {
    std::lock_guard<std::mutex> lock(mutex);
    live.erase(entry->id);
  }
  finished.notify_all();
  if (entry->listener) {
    json params = {{"job", entry->id}, {"kind", entry->kind}, {"state", storedState}};
    if (storedState == "done")
      params["result"] = result;
    else
      params["error"] = storedError;
    entry->listener("job/done", params);
  }
}

} // namespace openopt::server
