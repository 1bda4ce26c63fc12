//===- WorkerProtocol.cpp - the daemon <-> worker messages ----------------===//
#include "worker/WorkerProtocol.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

using llvm::createStringError;

namespace openopt::server::worker {
namespace {

void putU32(std::string &out, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(char((v >> (8 * i)) & 0xff));
}

uint32_t getU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= uint32_t(uint8_t(in[i])) << (8 * i);
  return v;
}

// The blob sizes a header announces, checked.
llvm::Expected<std::vector<uint64_t>> blobSizes(const json &header) {
  std::vector<uint64_t> sizes;
  auto it = header.find("blobs");
  if (it == header.end())
    return sizes;
  if (!it->is_array())
    return createStringError("worker message: \"blobs\" is not an array");
  uint64_t total = 0;
  for (const json &size : *it) {
    if (!size.is_number_unsigned())
      return createStringError("worker message: a blob size is not a non-negative integer");
    uint64_t n = size.get<uint64_t>();
    if (n > kMaxBlobBytes || total + n > kMaxBlobBytes)
      return createStringError("worker message: blobs larger than %llu bytes",
                               (unsigned long long)kMaxBlobBytes);
    total += n;
    sizes.push_back(n);
  }
  return sizes;
}

llvm::Expected<json> parseHeader(std::string_view text) {
  json header = json::parse(text, nullptr, false);
  if (header.is_discarded() || !header.is_object())
    return createStringError("worker message: the header is not a JSON object");
  if (header.value("v", 0) != kProtocolVersion)
    return createStringError("worker message: protocol version %s, expected %d",
                             header.contains("v") ? header["v"].dump().c_str() : "missing",
                             kProtocolVersion);
  return header;
}

// Reads exactly `size` bytes; false at end of file.
llvm::Expected<bool> readExactly(int fd, char *data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, data + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return createStringError("worker pipe: %s", std::strerror(errno));
    if (n == 0)
      return false;
    done += size_t(n);
  }
  return true;
}

} // namespace

std::string encodeMessage(const Message &message) {
  json header = message.header;
  header["v"] = kProtocolVersion;
  json sizes = json::array();
  for (const std::string &blob : message.blobs)
    sizes.push_back(uint64_t(blob.size()));
  header["blobs"] = std::move(sizes);
  std::string text = header.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  size_t total = 4 + text.size();
  for (const std::string &blob : message.blobs)
    total += blob.size();
  out.reserve(total);
  putU32(out, uint32_t(text.size()));
  out += text;
  for (const std::string &blob : message.blobs)
    out += blob;
  return out;
}

llvm::Expected<std::optional<Message>> MessageDecoder::next() {
  if (buffer.size() < 4)
    return std::nullopt;
  uint32_t headerBytes = getU32(buffer);
  if (headerBytes > kMaxHeaderBytes)
    return createStringError("worker message: a header of %u bytes (at most %u)", headerBytes,
                             kMaxHeaderBytes);
  if (buffer.size() < 4 + size_t(headerBytes))
    return std::nullopt;
  auto header = parseHeader(std::string_view(buffer).substr(4, headerBytes));
  if (!header)
    return header.takeError();
  auto sizes = blobSizes(*header);
  if (!sizes)
    return sizes.takeError();
  uint64_t needed = 4 + uint64_t(headerBytes);
  for (uint64_t n : *sizes)
    needed += n;
  if (buffer.size() < needed)
    return std::nullopt;
  Message message;
  message.header = std::move(*header);
  size_t at = 4 + headerBytes;
  for (uint64_t n : *sizes) {
    message.blobs.emplace_back(buffer, at, n);
    at += n;
  }
  buffer.erase(0, at);
  return message;
}

llvm::Error writeMessage(int fd, const Message &message) {
  std::string frame = encodeMessage(message);
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::write(fd, frame.data() + done, frame.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return createStringError("worker pipe: %s", std::strerror(errno));
    done += size_t(n);
  }
  return llvm::Error::success();
}

