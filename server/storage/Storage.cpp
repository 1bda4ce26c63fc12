//===- Storage.cpp - SQLite schema, migrations and queries ----------------===//
#include "storage/Storage.h"

#include "Hash.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include "llvm/Support/FileSystem.h"

#include <chrono>
#include <ctime>

namespace openopt::server {
namespace {

// Each entry moves the schema one version forward; never edit a shipped one.
const char *const kMigrations[] = {
    R"sql(
CREATE TABLE artifacts(hash TEXT PRIMARY KEY, media_type TEXT NOT NULL, size INTEGER NOT NULL,
                       data BLOB NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE models(id TEXT PRIMARY KEY, name TEXT NOT NULL, bytes INTEGER NOT NULL,
                    artifact TEXT NOT NULL REFERENCES artifacts(hash),
                    graph_artifact TEXT REFERENCES artifacts(hash),
                    summary TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE compiles(id TEXT PRIMARY KEY, model_id TEXT NOT NULL REFERENCES models(id),
                      recipe_hash TEXT NOT NULL, cache_key TEXT NOT NULL,
                      graph_key TEXT NOT NULL, summary TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX compiles_by_cache_key ON compiles(cache_key);
CREATE TABLE graph_cache(graph_key TEXT PRIMARY KEY,
                         graph_ir TEXT NOT NULL REFERENCES artifacts(hash),
                         record TEXT NOT NULL REFERENCES artifacts(hash),
                         stats TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE jobs(id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,
                  params TEXT NOT NULL, result TEXT, error TEXT,
                  progress REAL NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
                  client TEXT NOT NULL DEFAULT '', token_id TEXT NOT NULL DEFAULT '',
                  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT);
CREATE INDEX jobs_by_state ON jobs(state);
CREATE TABLE runs(id TEXT PRIMARY KEY, compile_id TEXT NOT NULL REFERENCES compiles(id),
                  kind TEXT NOT NULL, result TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE audit_log(id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
                       token_id TEXT NOT NULL, role TEXT NOT NULL, remote TEXT NOT NULL,
                       method TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE TABLE api_tokens(id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
                        hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
)sql",
};

std::string textOr(SQLite::Column column) {
  return column.isNull() ? std::string() : column.getString();
}

json jsonOr(SQLite::Column column) {
  if (column.isNull())
    return nullptr;
  return json::parse(column.getString(), nullptr, /*allow_exceptions=*/false);
}


JobRow readJob(SQLite::Statement &q) {
  JobRow row;
  row.id = q.getColumn(0).getString();
  row.kind = q.getColumn(1).getString();
  row.state = q.getColumn(2).getString();
  row.params = jsonOr(q.getColumn(3));
  row.result = jsonOr(q.getColumn(4));
  row.error = jsonOr(q.getColumn(5));
  row.progress = q.getColumn(6).getDouble();
  row.message = textOr(q.getColumn(7));
  row.client = textOr(q.getColumn(8));
  row.tokenId = textOr(q.getColumn(9));
  row.createdAt = textOr(q.getColumn(10));
  row.startedAt = textOr(q.getColumn(11));
  row.finishedAt = textOr(q.getColumn(12));
  return row;
}

const char *const kJobColumns = "id, kind, state, params, result, error, progress, message, "
                                "client, token_id, created_at, started_at, finished_at";

ModelRow readModel(SQLite::Statement &q) {
  ModelRow row;
  row.id = q.getColumn(0).getString();
  row.name = q.getColumn(1).getString();
  row.bytes = q.getColumn(2).getInt64();
  row.artifact = q.getColumn(3).getString();
  row.graphArtifact = textOr(q.getColumn(4));
  row.summary = jsonOr(q.getColumn(5));
  row.createdAt = q.getColumn(6).getString();
  return row;
}

const char *const kModelColumns = "id, name, bytes, artifact, graph_artifact, summary, created_at";

} // namespace

std::string nowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buffer, int(ms.count()));
  return out;
}

Storage::Storage(std::unique_ptr<SQLite::Database> db) : db(std::move(db)) {}
Storage::~Storage() = default;

llvm::Expected<std::unique_ptr<Storage>> Storage::open(const std::string &dir) {
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError("cannot create the data directory '%s': %s", dir.c_str(),
                                   ec.message().c_str());
  std::string path = dir + "/openopt.db";
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE |
                                                           SQLite::OPEN_CREATE |
                                                           SQLite::OPEN_FULLMUTEX);
    db->setBusyTimeout(5000);
    db->exec("PRAGMA journal_mode=WAL");
    // FULL: a job reported done survives a crash of the machine, not only of the process.
    db->exec("PRAGMA synchronous=FULL");
    db->exec("PRAGMA foreign_keys=ON");
    std::unique_ptr<Storage> storage(new Storage(std::move(db)));
    storage->migrate();
    return storage;
  } catch (const std::exception &e) {
    return llvm::createStringError("cannot open the database '%s': %s", path.c_str(), e.what());
  }
}

template <typename Fn> void Storage::writeTransaction(Fn &&fn) {
  std::lock_guard<std::mutex> lock(mutex);
  db->exec("BEGIN IMMEDIATE");
  try {
    fn();
    db->exec("COMMIT");
  } catch (...) {
    try {
      db->exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

void Storage::migrate() {
  int version = schemaVersion();
  int latest = int(std::size(kMigrations));
  if (version > latest)
    throw std::runtime_error("the database has schema version " + std::to_string(version) +
                             ", newer than this openoptd (" + std::to_string(latest) + ")");
  for (int v = version; v < latest; ++v)
    writeTransaction([&] {
      db->exec(kMigrations[v]);
      db->exec("PRAGMA user_version=" + std::to_string(v + 1));
    });
}

int Storage::schemaVersion() {
  std::lock_guard<std::mutex> lock(mutex);
  return db->execAndGet("PRAGMA user_version").getInt();
}

int Storage::markInterruptedJobs() {
  int changed = 0;
  writeTransaction([&] {
    SQLite::Statement q(*db, "UPDATE jobs SET state='interrupted', finished_at=?, "
                             "error=? WHERE state IN ('queued','running')");
    q.bind(1, nowIso8601());
    q.bind(2, json{{"code", -32010},
                   {"message", "interrupted: the daemon stopped before the job finished"}}
                  .dump());
    changed = q.exec();
  });
  return changed;
}

std::string Storage::integrityCheck() {
  std::lock_guard<std::mutex> lock(mutex);
  return db->execAndGet("PRAGMA integrity_check").getString();
}

std::string Storage::putArtifact(std::string_view bytes, const std::string &mediaType) {
  std::string hash = sha256Hex(bytes);
  writeTransaction([&] {
    SQLite::Statement q(*db, "INSERT OR IGNORE INTO artifacts(hash, media_type, size, data, "
                             "created_at) VALUES(?,?,?,?,?)");
    q.bind(1, hash);
    q.bind(2, mediaType);
    q.bind(3, int64_t(bytes.size()));
    q.bindNoCopy(4, bytes.data(), int(bytes.size()));
    q.bind(5, nowIso8601());
    q.exec();
  });
  return hash;
}

std::optional<Artifact> Storage::getArtifact(const std::string &hash) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, "SELECT media_type, data FROM artifacts WHERE hash=?");
  q.bind(1, hash);
  if (!q.executeStep())
    return std::nullopt;
  SQLite::Column data = q.getColumn(1);
  return Artifact{hash, q.getColumn(0).getString(),
                  std::string(static_cast<const char *>(data.getBlob()), data.getBytes())};
}

std::optional<std::pair<int64_t, std::string>> Storage::artifactInfo(const std::string &hash) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, "SELECT size, media_type FROM artifacts WHERE hash=?");
  q.bind(1, hash);
  if (!q.executeStep())
    return std::nullopt;
  return std::pair{q.getColumn(0).getInt64(), q.getColumn(1).getString()};
}

void Storage::putModel(const ModelRow &row) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "INSERT INTO models(id, name, bytes, artifact, graph_artifact, "
                             "summary, created_at) VALUES(?,?,?,?,?,?,?) ON CONFLICT(id) DO "
                             "UPDATE SET name=excluded.name");
    q.bind(1, row.id);
    q.bind(2, row.name);
    q.bind(3, row.bytes);
    q.bind(4, row.artifact);
    q.bind(5, row.graphArtifact);
    q.bind(6, row.summary.dump());
    q.bind(7, row.createdAt.empty() ? nowIso8601() : row.createdAt);
    q.exec();
  });
}

