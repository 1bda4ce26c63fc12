//===- RemoteAgent.h - `openopt remote` against an openopt-agent -*- C++ -*-===//
#ifndef OPENOPT_TOOLS_OPENOPT_REMOTEAGENT_H
#define OPENOPT_TOOLS_OPENOPT_REMOTEAGENT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace openopt::cli {

struct RemoteRunOptions {
  std::string recipePath;
  uint32_t seed = 1;
  unsigned iterations = 10;
  bool json = false;
};

/// `openopt remote --url http://HOST:PORT info | run MODEL | profile MODEL`:
/// compiles here, runs on the agent. Returns the exit code.
int runOnAgent(mlir::MLIRContext &context, const std::string &url, const std::string &token,
               llvm::ArrayRef<std::string> words, const RemoteRunOptions &options);

/// The GPU kernels of profiled runs (a list per run of {name, milliseconds}),
/// summed by kernel, longest first, against the run's latency.
void printKernelTable(const nlohmann::json &runs, double latencyMs, llvm::raw_ostream &os);

} // namespace openopt::cli

#endif
