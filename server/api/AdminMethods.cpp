//===- AdminMethods.cpp - tokens and the audit log -----------------------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

namespace openopt::server {

using namespace api;

json Api::tokenCreate(const json &params, CallContext &) {
  auto [token, row] = services.tokens.create(params["name"], *parseRole(params["role"]));
  return {{"token", token}, {"info", tokenJson(row)}};
}

json Api::tokenList(const json &, CallContext &) {
  json tokens = json::array();
  for (const TokenRow &row : services.storage.listTokens())
    tokens.push_back(tokenJson(row));
  return {{"tokens", tokens}};
}

json Api::tokenRevoke(const json &params, CallContext &) {
  return {{"revoked", services.tokens.revoke(params["id"])}};
}

json Api::auditList(const json &params, CallContext &) {
  json entries = json::array();
  for (const AuditRow &row : services.storage.listAudit(params.value("limit", 100)))
    entries.push_back({{"id", row.id},
                       {"at", row.at},
                       {"tokenId", row.tokenId},
                       {"role", row.role},
                       {"remote", row.remote},
                       {"method", row.method},
                       {"target", row.target},
                       {"outcome", row.outcome}});
  return {{"entries", entries}};
}

} // namespace openopt::server