std::optional<ModelRow> Storage::getModel(const std::string &id) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, std::string("SELECT ") + kModelColumns + " FROM models WHERE id=?");
  q.bind(1, id);
  if (!q.executeStep())
    return std::nullopt;
  return readModel(q);
}

std::vector<ModelRow> Storage::listModels() {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db,
                      std::string("SELECT ") + kModelColumns + " FROM models ORDER BY created_at");
  std::vector<ModelRow> rows;
  while (q.executeStep())
    rows.push_back(readModel(q));
  return rows;
}

void Storage::putCompile(const CompileRow &row) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "INSERT INTO compiles(id, model_id, recipe_hash, cache_key, "
                             "graph_key, summary, created_at) VALUES(?,?,?,?,?,?,?)");
    q.bind(1, row.id);
    q.bind(2, row.modelId);
    q.bind(3, row.recipeHash);
    q.bind(4, row.cacheKey);
    q.bind(5, row.graphKey);
    q.bind(6, row.summary.dump());
    q.bind(7, row.createdAt.empty() ? nowIso8601() : row.createdAt);
    q.exec();
  });
}

static CompileRow readCompile(SQLite::Statement &q) {
  CompileRow row;
  row.id = q.getColumn(0).getString();
  row.modelId = q.getColumn(1).getString();
  row.recipeHash = q.getColumn(2).getString();
  row.cacheKey = q.getColumn(3).getString();
  row.graphKey = q.getColumn(4).getString();
  row.summary = jsonOr(q.getColumn(5));
  row.createdAt = q.getColumn(6).getString();
  return row;
}

