//===- Storage.h - the daemon's SQLite database ----------------*- C++ -*-===//
//
// One database file (WAL) in the data directory holds models, compiles, the
// compile cache, jobs, runs, content-addressed artifacts, the audit log and
// API tokens (hashed). Writers take `BEGIN IMMEDIATE`; the schema is
// versioned (PRAGMA user_version) and migrated forward on open. Methods throw
// SQLite::Exception on database errors; the API turns them into errors.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_STORAGE_H
#define OPENOPT_SERVER_STORAGE_H

#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
} // namespace SQLite

namespace openopt::server {

using nlohmann::json;

struct Artifact {
  std::string hash, mediaType;
  std::string data;
};

struct ModelRow {
  std::string id; // SHA-256 of the ONNX bytes
  std::string name;
  int64_t bytes = 0;
  std::string artifact;      // the ONNX bytes
  std::string graphArtifact; // graph JSON of the imported model
  json summary;              // inputs, outputs, op count
  std::string createdAt;
};

struct CompileRow {
  std::string id;
  std::string modelId, recipeHash, cacheKey, graphKey;
  json summary; // what compile/start's job reports
  std::string createdAt;
};

/// Graph-pass results reused by compiles whose graph passes are unchanged.
struct GraphCacheRow {
  std::string graphKey, graphIRArtifact, recordArtifact;
  json stats;
};

struct JobRow {
  std::string id, kind, state; // queued, running, done, failed, cancelled, interrupted
  json params, result, error;  // result/error null until finished
  double progress = 0;
  std::string message, client, tokenId;
  std::string createdAt, startedAt, finishedAt;
};

struct AuditRow {
  int64_t id = 0;
  std::string at, tokenId, role, remote, method, target, outcome;
};

struct TokenRow {
  std::string id, name, role, hash, createdAt, revokedAt;
};

class Storage {
public:
  /// Opens (creating if needed) DIR/openopt.db and migrates it.
  static llvm::Expected<std::unique_ptr<Storage>> open(const std::string &dir);
  ~Storage();

  int schemaVersion();
  /// Jobs a previous process left queued or running become "interrupted".
  int markInterruptedJobs();
  std::string integrityCheck();

  std::string putArtifact(std::string_view bytes, const std::string &mediaType);
  std::optional<Artifact> getArtifact(const std::string &hash);
  /// Size and media type, without reading the bytes.
  std::optional<std::pair<int64_t, std::string>> artifactInfo(const std::string &hash);

  void putModel(const ModelRow &row);
  std::optional<ModelRow> getModel(const std::string &id);
  std::vector<ModelRow> listModels();

  void putCompile(const CompileRow &row);
  std::optional<CompileRow> getCompile(const std::string &id);
  std::optional<CompileRow> findCompileByCacheKey(const std::string &cacheKey);

  void putGraphCache(const GraphCacheRow &row);
  std::optional<GraphCacheRow> findGraphCache(const std::string &graphKey);

  void insertJob(const JobRow &row);
  void markJobRunning(const std::string &id);
  void updateJobProgress(const std::string &id, double progress, const std::string &message);
  /// Stores the terminal state with its result or error, in one commit.
  void finishJob(const std::string &id, const std::string &state, const json &result,
                 const json &error);
  std::optional<JobRow> getJob(const std::string &id);
  std::vector<JobRow> listJobs(const std::string &state, const std::string &kind, int limit);

  void putRun(const std::string &id, const std::string &compileId, const std::string &kind,
              const json &result);

  void audit(const AuditRow &row);
  std::vector<AuditRow> listAudit(int limit);

  void putToken(const TokenRow &row);
  std::optional<TokenRow> findTokenByHash(const std::string &hash);
  std::vector<TokenRow> listTokens();
  bool revokeToken(const std::string &id);

private:
  explicit Storage(std::unique_ptr<SQLite::Database> db);
  void migrate();
  template <typename Fn> void writeTransaction(Fn &&fn);

  std::unique_ptr<SQLite::Database> db;
  std::mutex mutex; // one connection, used by every thread in turn
};

/// The current UTC time as ISO 8601 with milliseconds.
std::string nowIso8601();

} // namespace openopt::server

#endif
