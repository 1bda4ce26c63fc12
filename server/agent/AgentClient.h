//===- AgentClient.h - talk to an openopt-agent over HTTP ------*- C++ -*-===//
//
// openopt-agent (python/openopt/agent.py) runs model libraries compiled
// elsewhere on a machine with the runtime and no compiler (a GPU server).
// This is its client, the one both `openopt remote --url http://...` and
// openoptd (for a run or profile on an agent's device) use.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_AGENT_AGENTCLIENT_H
#define OPENOPT_SERVER_AGENT_AGENTCLIENT_H

#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <string>

namespace openopt::agent {

struct AgentEndpoint {
  std::string url; // as given, for messages
  std::string host, port;
  std::string token;
};

/// "http://host:port" (the agent speaks plain HTTP; put TLS in front of it).
llvm::Expected<AgentEndpoint> parseAgentUrl(const std::string &url, std::string token);

class AgentClient {
public:
  explicit AgentClient(AgentEndpoint endpoint, unsigned timeoutSeconds = 900)
      : endpoint(std::move(endpoint)), timeoutSeconds(timeoutSeconds) {}

  /// GET /info: the agent's runtime, CPU and GPUs (or why none).
  llvm::Expected<nlohmann::json> info();
  /// Sends `library` (a model library's bytes) unless the agent has it
  /// already; returns its description ("id" is its SHA-256).
  llvm::Expected<nlohmann::json> upload(const std::string &library);
  /// POST /run of an uploaded library ({"library": id, "seed", "iterations",
  /// "profile", ...}).
  llvm::Expected<nlohmann::json> run(const nlohmann::json &request);

  const AgentEndpoint &where() const { return endpoint; }

private:
  struct Reply {
    unsigned status = 0;
    std::string body;
  };
  llvm::Expected<Reply> request(const std::string &method, const std::string &target,
                                const std::string &body, const std::string &contentType);
  /// The reply's JSON, or an error with the agent's message.
  llvm::Expected<nlohmann::json> json(llvm::Expected<Reply> reply, const std::string &what);

  AgentEndpoint endpoint;
  unsigned timeoutSeconds;
};

} // namespace openopt::agent

#endif