std::optional<CompileRow> Storage::getCompile(const std::string &id) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, "SELECT id, model_id, recipe_hash, cache_key, graph_key, summary, "
                           "created_at FROM compiles WHERE id=?");
  q.bind(1, id);
  if (!q.executeStep())
    return std::nullopt;
  return readCompile(q);
}

std::optional<CompileRow> Storage::findCompileByCacheKey(const std::string &cacheKey) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, "SELECT id, model_id, recipe_hash, cache_key, graph_key, summary, "
                           "created_at FROM compiles WHERE cache_key=? ORDER BY created_at "
                           "LIMIT 1");
  q.bind(1, cacheKey);
  if (!q.executeStep())
    return std::nullopt;
  return readCompile(q);
}

void Storage::putGraphCache(const GraphCacheRow &row) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "INSERT OR REPLACE INTO graph_cache(graph_key, graph_ir, record, "
                             "stats, created_at) VALUES(?,?,?,?,?)");
    q.bind(1, row.graphKey);
    q.bind(2, row.graphIRArtifact);
    q.bind(3, row.recordArtifact);
    q.bind(4, row.stats.dump());
    q.bind(5, nowIso8601());
    q.exec();
  });
}

std::optional<GraphCacheRow> Storage::findGraphCache(const std::string &graphKey) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db,
                      "SELECT graph_ir, record, stats FROM graph_cache WHERE graph_key=?");
  q.bind(1, graphKey);
  if (!q.executeStep())
    return std::nullopt;
  return GraphCacheRow{graphKey, q.getColumn(0).getString(), q.getColumn(1).getString(),
                       jsonOr(q.getColumn(2))};
}

void Storage::insertJob(const JobRow &row) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "INSERT INTO jobs(id, kind, state, params, progress, message, "
                             "client, token_id, created_at) VALUES(?,?,?,?,?,?,?,?,?)");
    q.bind(1, row.id);
    q.bind(2, row.kind);
    q.bind(3, row.state);
    q.bind(4, row.params.dump());
    q.bind(5, row.progress);
    q.bind(6, row.message);
    q.bind(7, row.client);
    q.bind(8, row.tokenId);
    q.bind(9, row.createdAt.empty() ? nowIso8601() : row.createdAt);
    q.exec();
  });
}

void Storage::markJobRunning(const std::string &id) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "UPDATE jobs SET state='running', started_at=? WHERE id=? AND "
                             "state='queued'");
    q.bind(1, nowIso8601());
    q.bind(2, id);
    q.exec();
  });
}

void Storage::updateJobProgress(const std::string &id, double progress,
                                const std::string &message) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "UPDATE jobs SET progress=?, message=? WHERE id=? AND state IN "
                             "('queued','running')");
    q.bind(1, progress);
    q.bind(2, message);
    q.bind(3, id);
    q.exec();
  });
}

