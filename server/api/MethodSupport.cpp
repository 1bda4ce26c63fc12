//===- MethodSupport.cpp - what the API's methods share -------------------===//
#include "api/MethodSupport.h"

namespace openopt::server::api {

rpc::Error invalidParams(const std::string &pointer, const std::string &message) {
  return {rpc::kInvalidParams, "invalid params at " + (pointer.empty() ? "/" : pointer) + ": " +
                                   message,
          {{"pointer", pointer}, {"message", message}}};
}

rpc::Error notFound(const std::string &what) { return {rpc::kNotFound, what}; }


json jobJson(const JobRow &row, bool withDetails) {
  json job = {{"id", row.id},          {"kind", row.kind},
              {"state", row.state},    {"progress", row.progress},
              {"message", row.message}, {"createdAt", row.createdAt}};
  if (!row.startedAt.empty())
    job["startedAt"] = row.startedAt;
  if (!row.finishedAt.empty())
    job["finishedAt"] = row.finishedAt;
  if (!row.error.is_null())
    job["error"] = row.error;
  if (withDetails) {
    job["params"] = row.params;
    if (!row.result.is_null())
      job["result"] = row.result;
  }
  return job;
}

json tokenJson(const TokenRow &row) {
  json token = {{"id", row.id}, {"name", row.name}, {"role", row.role},
                {"createdAt", row.createdAt}};
  if (!row.revokedAt.empty())
    token["revokedAt"] = row.revokedAt;
  return token;
}

} // namespace openopt::server::api
