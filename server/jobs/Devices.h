//===- Devices.h - where run and profile jobs can run ----------*- C++ -*-===//
//
// The daemon's CPU ("cpu"), its GPUs ("cuda:0", ...: through the runtime's
// CUDA driver loader, when there is a driver) and the devices of the
// openopt-agents it was given (--agent NAME=URL: "NAME/cpu",
// "NAME/cuda:0"). server/info lists them; run/start and profile/start name
// one.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_DEVICES_H
#define OPENOPT_SERVER_DEVICES_H

#include "Config.h"
#include "agent/AgentClient.h"

#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace openopt::server {

using json = nlohmann::json;

struct DeviceTarget {
  std::string id;   // as named ("cpu", "cuda:0", "gpu1/cuda:0")
  std::string kind; // "cpu" or "cuda"
  /// Set for an agent's device: where it is.
  std::optional<agent::AgentEndpoint> agent;
  std::string agentName;
  int gpuIndex = 0; // which of its GPUs, for kind "cuda"
};

class Devices {
public:
  Devices(const ServerConfig &config, std::string hostCpu, std::string hostIsa);

  /// Every device (each agent asked now, briefly): {id, kind, name, where,
  /// ...}; an agent that does not answer is listed with its error.
  json list() const;
  /// Why the daemon has no GPU of its own ("" when it has).
  std::string localGpuError() const;

  /// The device `id` names ("" is "cpu"), or an error listing the ones there
  /// are.
  llvm::Expected<DeviceTarget> resolve(const std::string &id) const;

private:
  json localDevices(std::string &gpuError) const;
  const ServerConfig &config;
  std::string cpu, isa;
};

} // namespace openopt::server

#endif
