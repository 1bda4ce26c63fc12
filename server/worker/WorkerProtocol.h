//===- WorkerProtocol.h - the daemon <-> worker messages --------*- C++ -*-===//
//
// The daemon hands jobs to long-lived `openopt-worker` processes over a pipe.
// One message is a frame:
//
//   u32 (little-endian) header length | header (JSON text) | blob bytes...
//
// The header carries the protocol version ("v"), the request id ("id"),
// either "method" and "params" (a request) or "result" / "error" (a reply),
// and "blobs": the sizes of the binary payloads that follow it in order
// (model bytes, tensors, object files), so large data never goes through
// JSON text or base64.
//
// The worker exits with kOutOfMemoryExit when an allocation fails (its
// address space is limited with RLIMIT_AS), so the daemon can tell that from
// a crash by the exit status alone.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_WORKER_WORKERPROTOCOL_H
#define OPENOPT_SERVER_WORKER_WORKERPROTOCOL_H

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Recipe/Recipe.h"

#include <nlohmann/json.hpp>

#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openopt::server::worker {

using nlohmann::json;

constexpr int kProtocolVersion = 1;
/// Exit status of a worker whose allocation failed (sysexits' EX_TEMPFAIL).
constexpr int kOutOfMemoryExit = 75;
/// Largest header accepted (the JSON part of a frame).
constexpr uint32_t kMaxHeaderBytes = 64u << 20;
/// Largest sum of a frame's blobs.
constexpr uint64_t kMaxBlobBytes = uint64_t(16) << 30;

struct Message {
  json header = json::object();
  std::vector<std::string> blobs;
};

/// The frame of `message`; sets header "v" and "blobs".
std::string encodeMessage(const Message &message);

/// Cuts frames out of a byte stream fed in pieces (the daemon reads the
/// worker's non-blocking pipe).
class MessageDecoder {
public:
  void feed(std::string_view bytes) { buffer.append(bytes); }
  /// The next whole message, nullopt when more bytes are needed, or an error
  /// naming what is wrong with the stream (then it cannot continue).
  llvm::Expected<std::optional<Message>> next();
  /// Bytes received but not yet returned as a message.
  size_t pending() const { return buffer.size(); }

private:
  std::string buffer;
};

/// Writes a whole frame to a blocking descriptor.
llvm::Error writeMessage(int fd, const Message &message);
/// Reads one frame from a blocking descriptor; nullopt at end of file
/// before a frame starts.
llvm::Expected<std::optional<Message>> readMessage(int fd);

// Typed parts of requests: the daemon parses a recipe once and sends what
// it resolved to, never the recipe text.
json toJson(const CpuPipelineOptions &options);
CpuPipelineOptions cpuOptionsFromJson(const json &value);
json toJson(const RecipeOutputs &outputs);
RecipeOutputs outputsFromJson(const json &value);
json toJson(const std::vector<RecipePass> &passes);
std::vector<RecipePass> passesFromJson(const json &value);

} // namespace openopt::server::worker

#endif // OPENOPT_SERVER_WORKER_WORKERPROTOCOL_H
