//===- JsonRpc.h - JSON-RPC 2.0 messages of the /api protocol --*- C++ -*-===//
#ifndef OPENOPT_SERVER_JSONRPC_H
#define OPENOPT_SERVER_JSONRPC_H

#include <nlohmann/json.hpp>

#include <string>

namespace openopt::server::rpc {

using nlohmann::json;

enum ErrorCode {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kServerError = -32000,   // storage or another failure inside the daemon
  kForbidden = -32001,     // the token's role may not call the method
  kNotFound = -32002,      // no such model, compile, job, artifact or token
  kLimitExceeded = -32003, // too many jobs, too large, too many in a batch
  kNotAllowed = -32004,    // a disabled feature (e.g. paths without --allow-paths)
};

/// A failed call; handlers throw it and the dispatcher answers with it.
struct Error {
  int code;
  std::string message;
  json data = nullptr;
};

inline json makeError(const json &id, const Error &error) {
  json e = {{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null())
    e["data"] = error.data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", e}};
}

inline json makeResult(const json &id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

inline json makeNotification(const std::string &method, json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

/// Client strings may carry invalid UTF-8 only inside base64 we decoded;
/// still, never throw while answering.
inline std::string serialize(const json &message) {
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace openopt::server::rpc

#endif
