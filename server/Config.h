//===- Config.h - openoptd's configuration, from flags and environment ----===//
#ifndef OPENOPT_SERVER_CONFIG_H
#define OPENOPT_SERVER_CONFIG_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace openopt::server {

/// Limits that keep one client or one job from hurting the others.
struct Limits {
  uint64_t maxMessageBytes = 64ull << 20;  // one WebSocket message (and frame)
  uint64_t maxModelBytes = 256ull << 20;   // one ONNX model
  uint64_t maxHttpBodyBytes = 1ull << 20;  // an HTTP request body
  unsigned maxBatch = 64;                  // requests in one JSON-RPC batch
  unsigned maxJobsPerClient = 4;           // queued + running jobs of one connection
  unsigned jobTimeoutSeconds = 600;        // wall time of one job
  uint64_t jobMemoryBytes = 16ull << 30;   // address space of one job's process
  uint64_t workerRetireBytes = 0;          // a worker's RSS that retires it; 0: automatic
  uint64_t inlineResultBytes = 1ull << 20; // larger blobs go to /artifacts/<hash>
  unsigned maxLspSessions = 16;            // WS /lsp connections (one language server each)
  uint64_t lspMemoryBytes = 8ull << 30;    // address space of one language server
};

/// An openopt-agent whose devices run and profile jobs may use.
struct AgentConfig {
  std::string name; // [a-z0-9_-]+: devices are NAME/cpu, NAME/cuda:0, ...
  std::string url;  // http://host:port
  std::string token;
};

struct ServerConfig {
  std::string listenAddress = "127.0.0.1";
  uint16_t port = 8787;
  std::string dataDir;      // default $XDG_STATE_HOME/openopt (~/.local/state/openopt)
  std::string tokenFile;    // --token-file: the admin token to install, read from a file
  std::vector<std::string> allowedOrigins;
  bool allowPaths = false;  // model/import may name files on the server
  std::string tlsCert, tlsKey;
  std::string logFormat = "text"; // or "json"
  std::string logLevel = "info";
  std::string webuiDir;     // the built web UI, served at /
  std::string compilerPath; // the `openopt` executable (its language server runs per /lsp session)
  std::string workerPath;   // the `openopt-worker` executable jobs run in
  unsigned ioThreads = 2;
  unsigned workers = 2;     // jobs that run at once
  unsigned requestThreads = 4;
  uint64_t memoryCacheBytes = 256ull << 20;
  Limits limits;
  std::vector<AgentConfig> agents;

  /// One line per setting, for the start-up log.
  std::string describe() const;
};

/// Fills the configuration from argv (llvm::cl flags) and the environment
/// (OPENOPT_DATA_DIR, XDG_STATE_HOME, HOME). Returns an error naming the
/// flag for an invalid value.
llvm::Expected<ServerConfig> parseServerConfig(int argc, char **argv);

} // namespace openopt::server

#endif
