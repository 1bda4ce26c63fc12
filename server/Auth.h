//===- Auth.h - API tokens, roles and the Origin check ---------*- C++ -*-===//
#ifndef OPENOPT_SERVER_AUTH_H
#define OPENOPT_SERVER_AUTH_H

#include "storage/Storage.h"

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace openopt::server {

enum class Role { Viewer = 0, Editor = 1, Admin = 2 };
const char *roleName(Role role);
std::optional<Role> parseRole(const std::string &name);

/// Who is calling: the token's id and role.
struct Caller {
  std::string tokenId;
  Role role = Role::Viewer;
};

class TokenStore {
public:
  explicit TokenStore(Storage &storage) : storage(storage) {}

  /// Makes sure an admin token exists. With `tokenFile`: the file's token is
  /// installed (or a new one is written to it). Without: a new token is
  /// created when the database has none. Returns a token to print once.
  std::optional<std::string> ensureAdminToken(const std::string &tokenFile, std::string &error);

  std::optional<Caller> authenticate(const std::string &token);

  /// A new random token; only its hash is stored.
  std::pair<std::string, TokenRow> create(const std::string &name, Role role);
  bool revoke(const std::string &id);
  /// Whether a token revoked while its connections stay open.
  bool isRevoked(const std::string &id);

private:
  Storage &storage;
  std::mutex mutex;
  std::map<std::string, Caller> verified; // token hash -> caller
  std::set<std::string> revokedIds;
};

/// Whether a WebSocket handshake from `origin` may proceed: no Origin (not a
/// browser), the server's own origin (same scheme, host and port as `host`),
/// or one of `allowed`.
bool originAllowed(const std::string &origin, const std::string &host, bool tls,
                   const std::vector<std::string> &allowed);

/// The token of a request: `Authorization: Bearer`, the `token` query
/// parameter, or the `openopt_token` cookie.
std::string requestToken(const std::string &authorization, const std::string &target,
                         const std::string &cookie);

} // namespace openopt::server

#endif
