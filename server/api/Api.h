//===- Api.h - the JSON-RPC 2.0 methods of WS /api -------------*- C++ -*-===//
//
// Parses a message (one request, a notification or a batch), checks the
// caller's role and the params against schemas/api, calls the method and
// builds the reply. Runs on the request thread pool, never on an I/O thread.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_API_H
#define OPENOPT_SERVER_API_H

#include "Auth.h"
#include "storage/CompileCache.h"
#include "jobs/CompileService.h"
#include "Config.h"
#include "jobs/JobQueue.h"
#include "api/JsonRpc.h"
#include "api/JsonSchema.h"
#include "Metrics.h"
#include "storage/Storage.h"

#include <chrono>
#include <string>
#include <vector>

namespace openopt::server {

/// Who calls, from where, and how to reach their connection.
struct CallContext {
  Caller caller;
  std::string remote;   // address:port
  std::string clientId; // the connection, for per-client job limits
  JobListener notify;   // sends a notification to the connection
  std::string_view binaryPayload; // bytes after the NUL of a binary message
  /// Notifications to send after this call's reply (a cached job's job/done).
  std::vector<json> afterReply;
};

/// The schemas of schemas/api, compiled into the daemon.
llvm::Expected<SchemaSet> loadApiSchemas();

class Api {
public:
  struct Services {
    const ServerConfig &config;
    Storage &storage;
    TokenStore &tokens;
    JobQueue &jobs;
    CompileService &compiler;
    CompileCache &cache;
    Metrics &metrics;
    const SchemaSet &schemas;
  };
  explicit Api(Services services);

  /// Handles one text message; returns the messages to send back in order
  /// (none for notifications).
  std::vector<std::string> handleText(std::string_view text, CallContext &context);
  /// A binary message: a request's JSON text, one NUL byte, then its payload.
  std::vector<std::string> handleBinary(std::string_view bytes, CallContext &context);

  /// Whether a role may call a method (for server/info's list).
  std::vector<std::string> methodsFor(Role role) const;

private:
  using Handler = json (Api::*)(const json &params, CallContext &context);
  struct Method {
    const char *name;
    Role role;
    bool mutating;
    Handler handler;
  };
  static const Method kMethods[];

  json handleRequest(const json &request, CallContext &context);
  void audit(const Method &method, const json &params, const CallContext &context,
             const std::string &outcome);

  json serverInfo(const json &params, CallContext &context);
  json modelImport(const json &params, CallContext &context);
  json modelList(const json &params, CallContext &context);
  json modelGet(const json &params, CallContext &context);
  json modelGraph(const json &params, CallContext &context);
  json compileStart(const json &params, CallContext &context);
  json compileGet(const json &params, CallContext &context);
  json compilePasses(const json &params, CallContext &context);
  json compileDiff(const json &params, CallContext &context);
  json compileIR(const json &params, CallContext &context);
  json runStart(const json &params, CallContext &context);
  json profileStart(const json &params, CallContext &context);
  json jobList(const json &params, CallContext &context);
  json jobGet(const json &params, CallContext &context);
  json jobCancel(const json &params, CallContext &context);
  json artifactGet(const json &params, CallContext &context);
  json tokenCreate(const json &params, CallContext &context);
  json tokenList(const json &params, CallContext &context);
  json tokenRevoke(const json &params, CallContext &context);
  json auditList(const json &params, CallContext &context);

  ModelRow requireModel(const std::string &id);
  CompileRow requireCompile(const std::string &id);
  void checkJobLimit(const CallContext &context);
  json inlineOrArtifact(const std::string &key, const std::string &text,
                        const std::string &mediaType, json inlineValue);

  Services services;
  std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
};

} // namespace openopt::server

#endif
