//===- Base64.h - RFC 4648 base64 with strict decoding ---------*- C++ -*-===//
#ifndef OPENOPT_SERVER_BASE64_H
#define OPENOPT_SERVER_BASE64_H

#include <optional>
#include <string>
#include <string_view>

namespace openopt::server {

std::string base64Encode(std::string_view bytes);

/// The decoded bytes, or nullopt with `badOffset` set to the first
/// character that is not base64 (or the length when padding is wrong).
std::optional<std::string> base64Decode(std::string_view text, size_t &badOffset);

} // namespace openopt::server

#endif
