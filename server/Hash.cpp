//===- Hash.cpp - SHA-256 and randomness through OpenSSL ------------------===//
#include "Hash.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace openopt::server {
namespace {

std::string toHex(const unsigned char *data, size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    hex[2 * i] = digits[data[i] >> 4];
    hex[2 * i + 1] = digits[data[i] & 15];
  }
  return hex;
}

} // namespace

std::string sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  if (!EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 failed");
  return toHex(digest, size);
}

std::string randomHex(size_t bytes) {
  std::string buffer(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char *>(buffer.data()), int(bytes)) != 1)
    throw std::runtime_error("no randomness available");
  return toHex(reinterpret_cast<const unsigned char *>(buffer.data()), bytes);
}

} // namespace openopt::server
