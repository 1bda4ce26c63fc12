//===- Devices.cpp - where run and profile jobs can run -------------------===//
#include "jobs/Devices.h"

#include "openopt/runtime.h"

#include "llvm/ADT/StringExtras.h"

#include <future>

namespace openopt::server {

using llvm::createStringError;

Devices::Devices(const ServerConfig &config, std::string hostCpu, std::string hostIsa)
    : config(config), cpu(std::move(hostCpu)), isa(std::move(hostIsa)) {}

json Devices::localDevices(std::string &gpuError) const {
  json devices = json::array();
  devices.push_back({{"id", "cpu"}, {"kind", "cpu"}, {"name", cpu}, {"isa", isa},
                     {"where", "local"}});
  size_t count = 0;
  openopt_error *error = nullptr;
  openopt_status status = openopt_gpu_devices(nullptr, 0, &count, &error);
  std::vector<openopt_gpu_device> gpus(count);
  if (status == OPENOPT_OK && count)
    status = openopt_gpu_devices(gpus.data(), gpus.size(), &count, &error);
  if (status != OPENOPT_OK) {
    gpuError = error ? openopt_error_message(error) : openopt_status_name(status);
    openopt_error_free(error);
    return devices;
  }
  if (count == 0)
    gpuError = "the CUDA driver sees no GPU";
  for (const openopt_gpu_device &g : llvm::ArrayRef(gpus).take_front(count))
    devices.push_back({{"id", "cuda:" + std::to_string(g.index)},
                       {"kind", "cuda"},
                       {"name", g.name},
                       {"arch", g.arch},
                       {"memoryBytes", g.memory_bytes},
                       {"driverVersion", g.driver_version},
                       {"multiprocessors", g.multiprocessors},
                       {"where", "local"}});
  return devices;
}

std::string Devices::localGpuError() const {
  std::string error;
  (void)localDevices(error);
  return error;
}

// An agent's devices, as server/info lists them (one entry with the error
// when it cannot be asked or answers nonsense).
static json agentDevices(const AgentConfig &agent) {
  json devices = json::array();
  auto endpoint = agent::parseAgentUrl(agent.url, agent.token);
  llvm::Expected<json> info = endpoint ? agent::AgentClient(*endpoint, 3).info()
                                       : llvm::Expected<json>(endpoint.takeError());
  if (!info) {
    devices.push_back({{"id", agent.name + "/"}, {"kind", "agent"}, {"where", agent.name},
                       {"url", agent.url}, {"error", llvm::toString(info.takeError())}});
    return devices;
  }
  try {
    json cpuInfo = info->value("cpu", json::object());
    json listed = json::array();
    listed.push_back({{"id", agent.name + "/cpu"}, {"kind", "cpu"},
                      {"name", cpuInfo.value("arch", "cpu")}, {"where", agent.name},
                      {"url", agent.url}});
    for (const json &g : info->value("gpus", json::array()))
      listed.push_back({{"id", agent.name + "/cuda:" + std::to_string(g.value("index", 0))},
                        {"kind", "cuda"},
                        {"name", g.value("name", "GPU")},
                        {"arch", g.value("arch", "")},
                        {"memoryBytes", g.value("memory_bytes", uint64_t(0))},
                        {"driverVersion", g.value("driver_version", 0)},
                        {"multiprocessors", g.value("multiprocessors", 0)},
                        {"where", agent.name},
                        {"url", agent.url}});
    for (json &d : listed)
      devices.push_back(std::move(d));
  } catch (const json::exception &e) {
    // An agent whose answer is not what openopt-agent sends is listed, not trusted.
    devices.push_back({{"id", agent.name + "/"}, {"kind", "agent"}, {"where", agent.name},
                       {"url", agent.url},
                       {"error", std::string("its /info is malformed: ") + e.what()}});
  }
  return devices;
}

json Devices::list() const {
  std::string gpuError;
  json devices = localDevices(gpuError);
  // The agents are asked at once (each for at most a few seconds): a dead
  // one costs its timeout, not the sum of theirs.
  std::vector<std::future<json>> answers;
  for (const AgentConfig &agent : config.agents)
    answers.push_back(std::async(std::launch::async, [&agent] { return agentDevices(agent); }));
  for (std::future<json> &answer : answers)
    for (json &d : answer.get())
      devices.push_back(std::move(d));
  return devices;
}

llvm::Expected<DeviceTarget> Devices::resolve(const std::string &id) const {
  llvm::StringRef name = id.empty() ? "cpu" : llvm::StringRef(id);
  auto known = [&] {
    std::vector<std::string> ids = {"cpu", "cuda:N"};
    for (const AgentConfig &agent : config.agents)
      ids.push_back(agent.name + "/cpu, " + agent.name + "/cuda:N");
    return llvm::join(ids, ", ");
  };
  auto [where, local] = name.contains('/') ? name.split('/') : std::pair{llvm::StringRef(), name};
  DeviceTarget target;
  target.id = name.str();
  if (local == "cpu")
    target.kind = "cpu";
  else if (local.consume_front("cuda:") && !local.empty() && local.size() < 6 &&
           llvm::all_of(local, llvm::isDigit))
    target.kind = "cuda";
  else
    return createStringError("no device '%s' (the devices are %s)", id.c_str(), known().c_str());
  if (where.empty()) {
    if (target.kind == "cuda") {
      std::string why;
      json here = localDevices(why);
      if (!why.empty())
        return createStringError("device %s: this daemon has no GPU (%s)", id.c_str(),
                                 why.c_str());
      if (!llvm::any_of(here, [&](const json &d) { return d.value("id", "") == target.id; }))
        return createStringError("no device '%s' (the devices are %s)", id.c_str(),
                                 known().c_str());
    }
    return target;
  }
  auto agent = llvm::find_if(config.agents, [&](const AgentConfig &a) { return a.name == where; });
  if (agent == config.agents.end())
    return createStringError("no agent '%s' (the devices are %s)", where.str().c_str(),
                             known().c_str());
  auto endpoint = agent::parseAgentUrl(agent->url, agent->token);
  if (!endpoint)
    return endpoint.takeError();
  // The agent's GPUs, asked now: a GPU it lacks is refused here.
  if (target.kind == "cuda") {
    auto info = agent::AgentClient(*endpoint, 10).info();
    if (!info)
      return info.takeError();
    int index = std::stoi(local.str());
    bool found = false;
    if (info->contains("gpus") && (*info)["gpus"].is_array())
      for (const json &g : (*info)["gpus"])
        found |= g.is_object() && g.value("index", -1) == index;
    if (!found)
      return createStringError("agent '%s' has no GPU %d (%s)", agent->name.c_str(), index,
                               info->value("gpuError", std::string("see its devices in "
                                                                   "server/info")).c_str());
    target.gpuIndex = index;
  }
  target.agent = std::move(*endpoint);
  target.agentName = agent->name;
  return target;
}

} // namespace openopt::server
