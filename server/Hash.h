//===- Hash.h - content hashes and random tokens ----------------*- C++ -*-===//
#ifndef OPENOPT_SERVER_HASH_H
#define OPENOPT_SERVER_HASH_H

#include <string>
#include <string_view>

namespace openopt::server {

/// SHA-256 of `bytes`, 64 lowercase hex digits.
std::string sha256Hex(std::string_view bytes);

/// `bytes` random bytes from the OS CSPRNG, as hex.
std::string randomHex(size_t bytes);

} // namespace openopt::server

#endif