void Storage::finishJob(const std::string &id, const std::string &state, const json &result,
                        const json &error) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "UPDATE jobs SET state=?, result=?, error=?, finished_at=?, "
                             "progress=CASE WHEN ?='done' THEN 1 ELSE progress END WHERE id=?");
    q.bind(1, state);
    if (result.is_null())
      q.bind(2);
    else
      q.bind(2, result.dump());
    if (error.is_null())
      q.bind(3);
    else
      q.bind(3, error.dump());
    q.bind(4, nowIso8601());
    q.bind(5, state);
    q.bind(6, id);
    q.exec();
  });
}

std::optional<JobRow> Storage::getJob(const std::string &id) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id=?");
  q.bind(1, id);
  if (!q.executeStep())
    return std::nullopt;
  return readJob(q);
}

std::vector<JobRow> Storage::listJobs(const std::string &state, const std::string &kind,
                                      int limit) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, std::string("SELECT ") + kJobColumns +
                               " FROM jobs WHERE (?1='' OR state=?1) AND (?2='' OR kind=?2) "
                               "ORDER BY created_at DESC, rowid DESC LIMIT ?3");
  q.bind(1, state);
  q.bind(2, kind);
  q.bind(3, limit);
  std::vector<JobRow> rows;
  while (q.executeStep())
    rows.push_back(readJob(q));
  return rows;
}

void Storage::putRun(const std::string &id, const std::string &compileId,
                     const std::string &kind, const json &result) {
  writeTransaction([&] {
    SQLite::Statement q(
        *db, "INSERT INTO runs(id, compile_id, kind, result, created_at) VALUES(?,?,?,?,?)");
    q.bind(1, id);
    q.bind(2, compileId);
    q.bind(3, kind);
    q.bind(4, result.dump());
    q.bind(5, nowIso8601());
    q.exec();
  });
}

void Storage::audit(const AuditRow &row) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "INSERT INTO audit_log(at, token_id, role, remote, method, "
                             "target, outcome) VALUES(?,?,?,?,?,?,?)");
    q.bind(1, row.at.empty() ? nowIso8601() : row.at);
    q.bind(2, row.tokenId);
    q.bind(3, row.role);
    q.bind(4, row.remote);
    q.bind(5, row.method);
    q.bind(6, row.target);
    q.bind(7, row.outcome);
    q.exec();
  });
}

std::vector<AuditRow> Storage::listAudit(int limit) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, "SELECT id, at, token_id, role, remote, method, target, outcome "
                           "FROM audit_log ORDER BY id DESC LIMIT ?");
  q.bind(1, limit);
  std::vector<AuditRow> rows;
  while (q.executeStep())
    rows.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                    q.getColumn(2).getString(), q.getColumn(3).getString(),
                    q.getColumn(4).getString(), q.getColumn(5).getString(),
                    q.getColumn(6).getString(), q.getColumn(7).getString()});
  return rows;
}

void Storage::putToken(const TokenRow &row) {
  writeTransaction([&] {
    SQLite::Statement q(*db, "INSERT INTO api_tokens(id, name, role, hash, created_at) "
                             "VALUES(?,?,?,?,?)");
    q.bind(1, row.id);
    q.bind(2, row.name);
    q.bind(3, row.role);
    q.bind(4, row.hash);
    q.bind(5, row.createdAt.empty() ? nowIso8601() : row.createdAt);
    q.exec();
  });
}

static TokenRow readToken(SQLite::Statement &q) {
  return {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
          q.getColumn(3).getString(), q.getColumn(4).getString(), textOr(q.getColumn(5))};
}

std::optional<TokenRow> Storage::findTokenByHash(const std::string &hash) {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, "SELECT id, name, role, hash, created_at, revoked_at FROM "
                           "api_tokens WHERE hash=? AND revoked_at IS NULL");
  q.bind(1, hash);
  if (!q.executeStep())
    return std::nullopt;
  return readToken(q);
}

std::vector<TokenRow> Storage::listTokens() {
  std::lock_guard<std::mutex> lock(mutex);
  SQLite::Statement q(*db, "SELECT id, name, role, hash, created_at, revoked_at FROM "
                           "api_tokens ORDER BY created_at");
  std::vector<TokenRow> rows;
  while (q.executeStep())
    rows.push_back(readToken(q));
  return rows;
}

bool Storage::revokeToken(const std::string &id) {
  int changed = 0;
  writeTransaction([&] {
    SQLite::Statement q(*db, "UPDATE api_tokens SET revoked_at=? WHERE id=? AND revoked_at "
                             "IS NULL");
    q.bind(1, nowIso8601());
    q.bind(2, id);
    changed = q.exec();
  });
  return changed > 0;
}

} // namespace openopt::server
