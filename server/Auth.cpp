//===- Auth.cpp - tokens stored hashed, roles, Origin ---------------------===//
#include "Auth.h"

#include "Hash.h"

#include "llvm/Support/FileSystem.h"
#include <strings.h>
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace openopt::server {

const char *roleName(Role role) {
  switch (role) {
  case Role::Viewer:
    return "viewer";
  case Role::Editor:
    return "editor";
  case Role::Admin:
    return "admin";
  }
  return "viewer";
}

std::optional<Role> parseRole(const std::string &name) {
  if (name == "viewer")
    return Role::Viewer;
  if (name == "editor")
    return Role::Editor;
  if (name == "admin")
    return Role::Admin;
  return std::nullopt;
}

std::optional<std::string> TokenStore::ensureAdminToken(const std::string &tokenFile,
                                                        std::string &error) {
  if (!tokenFile.empty()) {
    if (auto buffer = llvm::MemoryBuffer::getFile(tokenFile)) {
      std::string token = llvm::StringRef((*buffer)->getBuffer()).trim().str();
      if (token.size() < 16) {
        error = "the token in '" + tokenFile + "' is shorter than 16 characters";
        return std::nullopt;
      }
      if (!storage.findTokenByHash(sha256Hex(token)))
        storage.putToken({randomHex(16), "token-file", "admin", sha256Hex(token), "", ""});
      return std::nullopt;
    }
    auto [token, row] = create("token-file", Role::Admin);
    std::error_code ec;
    llvm::raw_fd_ostream out(tokenFile, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      error = "cannot write '" + tokenFile + "': " + ec.message();
      return std::nullopt;
    }
    out << token << "\n";
    out.close();
    llvm::sys::fs::setPermissions(tokenFile, llvm::sys::fs::owner_read |
                                                 llvm::sys::fs::owner_write);
    return std::nullopt;
  }
  for (const TokenRow &row : storage.listTokens())
    if (row.role == "admin" && row.revokedAt.empty())
      return std::nullopt;
  return create("initial", Role::Admin).first;
}

std::optional<Caller> TokenStore::authenticate(const std::string &token) {
  if (token.empty() || token.size() > 256)
    return std::nullopt;
  std::string hash = sha256Hex(token);
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = verified.find(hash); it != verified.end())
      return it->second;
  }
  auto row = storage.findTokenByHash(hash);
  if (!row)
    return std::nullopt;
  Caller caller{row->id, parseRole(row->role).value_or(Role::Viewer)};
  std::lock_guard<std::mutex> lock(mutex);
  verified[hash] = caller;
  return caller;
}

std::pair<std::string, TokenRow> TokenStore::create(const std::string &name, Role role) {
  std::string token = randomHex(24);
  TokenRow row{randomHex(16), name, roleName(role), sha256Hex(token), nowIso8601(), ""};
  storage.putToken(row);
  return {token, row};
}

bool TokenStore::revoke(const std::string &id) {
  bool revoked = storage.revokeToken(id);
  std::lock_guard<std::mutex> lock(mutex);
  revokedIds.insert(id);
  for (auto it = verified.begin(); it != verified.end();)
    it = it->second.tokenId == id ? verified.erase(it) : std::next(it);
  return revoked;
}

bool TokenStore::isRevoked(const std::string &id) {
  std::lock_guard<std::mutex> lock(mutex);
  return revokedIds.count(id) != 0;
}

bool originAllowed(const std::string &origin, const std::string &host, bool tls,
                   const std::vector<std::string> &allowed) {
  if (origin.empty())
    return true;
  if (origin == (tls ? "https://" : "http://") + host)
    return true;
  for (const std::string &entry : allowed)
    if (entry == origin || entry == "*")
      return true;
  return false;
}

namespace {

std::string percentDecode(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && isxdigit(text[i + 1]) && isxdigit(text[i + 2])) {
      out += char(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

} // namespace

std::string requestToken(const std::string &authorization, const std::string &target,
                         const std::string &cookie) {
  // The scheme name is case-insensitive (RFC 7235).
  if (authorization.size() > 7 && strncasecmp(authorization.c_str(), "bearer ", 7) == 0)
    return authorization.substr(7);
  if (size_t q = target.find('?'); q != std::string::npos) {
    std::string query = target.substr(q + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t end = query.find('&', start);
      std::string pair = query.substr(start, end == std::string::npos ? end : end - start);
      if (pair.rfind("token=", 0) == 0)
        return percentDecode(pair.substr(6));
      if (end == std::string::npos)
        break;
      start = end + 1;
    }
  }
  size_t start = 0;
  while (start < cookie.size()) {
    size_t end = cookie.find(';', start);
    std::string pair = cookie.substr(start, end == std::string::npos ? end : end - start);
    size_t first = pair.find_first_not_of(' ');
    if (first != std::string::npos && pair.compare(first, 14, "openopt_token=") == 0)
      return pair.substr(first + 14);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return "";
}

} // namespace openopt::server
