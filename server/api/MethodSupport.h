//===- MethodSupport.h - what the API's methods share ------------*- C++ -*-===//
#ifndef OPENOPT_SERVER_API_METHODSUPPORT_H
#define OPENOPT_SERVER_API_METHODSUPPORT_H

#include "api/JsonRpc.h"
#include "storage/Storage.h"

#include <chrono>
#include <string>

namespace openopt::server::api {

using Clock = std::chrono::steady_clock;

/// -32602 naming the JSON pointer of the bad parameter.
rpc::Error invalidParams(const std::string &pointer, const std::string &message);
rpc::Error notFound(const std::string &what);
/// A job as the API shows it (job.schema.json); params and result only with details.
json jobJson(const JobRow &row, bool withDetails);
json tokenJson(const TokenRow &row);

} // namespace openopt::server::api

#endif // OPENOPT_SERVER_API_METHODSUPPORT_H