llvm::Expected<std::optional<Message>> readMessage(int fd) {
  char prefix[4];
  auto got = readExactly(fd, prefix, 4);
  if (!got)
    return got.takeError();
  if (!*got)
    return std::nullopt;
  uint32_t headerBytes = getU32(std::string_view(prefix, 4));
  if (headerBytes > kMaxHeaderBytes)
    return createStringError("worker message: a header of %u bytes (at most %u)", headerBytes,
                             kMaxHeaderBytes);
  std::string text(headerBytes, '\0');
  auto full = readExactly(fd, text.data(), text.size());
  if (!full)
    return full.takeError();
  if (!*full)
    return createStringError("worker pipe: closed inside a message");
  auto header = parseHeader(text);
  if (!header)
    return header.takeError();
  auto sizes = blobSizes(*header);
  if (!sizes)
    return sizes.takeError();
  Message message;
  message.header = std::move(*header);
  for (uint64_t n : *sizes) {
    std::string blob(n, '\0');
    auto ok = readExactly(fd, blob.data(), blob.size());
    if (!ok)
      return ok.takeError();
    if (!*ok)
      return createStringError("worker pipe: closed inside a message");
    message.blobs.push_back(std::move(blob));
  }
  return message;
}

json toJson(const CpuPipelineOptions &o) {
  return {{"threads", o.threads},     {"vectorizeMatmul", o.vectorizeMatmul},
          {"splitKernels", o.splitKernels},
          {"graphPasses", o.graphPasses}, {"vectorBits", o.vectorBits},
          {"tiles", {o.tileM, o.tileN, o.tileK}}, {"profile", o.profile},
          {"returnOutputs", o.returnOutputs}};
}

CpuPipelineOptions cpuOptionsFromJson(const json &v) {
  CpuPipelineOptions o;
  o.threads = v.value("threads", o.threads);
  o.vectorizeMatmul = v.value("vectorizeMatmul", o.vectorizeMatmul);
  o.splitKernels = v.value("splitKernels", o.splitKernels);
  o.graphPasses = v.value("graphPasses", o.graphPasses);
  o.vectorBits = v.value("vectorBits", o.vectorBits);
  if (auto tiles = v.find("tiles"); tiles != v.end() && tiles->is_array() && tiles->size() == 3) {
    o.tileM = (*tiles)[0].get<int>();
    o.tileN = (*tiles)[1].get<int>();
    o.tileK = (*tiles)[2].get<int>();
  }
  o.profile = v.value("profile", o.profile);
  o.returnOutputs = v.value("returnOutputs", o.returnOutputs);
  return o;
}

json toJson(const RecipeOutputs &o) {
  return {{"passRecord", o.passRecord}, {"graphIR", o.graphIR}, {"llvmDialect", o.llvmDialect},
          {"llvmIR", o.llvmIR},         {"object", o.object},
          {"sharedLibrary", o.sharedLibrary}, {"weightsFile", o.weightsFile}, {"ptx", o.ptx}};
}

RecipeOutputs outputsFromJson(const json &v) {
  RecipeOutputs o;
  o.passRecord = v.value("passRecord", o.passRecord);
  o.graphIR = v.value("graphIR", o.graphIR);
  o.llvmDialect = v.value("llvmDialect", o.llvmDialect);
  o.llvmIR = v.value("llvmIR", o.llvmIR);
  o.object = v.value("object", o.object);
  o.sharedLibrary = v.value("sharedLibrary", o.sharedLibrary);
  o.weightsFile = v.value("weightsFile", o.weightsFile);
  o.ptx = v.value("ptx", o.ptx);
  return o;
}

json toJson(const std::vector<RecipePass> &passes) {
  json out = json::array();
  for (const RecipePass &p : passes) {
    json options = json::array(); // pairs, in the recipe's order
    for (const auto &[name, value] : p.options)
      options.push_back({name, value});
    out.push_back({{"name", p.name}, {"options", options}});
  }
  return out;
}

std::vector<RecipePass> passesFromJson(const json &value) {
  std::vector<RecipePass> passes;
  if (!value.is_array())
    return passes;
  for (const json &p : value) {
    RecipePass pass;
    pass.name = p.value("name", "");
    for (const json &option : p.value("options", json::array()))
      if (option.is_array() && option.size() == 2 && option[0].is_string() && option[1].is_string())
        pass.options.emplace_back(option[0].get<std::string>(), option[1].get<std::string>());
    passes.push_back(std::move(pass));
  }
  return passes;
}

} // namespace openopt::server::worker
