//===- Config.cpp - openoptd's flags -------------------------------------===//
#include "Config.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <thread>

namespace cl = llvm::cl;
using llvm::createStringError;

namespace openopt::server {
namespace {

cl::OptionCategory category("openoptd options");

cl::opt<std::string> listen("listen", cl::desc("Address to bind (default 127.0.0.1)"),
                            cl::value_desc("ADDRESS"), cl::init("127.0.0.1"), cl::cat(category));
cl::opt<unsigned> port("port", cl::desc("TCP port (default 8787; 0 picks a free one)"),
                       cl::init(8787), cl::cat(category));
cl::opt<std::string> dataDir("data-dir",
                             cl::desc("Where the database lives (default "
                                      "$OPENOPT_DATA_DIR, else $XDG_STATE_HOME/openopt)"),
                             cl::value_desc("DIR"), cl::cat(category));
cl::opt<std::string> tokenFile(
    "token-file",
    cl::desc("Admin token file: used if it exists, else the new token is written there "
             "(mode 0600) instead of being printed"),
    cl::value_desc("FILE"), cl::cat(category));
cl::list<std::string> allowOrigin("allow-origin",
                                  cl::desc("A WebSocket Origin accepted besides the server's own "
                                           "(repeatable, e.g. http://localhost:5173)"),
                                  cl::value_desc("ORIGIN"), cl::cat(category));
cl::list<std::string> agentUrls(
    "agent",
    cl::desc("An openopt-agent (python3 -m openopt.agent) whose devices run and profile jobs may "
             "use: NAME=http://host:port (repeatable; its token from --agent-token-file)"),
    cl::value_desc("NAME=URL"), cl::cat(category));
cl::list<std::string> agentTokenFiles("agent-token-file",
                                      cl::desc("The token of agent NAME, read from FILE "
                                               "(repeatable)"),
                                      cl::value_desc("NAME=FILE"), cl::cat(category));
cl::opt<bool> allowPaths("allow-paths",
                         cl::desc("Let model/import read model files named by path on this "
                                  "machine"),
                         cl::cat(category));
cl::opt<std::string> tlsCert("tls-cert", cl::desc("PEM certificate chain: serve HTTPS/WSS"),
                             cl::value_desc("FILE"), cl::cat(category));
cl::opt<std::string> tlsKey("tls-key", cl::desc("PEM private key for --tls-cert"),
                            cl::value_desc("FILE"), cl::cat(category));
cl::opt<std::string> logFormat("log-format", cl::desc("text (default) or json"),
                               cl::init("text"), cl::cat(category));
cl::opt<std::string> logLevel("log-level", cl::desc("trace, debug, info (default), warn, error"),
                              cl::init("info"), cl::cat(category));
cl::opt<std::string> webuiDir("webui-dir",
                              cl::desc("The built web UI to serve at / (default: webui/dist "
                                       "beside the build, if present)"),
                              cl::value_desc("DIR"), cl::cat(category));
cl::opt<std::string> compilerPath("compiler",
                                  cl::desc("The openopt executable whose language server /lsp "
                                           "runs (default: beside openoptd)"),
                                  cl::value_desc("FILE"), cl::cat(category));
cl::opt<std::string> workerPath("worker",
                                cl::desc("The openopt-worker executable jobs run in (default: "
                                         "beside openoptd)"),
                                cl::value_desc("FILE"), cl::cat(category));
cl::opt<unsigned> workers("workers", cl::desc("Jobs that run at once (default 2)"), cl::init(2),
                          cl::cat(category));
cl::opt<unsigned> ioThreads("io-threads", cl::desc("Network threads (default 2)"), cl::init(2),
                            cl::cat(category));
cl::opt<unsigned> cacheMiB("memory-cache-mib",
                           cl::desc("Size bound of the in-memory compile cache (default 256)"),
                           cl::init(256), cl::cat(category));
cl::opt<unsigned> maxMessageMiB("max-message-mib",
                                cl::desc("Largest WebSocket message or frame (default 64)"),
                                cl::init(64), cl::cat(category));
cl::opt<unsigned> maxModelMiB("max-model-mib", cl::desc("Largest model (default 256)"),
                              cl::init(256), cl::cat(category));
cl::opt<unsigned> maxJobsPerClient("max-jobs-per-client",
                                   cl::desc("Queued and running jobs one connection may have "
                                            "(default 4)"),
                                   cl::init(4), cl::cat(category));
cl::opt<unsigned> jobTimeout("job-timeout", cl::desc("Seconds a job may run (default 600)"),
                             cl::init(600), cl::cat(category));
cl::opt<unsigned> jobMemoryMiB("job-memory-mib",
                               cl::desc("Address space of a job's process (default 16384)"),
                               cl::init(16384), cl::cat(category));

cl::opt<unsigned> workerRetireMiB(
    "worker-retire-mib",
    cl::desc("Resident memory after which a worker is replaced between jobs (default 0: a "
             "quarter of --job-memory-mib, at least 1024)"),
    cl::init(0), cl::cat(category));

cl::opt<unsigned> maxLspSessions("max-lsp-sessions",
                                  cl::desc("WS /lsp connections at once (default 16)"), cl::init(16),
                                  cl::cat(category));
cl::opt<unsigned> lspMemoryMiB("lsp-memory-mib",
                               cl::desc("Address space of one language server process (default 8192)"),
                               cl::init(8192), cl::cat(category));

std::string defaultDataDir() {
  if (auto dir = llvm::sys::Process::GetEnv("OPENOPT_DATA_DIR"); dir && !dir->empty())
    return *dir;
  llvm::SmallString<256> path;
  if (auto state = llvm::sys::Process::GetEnv("XDG_STATE_HOME"); state && !state->empty()) {
    path = *state;
  } else {
    auto home = llvm::sys::Process::GetEnv("HOME");
    path = home ? *home : ".";
    llvm::sys::path::append(path, ".local", "state");
  }
  llvm::sys::path::append(path, "openopt");
  return std::string(path);
}

std::string besideExecutable(const char *argv0, llvm::StringRef name) {
  std::string self = llvm::sys::fs::getMainExecutable(argv0, (void *)&defaultDataDir);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(path, name);
  return std::string(path);
}

} // namespace

std::string ServerConfig::describe() const {
  return llvm::formatv(
      "listen={0}:{1} data-dir={2} tls={3} allow-paths={4} allow-origin=[{5}] workers={6} "
      "io-threads={7} compiler={8} webui={9} max-message={10} max-model={11} "
      "max-jobs-per-client={12} job-timeout={13}s job-memory={14} memory-cache={15} "
      "max-lsp-sessions={16} lsp-memory={17} worker={18} agents=[{19}]",
      listenAddress, port, dataDir, tlsCert.empty() ? "off" : "on", allowPaths,
      llvm::join(allowedOrigins, ","), workers, ioThreads, compilerPath,
      webuiDir.empty() ? "(none)" : webuiDir, limits.maxMessageBytes, limits.maxModelBytes,
      limits.maxJobsPerClient, limits.jobTimeoutSeconds, limits.jobMemoryBytes,
      memoryCacheBytes, limits.maxLspSessions, limits.lspMemoryBytes, workerPath,
      llvm::join(llvm::map_range(agents, [](const AgentConfig &a) { return a.name + "=" + a.url; }),
                 ","));
}

// --agent NAME=URL with --agent-token-file NAME=FILE.
static llvm::Expected<std::vector<AgentConfig>> parseAgents() {
  std::vector<AgentConfig> agents;
  for (const std::string &entry : agentUrls) {
    auto [name, url] = llvm::StringRef(entry).split('=');
    if (name.empty() || url.empty() ||
        !llvm::all_of(name, [](char c) { return llvm::isLower(c) || llvm::isDigit(c) ||
                                                c == '-' || c == '_'; }))
      return createStringError("--agent %s: expected NAME=http://host:port with NAME of "
                               "a-z, 0-9, - and _",
                               entry.c_str());
    if (!url.starts_with("http://"))
      return createStringError("--agent %s: openopt-agent speaks http://", entry.c_str());
    if (llvm::any_of(agents, [&](const AgentConfig &a) { return a.name == name; }))
      return createStringError("--agent %s: a second agent named '%s'", entry.c_str(),
                               name.str().c_str());
    agents.push_back({name.str(), url.str(), ""});
  }
  for (const std::string &entry : agentTokenFiles) {
    auto [name, file] = llvm::StringRef(entry).split('=');
    auto agent = llvm::find_if(agents, [&](const AgentConfig &a) { return a.name == name; });
    if (agent == agents.end())
      return createStringError("--agent-token-file %s: no --agent named '%s'", entry.c_str(),
                               name.str().c_str());
    auto text = llvm::MemoryBuffer::getFile(file);
    if (!text)
      return createStringError("--agent-token-file %s: %s", entry.c_str(),
                               text.getError().message().c_str());
    agent->token = llvm::StringRef((*text)->getBuffer()).split('\n').first.trim().str();
  }
  for (const AgentConfig &agent : agents)
    if (agent.token.empty())
      return createStringError("--agent %s=%s has no token: give --agent-token-file %s=FILE",
                               agent.name.c_str(), agent.url.c_str(), agent.name.c_str());
  return agents;
}

llvm::Expected<ServerConfig> parseServerConfig(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "openoptd: the OpenOptimizer daemon (HTTP + WebSocket "
                                   "JSON-RPC API, compile jobs, storage)\n",
                                   &llvm::errs()))
    return createStringError("invalid command line");
  ServerConfig config;
  config.listenAddress = listen;
  if (port > 65535)
    return createStringError("--port %u is not a TCP port", port.getValue());
  config.port = port;
  config.dataDir = dataDir.empty() ? defaultDataDir() : dataDir.getValue();
  config.tokenFile = tokenFile;
  config.allowedOrigins.assign(allowOrigin.begin(), allowOrigin.end());
  if (auto agents = parseAgents(); !agents)
    return agents.takeError();
  else
    config.agents = std::move(*agents);
  config.allowPaths = allowPaths;
  config.tlsCert = tlsCert;
  config.tlsKey = tlsKey;
  if (config.tlsCert.empty() != config.tlsKey.empty())
    return createStringError("--tls-cert and --tls-key go together");
  if (logFormat != "text" && logFormat != "json")
    return createStringError("--log-format must be text or json, not '%s'",
                             logFormat.getValue().c_str());
  config.logFormat = logFormat;
  config.logLevel = logLevel;
  config.compilerPath =
      compilerPath.empty() ? besideExecutable(argv[0], "openopt") : compilerPath.getValue();
  if (!llvm::sys::fs::can_execute(config.compilerPath))
    return createStringError("the compiler '%s' is not an executable (set --compiler)",
                             config.compilerPath.c_str());
  config.workerPath =
      workerPath.empty() ? besideExecutable(argv[0], "openopt-worker") : workerPath.getValue();
  if (!llvm::sys::fs::can_execute(config.workerPath))
    return createStringError("the worker '%s' is not an executable (set --worker)",
                             config.workerPath.c_str());
  if (webuiDir.empty()) {
    // build/bin/openoptd -> <repository>/webui/dist
    std::string self = llvm::sys::fs::getMainExecutable(argv[0], (void *)&defaultDataDir);
    llvm::SmallString<256> dist(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(llvm::sys::path::parent_path(self))));
    llvm::sys::path::append(dist, "webui", "dist");
    if (llvm::sys::fs::is_directory(dist))
      config.webuiDir = std::string(dist);
  } else {
    config.webuiDir = webuiDir;
  }
  auto positive = [](unsigned value, const char *flag) -> llvm::Error {
    if (value == 0)
      return createStringError("--%s must be at least 1", flag);
    return llvm::Error::success();
  };
  for (auto [value, flag] : {std::pair{workers.getValue(), "workers"},
                             {ioThreads.getValue(), "io-threads"},
                             {maxMessageMiB.getValue(), "max-message-mib"},
                             {maxModelMiB.getValue(), "max-model-mib"},
                             {maxJobsPerClient.getValue(), "max-jobs-per-client"},
                             {jobTimeout.getValue(), "job-timeout"},
                             {jobMemoryMiB.getValue(), "job-memory-mib"},
                             {maxLspSessions.getValue(), "max-lsp-sessions"},
                             {lspMemoryMiB.getValue(), "lsp-memory-mib"}})
    if (auto err = positive(value, flag))
      return std::move(err);
  config.workers = workers;
  config.ioThreads = ioThreads;
  config.memoryCacheBytes = uint64_t(cacheMiB) << 20;
  config.limits.maxMessageBytes = uint64_t(maxMessageMiB) << 20;
  config.limits.maxModelBytes = uint64_t(maxModelMiB) << 20;
  config.limits.maxJobsPerClient = maxJobsPerClient;
  config.limits.jobTimeoutSeconds = jobTimeout;
  config.limits.jobMemoryBytes = uint64_t(jobMemoryMiB) << 20;
  config.limits.workerRetireBytes = uint64_t(workerRetireMiB) << 20;
  config.limits.maxLspSessions = maxLspSessions;
  config.limits.lspMemoryBytes = uint64_t(lspMemoryMiB) << 20;
  return config;
}

} // namespace openopt::server
