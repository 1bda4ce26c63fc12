//===- Metrics.cpp - Prometheus text exposition ---------------------------===//
#include "Metrics.h"

#include <sstream>

namespace openopt::server {
namespace {

// Label values are our own method and kind names; escape anyway.
std::string label(const std::string &value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

} // namespace

void Metrics::Histogram::observe(double seconds) {
  for (size_t i = 0; i < bounds.size(); ++i)
    if (seconds <= bounds[i])
      ++buckets[i];
  ++count;
  sum += seconds;
}

void Metrics::countHttpRequest(const std::string &path, int status) {
  std::lock_guard<std::mutex> lock(mutex);
  ++httpRequests[{path, status}];
}

void Metrics::observeRequest(const std::string &method, bool ok, double seconds) {
  std::lock_guard<std::mutex> lock(mutex);
  ++rpcRequests[{method, ok ? "ok" : "error"}];
  rpcLatency[method].observe(seconds);
}

void Metrics::observeJob(const std::string &kind, const std::string &state, double seconds) {
  std::lock_guard<std::mutex> lock(mutex);
  ++jobs[{kind, state}];
  jobDuration[kind].observe(seconds);
}

void Metrics::countCache(const std::string &outcome) {
  std::lock_guard<std::mutex> lock(mutex);
  ++cache[outcome];
}

void Metrics::observeCompile(double seconds) {
  std::lock_guard<std::mutex> lock(mutex);
  compileDuration.observe(seconds);
}

void Metrics::countWorkerCall(const std::string &method, const std::string &outcome) {
  std::lock_guard<std::mutex> lock(mutex);
  ++workerCalls[{method, outcome}];
}

void Metrics::workerStarted() {
  std::lock_guard<std::mutex> lock(mutex);
  ++workersStarted;
}

void Metrics::countRecipeParse() {
  std::lock_guard<std::mutex> lock(mutex);
  ++recipeParses;
}

void Metrics::connectionOpened() {
  std::lock_guard<std::mutex> lock(mutex);
  ++connections;
}

void Metrics::connectionClosed() {
  std::lock_guard<std::mutex> lock(mutex);
  --connections;
}

std::string Metrics::prometheusText(int liveJobs) const {
  std::lock_guard<std::mutex> lock(mutex);
  std::ostringstream out;
  auto histogram = [&](const std::string &name, const std::string &labels, const Histogram &h) {
    std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < h.bounds.size(); ++i)
      out << name << "_bucket{" << labels << sep << "le=\"" << h.bounds[i] << "\"} "
          << h.buckets[i] << "\n";
    out << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << h.count << "\n";
    std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out << name << "_sum" << braces << " " << h.sum << "\n";
    out << name << "_count" << braces << " " << h.count << "\n";
  };
  out << "# HELP openopt_http_requests_total HTTP requests by path and status.\n"
         "# TYPE openopt_http_requests_total counter\n";
  for (const auto &[key, n] : httpRequests)
    out << "openopt_http_requests_total{path=\"" << label(key.first) << "\",status=\""
        << key.second << "\"} " << n << "\n";
  out << "# HELP openopt_rpc_requests_total JSON-RPC requests by method and outcome.\n"
         "# TYPE openopt_rpc_requests_total counter\n";
  for (const auto &[key, n] : rpcRequests)
    out << "openopt_rpc_requests_total{method=\"" << label(key.first) << "\",outcome=\""
        << key.second << "\"} " << n << "\n";
  out << "# HELP openopt_rpc_request_seconds JSON-RPC request latency.\n"
         "# TYPE openopt_rpc_request_seconds histogram\n";
  for (const auto &[method, h] : rpcLatency)
    histogram("openopt_rpc_request_seconds", "method=\"" + label(method) + "\"", h);
  out << "# HELP openopt_jobs_total Finished jobs by kind and state.\n"
         "# TYPE openopt_jobs_total counter\n";
  for (const auto &[key, n] : jobs)
    out << "openopt_jobs_total{kind=\"" << label(key.first) << "\",state=\"" << label(key.second)
        << "\"} " << n << "\n";
  out << "# HELP openopt_job_seconds Job wall time.\n# TYPE openopt_job_seconds histogram\n";
  for (const auto &[kind, h] : jobDuration)
    histogram("openopt_job_seconds", "kind=\"" + label(kind) + "\"", h);
  out << "# HELP openopt_jobs_live Jobs queued or running.\n# TYPE openopt_jobs_live gauge\n"
      << "openopt_jobs_live " << liveJobs << "\n";
  out << "# HELP openopt_compile_cache_total Compile cache lookups by outcome (hit: whole "
         "compile reused; graph: graph passes reused; miss).\n"
         "# TYPE openopt_compile_cache_total counter\n";
  for (const char *outcome : {"hit", "graph", "miss"}) {
    auto it = cache.find(outcome);
    out << "openopt_compile_cache_total{outcome=\"" << outcome << "\"} "
        << (it == cache.end() ? 0 : it->second) << "\n";
  }
  out << "# HELP openopt_compile_seconds Wall time of compiles that ran (not cache hits).\n"
         "# TYPE openopt_compile_seconds histogram\n";
  histogram("openopt_compile_seconds", "", compileDuration);
  out << "# HELP openopt_worker_calls_total Requests answered by openopt-worker processes, by "
         "method and outcome.\n# TYPE openopt_worker_calls_total counter\n";
  for (const auto &[key, n] : workerCalls)
    out << "openopt_worker_calls_total{method=\"" << label(key.first) << "\",outcome=\""
        << label(key.second) << "\"} " << n << "\n";
  out << "# HELP openopt_workers_started_total Worker processes started (replacements too).\n"
         "# TYPE openopt_workers_started_total counter\n"
      << "openopt_workers_started_total " << workersStarted << "\n";
  out << "# HELP openopt_recipe_parses_total Recipe texts parsed by the daemon.\n"
         "# TYPE openopt_recipe_parses_total counter\n"
      << "openopt_recipe_parses_total " << recipeParses << "\n";
  out << "# HELP openopt_websocket_connections Open WebSocket connections.\n"
         "# TYPE openopt_websocket_connections gauge\n"
      << "openopt_websocket_connections " << connections << "\n";
  return out.str();
}

} // namespace openopt::server
