//===- Metrics.h - counters and histograms for GET /metrics ----*- C++ -*-===//
#ifndef OPENOPT_SERVER_METRICS_H
#define OPENOPT_SERVER_METRICS_H

#include <array>
#include <map>
#include <mutex>
#include <string>

namespace openopt::server {

/// Prometheus text exposition (version 0.0.4) of what the daemon did.
class Metrics {
public:
  void countHttpRequest(const std::string &path, int status);
  void observeRequest(const std::string &method, bool ok, double seconds);
  void observeJob(const std::string &kind, const std::string &state, double seconds);
  void countCache(const std::string &outcome); // hit, graph, miss
  void observeCompile(double seconds);
  /// A request answered by a worker (outcome: ok, error, crashed, cancelled, ...).
  void countWorkerCall(const std::string &method, const std::string &outcome);
  void workerStarted();
  /// A recipe text parsed by the daemon (a compile parses its recipe once).
  void countRecipeParse();
  void connectionOpened();
  void connectionClosed();

  /// `liveJobs` is read at scrape time from the job queue.
  std::string prometheusText(int liveJobs) const;

private:
  struct Histogram {
    static constexpr std::array<double, 16> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,     2.5,
                                                      5,      10,    30,     60};
    std::array<uint64_t, 16> buckets{};
    uint64_t count = 0;
    double sum = 0;
    void observe(double seconds);
  };
  mutable std::mutex mutex;
  std::map<std::pair<std::string, int>, uint64_t> httpRequests;
  std::map<std::pair<std::string, std::string>, uint64_t> rpcRequests; // method, outcome
  std::map<std::string, Histogram> rpcLatency;
  std::map<std::pair<std::string, std::string>, uint64_t> jobs;       // kind, state
  std::map<std::string, Histogram> jobDuration;
  std::map<std::string, uint64_t> cache;
  Histogram compileDuration;
  std::map<std::pair<std::string, std::string>, uint64_t> workerCalls; // method, outcome
  uint64_t workersStarted = 0, recipeParses = 0;
  int64_t connections = 0;
};

} // namespace openopt::server

#endif
