//===- HttpRoutes.h - the plain HTTP endpoints -----------------*- C++ -*-===//
#ifndef OPENOPT_SERVER_HTTPROUTES_H
#define OPENOPT_SERVER_HTTPROUTES_H

#include "storage/CompileCache.h"
#include "Config.h"
#include "jobs/JobQueue.h"
#include "Metrics.h"

#include <string>
#include <utility>
#include <vector>

namespace openopt::server {

struct HttpReply {
  unsigned status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// GET /healthz, GET /metrics, GET /artifacts/<hash> (ETag), and the web UI
/// at / (static files). Authentication happens before; this may read the
/// database, so it runs on the request pool.
class HttpRoutes {
public:
  HttpRoutes(const ServerConfig &config, CompileCache &cache, Metrics &metrics, JobQueue &jobs)
      : config(config), cache(cache), metrics(metrics), jobs(jobs) {}

  HttpReply handle(const std::string &method, const std::string &target,
                   const std::string &ifNoneMatch);

  /// Whether `path` is a page or asset of the web UI. Those hold no data and are
  /// served without a token, so the app can load and ask for one.
  static bool isPublicPath(const std::string &path);

private:
  HttpReply staticFile(const std::string &path);
  const ServerConfig &config;
  CompileCache &cache;
  Metrics &metrics;
  JobQueue &jobs;
  std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
};

/// A JSON error body: {"error": message}.
HttpReply httpError(unsigned status, const std::string &message);

} // namespace openopt::server

#endif
