//===- JobMethods.cpp - job/list, get and cancel -------------------------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

namespace openopt::server {

using namespace api;

json Api::jobList(const json &params, CallContext &) {
  json jobs = json::array();
  for (const JobRow &row : services.storage.listJobs(params.value("state", ""),
                                                     params.value("kind", ""),
                                                     params.value("limit", 100)))
    jobs.push_back(jobJson(row, false));
  return {{"jobs", jobs}};
}

json Api::jobGet(const json &params, CallContext &) {
  auto row = services.storage.getJob(params["job"]);
  if (!row)
    throw notFound("no job " + params["job"].get<std::string>());
  return {{"job", jobJson(*row, true)}};
}

json Api::jobCancel(const json &params, CallContext &context) {
  std::string id = params["job"];
  auto row = services.storage.getJob(id);
  if (!row)
    throw notFound("no job " + id);
  if (context.caller.role < Role::Admin && row->tokenId != context.caller.tokenId)
    throw rpc::Error{rpc::kForbidden, "job " + id + " was started with another token; only an "
                                      "admin may cancel it"};
  services.jobs.cancel(id, std::chrono::seconds(5));
  row = services.storage.getJob(id);
  return {{"job", jobJson(*row, true)}};
}

} // namespace openopt::server
