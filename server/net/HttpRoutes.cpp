//===- HttpRoutes.cpp - health, metrics, artifacts, the web UI ------------===//
#include "net/HttpRoutes.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <regex>

namespace openopt::server {
namespace {

std::string mimeType(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".html")
    return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs")
    return "text/javascript; charset=utf-8";
  if (ext == ".css")
    return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map")
    return "application/json";
  if (ext == ".svg")
    return "image/svg+xml";
  if (ext == ".png")
    return "image/png";
  if (ext == ".wasm")
    return "application/wasm";
  if (ext == ".woff2")
    return "font/woff2";
  if (ext == ".ttf")
    return "font/ttf";
  return "application/octet-stream";
}

const char *const kNoWebUi = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>openoptd</title></head>
<body><main><h1>openoptd is running</h1>
<p>The web UI is not built here (no <code>webui/dist</code>; see <code>--webui-dir</code>).
The API is at <code>WS /api</code> (JSON-RPC 2.0; schemas in <code>schemas/api</code>).</p>
</main></body></html>
)";

} // namespace

HttpReply httpError(unsigned status, const std::string &message) {
  HttpReply reply;
  reply.status = status;
  reply.contentType = "application/json";
  reply.body = json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return reply;
}

bool HttpRoutes::isPublicPath(const std::string &path) {
  llvm::StringRef p(path);
  return !(p == "/healthz" || p == "/metrics" || p == "/api" || p == "/lsp" ||
           p == "/artifacts" || p.starts_with("/artifacts/"));
}

HttpReply HttpRoutes::handle(const std::string &method, const std::string &target,
                             const std::string &ifNoneMatch) {
  std::string path = target.substr(0, target.find('?'));
  if (method != "GET" && method != "HEAD")
    return httpError(405, method + " is not allowed here; the API is WS /api");
  if (path == "/healthz") {
    HttpReply reply;
    reply.contentType = "application/json";
    reply.body =
        json{{"status", "ok"},
             {"uptimeSeconds",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - startedAt).count()},
             {"liveJobs", jobs.liveJobs()}}
            .dump();
    return reply;
  }
  if (path == "/metrics") {
    HttpReply reply;
    reply.contentType = "text/plain; version=0.0.4; charset=utf-8";
    reply.body = metrics.prometheusText(jobs.liveJobs());
    return reply;
  }
  if (llvm::StringRef(path).starts_with("/artifacts/")) {
    std::string hash = path.substr(11);
    static const std::regex sha256("^[0-9a-f]{64}$");
    if (!std::regex_match(hash, sha256))
      return httpError(400, "an artifact is named by its SHA-256 (64 lowercase hex digits)");
    std::string etag = "\"" + hash + "\"";
    if (ifNoneMatch == etag || ifNoneMatch == "*") {
      HttpReply reply;
      reply.status = 304;
      reply.headers.push_back({"ETag", etag});
      return reply;
    }
    auto artifact = cache.artifact(hash);
    if (!artifact)
      return httpError(404, "no artifact " + hash);
    HttpReply reply;
    reply.contentType = artifact->mediaType;
    reply.body = artifact->data;
    reply.headers.push_back({"ETag", etag});
    // Content-addressed: the bytes behind a hash never change.
    reply.headers.push_back({"Cache-Control", "private, max-age=31536000, immutable"});
    return reply;
  }
  if (path == "/api" || path == "/lsp")
    return httpError(426, path + " is a WebSocket endpoint");
  return staticFile(path);
}

HttpReply HttpRoutes::staticFile(const std::string &path) {
  if (config.webuiDir.empty()) {
    if (path != "/" && path != "/index.html")
      return httpError(404, "no such page: " + path);
    HttpReply reply;
    reply.contentType = "text/html; charset=utf-8";
    reply.body = kNoWebUi;
    return reply;
  }
  if (path.find("..") != std::string::npos || path.find('\0') != std::string::npos)
    return httpError(400, "bad path");
  std::string file = config.webuiDir + (path == "/" ? "/index.html" : path);
  if (!llvm::sys::fs::is_regular_file(file))
    file = config.webuiDir + "/index.html"; // client-side routes
  auto buffer = llvm::MemoryBuffer::getFile(file, false, false);
  if (!buffer)
    return httpError(404, "no such page: " + path);
  HttpReply reply;
  reply.contentType = mimeType(file);
  reply.body = (*buffer)->getBuffer().str();
  return reply;
}

} // namespace openopt::server
