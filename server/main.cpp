//===- main.cpp - openoptd: the OpenOptimizer daemon ----------------------===//
#include "api/Api.h"
#include "Auth.h"
#include "storage/CompileCache.h"
#include "jobs/CompileService.h"
#include "Config.h"
#include "net/HttpRoutes.h"
#include "jobs/JobQueue.h"
#include "Log.h"
#include "Metrics.h"
#include "net/Server.h"
#include "storage/Storage.h"

#include "openopt/InitOpenOpt.h"

#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <csignal>
#include <cstdio>
#include <thread>

using namespace openopt::server;

namespace {

// Stops the server from a thread that waits for SIGINT/SIGTERM.
void stopOnSignals(Server &server) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  std::thread([signals, &server]() mutable {
    int received = 0;
    sigwait(&signals, &received);
    logEvent(spdlog::level::info, "shutdown", {{"signal", received}});
    server.stop();
  }).detach();
}

int fail(const std::string &message) {
  logEvent(spdlog::level::critical, "startup_failed", {{"error", message}});
  llvm::errs() << "openoptd: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Block the stop signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto config = parseServerConfig(argc, argv);
  if (!config) {
    llvm::errs() << "openoptd: error: " << llvm::toString(config.takeError()) << "\n";
    return 1;
  }
  initLogging(config->logFormat, config->logLevel);
  logEvent(spdlog::level::info, "config", {{"settings", config->describe()}});

  // Recipes are checked against the live pass registry.
  mlir::DialectRegistry registry;
  openopt::registerAllDialectsAndPasses(registry);

  auto storage = Storage::open(config->dataDir);
  if (!storage)
    return fail(llvm::toString(storage.takeError()));
  int interrupted = 0;
  try {
    interrupted = (*storage)->markInterruptedJobs();
  } catch (const std::exception &e) {
    return fail(std::string("cannot update the database: ") + e.what());
  }
  logEvent(spdlog::level::info, "storage.open",
           {{"path", config->dataDir + "/openopt.db"},
            {"schemaVersion", (*storage)->schemaVersion()},
            {"interruptedJobs", interrupted}});

  // Scratch directories of jobs a crash interrupted.
  llvm::sys::fs::remove_directories(config->dataDir + "/jobs");

  auto schemas = loadApiSchemas();
  if (!schemas)
    return fail(llvm::toString(schemas.takeError()));

  TokenStore tokens(**storage);
  std::string tokenError;
  std::optional<std::string> newToken;
  try {
    newToken = tokens.ensureAdminToken(config->tokenFile, tokenError);
  } catch (const std::exception &e) {
    tokenError = e.what();
  }
  if (!tokenError.empty())
    return fail(tokenError);

  Metrics metrics;
  CompileCache cache(**storage, config->memoryCacheBytes);
  CompileService compiler(*config, **storage, metrics, cache);
  JobQueue jobs(**storage, metrics, config->workers, config->limits.jobTimeoutSeconds);
  Api api({*config, **storage, tokens, jobs, compiler, cache, metrics, *schemas});
  HttpRoutes routes(*config, cache, metrics, jobs);
  Server server(*config, api, tokens, routes, metrics);
  if (auto err = server.listen())
    return fail(llvm::toString(std::move(err)));

  std::string scheme = config->tlsCert.empty() ? "http" : "https";
  std::string url = scheme + "://" + config->listenAddress + ":" + std::to_string(server.port()) + "/";
  logEvent(spdlog::level::info, "listening",
           {{"url", url}, {"compilerVersion", compiler.compilerVersion()}});
  // stdout: the address, and a new admin token once (like Jupyter).
  std::printf("openoptd listening on %s\n", url.c_str());
  if (newToken)
    std::printf("admin token (shown once, stored hashed): %s\nopen %s?token=%s\n",
                newToken->c_str(), url.c_str(), newToken->c_str());
  std::fflush(stdout);

  stopOnSignals(server);
  server.run();
  jobs.shutdown();
  logEvent(spdlog::level::info, "stopped");
  return 0;
}
