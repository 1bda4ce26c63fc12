//===- RemoteAgent.cpp - `openopt remote --url http://...`: an agent -------===//
//
// With an openopt-agent's URL, `remote run|profile MODEL` compiles the model
// here into a model library (the recipe's target: a cuda recipe for the
// agent's GPU) and runs it there; `remote info` describes the agent. The
// same client (server/agent/AgentClient.h) serves openoptd's runs on an
// agent's device.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "RemoteAgent.h"

#include "agent/AgentClient.h"
#include "openopt/Driver/CompileModel.h"
#include "openopt/Recipe/Recipe.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>

using llvm::createStringError;

namespace openopt::cli {
namespace {

// The model as a library for the recipe's target, in a temporary folder;
// its bytes.
llvm::Expected<std::string> compileLibrary(mlir::MLIRContext &context,
                                           const std::string &modelPath,
                                           const std::string &recipePath) {
  auto recipe = selectedRecipe(recipePath);
  if (!recipe)
    return recipe.takeError();
  driver::CompileRequest request = driver::CompileRequest::fromRecipe(*recipe, false);
  request.modelPath = modelPath;
  request.outputs = RecipeOutputs();
  request.outputs.object = false;
  request.outputs.sharedLibrary = true;
  llvm::SmallString<128> dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("openopt-remote", dir))
    return createStringError("cannot create a temporary folder: %s", ec.message().c_str());
  request.outputDir = std::string(dir);
  std::string library;
  auto result = driver::compileModel(context, request, [&](llvm::StringRef path) {
    if (path.ends_with(".so"))
      library = path.str();
  });
  llvm::Error err = result ? llvm::Error::success() : result.takeError();
  std::string bytes;
  if (!err) {
    auto buffer = llvm::MemoryBuffer::getFile(library, false, false);
    if (buffer)
      bytes = (*buffer)->getBuffer().str();
    else
      err = createStringError("cannot read '%s': %s", library.c_str(),
                              buffer.getError().message().c_str());
  }
  (void)llvm::sys::fs::remove_directories(dir);
  if (err)
    return std::move(err);
  return bytes;
}

void printRun(const nlohmann::json &reply, const std::string &where) {
  const nlohmann::json &latency = reply.value("latencyMs", nlohmann::json::object());
  llvm::outs() << llvm::formatv(
      "ran {0} ({1}) on {2}, device {3}: {4:f3} ms median ({5:f3}-{6:f3}) over {7} runs\n",
      reply.value("library", "").substr(0, 12), reply.value("target", ""), where,
      reply.value("device", ""), latency.value("median", 0.0), latency.value("min", 0.0),
      latency.value("max", 0.0), reply.value("iterations", 0));
  for (const nlohmann::json &out : reply.value("outputs", nlohmann::json::array())) {
    std::string shape;
    for (const nlohmann::json &d : out.value("shape", nlohmann::json::array()))
      shape += (shape.empty() ? "" : ", ") + std::to_string(d.get<int64_t>());
    llvm::outs() << llvm::formatv("  output {0}: {1}[{2}]", out.value("name", ""),
                                  out.value("dtype", ""), shape);
    if (out.contains("mean"))
      llvm::outs() << llvm::formatv(" min {0:g} max {1:g} mean {2:g}", out.value("min", 0.0),
                                    out.value("max", 0.0), out.value("mean", 0.0));
    llvm::outs() << "\n";
  }
}

} // namespace

void printKernelTable(const nlohmann::json &runs, double latencyMs, llvm::raw_ostream &os) {
  struct Row {
    int64_t calls = 0;
    double total = 0;
    size_t first = 0;
  };
  std::map<std::string, Row> rows;
  double busy = 0;
  size_t order = 0;
  for (const nlohmann::json &run : runs)
    for (const nlohmann::json &k : run) {
      auto [it, added] = rows.try_emplace(k.value("name", "?"), Row{0, 0, order++});
      it->second.calls++;
      it->second.total += k.value("milliseconds", 0.0);
      busy += k.value("milliseconds", 0.0);
    }
  std::vector<std::pair<std::string, Row>> sorted(rows.begin(), rows.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
    return a.second.total != b.second.total ? a.second.total > b.second.total
                                            : a.second.first < b.second.first;
  });
  size_t runCount = std::max<size_t>(1, runs.size());
  os << llvm::formatv("{0,-48} {1,6} {2,11} {3,10} {4,7}\n", "GPU kernel", "calls", "total ms",
                      "mean ms", "%");
  for (const auto &[name, row] : sorted)
    os << llvm::formatv("{0,-48} {1,6} {2,11:f4} {3,10:f4} {4,6:f1}%\n", name, row.calls,
                        row.total, row.total / double(row.calls),
                        busy > 0 ? 100 * row.total / busy : 0.0);
  os << llvm::formatv("kernels: {0:f4} ms per run; the run: {1:f4} ms (kernels {2:f1}% of it)\n",
                      busy / double(runCount), latencyMs,
                      latencyMs > 0 ? 100 * busy / double(runCount) / latencyMs : 0.0);
}

int runOnAgent(mlir::MLIRContext &context, const std::string &url, const std::string &token,
               llvm::ArrayRef<std::string> words, const RemoteRunOptions &options) {
  auto endpoint = agent::parseAgentUrl(url, token);
  if (!endpoint)
    return reportError(endpoint.takeError());
  agent::AgentClient client(*endpoint);
  const std::string &action = words[0];
  if (action == "info") {
    auto info = client.info();
    if (!info)
      return reportError(info.takeError());
    llvm::outs() << info->dump(2) << "\n";
    return 0;
  }
  if (action != "run" && action != "profile")
    return reportError(createStringError(
        "unknown command '%s' for an agent (info, run MODEL, profile MODEL)", action.c_str()));
  if (words.size() != 2)
    return reportError(createStringError("usage: openopt remote --url http://HOST:PORT %s MODEL "
                                         "[--recipe R]",
                                         action.c_str()));
  auto library = compileLibrary(context, words[1], options.recipePath);
  if (!library)
    return reportError(library.takeError());
  auto uploaded = client.upload(*library);
  if (!uploaded)
    return reportError(uploaded.takeError());
  nlohmann::json request = {{"library", (*uploaded)["id"]},
                            {"seed", options.seed},
                            {"iterations", options.iterations},
                            {"profile", action == "profile"}};
  auto reply = client.run(request);
  if (!reply)
    return reportError(reply.takeError());
  if (options.json) {
    llvm::outs() << reply->dump(2) << "\n";
    return 0;
  }
  printRun(*reply, url);
  if (action == "profile") {
    if (reply->contains("kernels") && (*reply)["kernels"].is_array())
      printKernelTable((*reply)["kernels"],
                       reply->value("latencyMs", nlohmann::json::object()).value("median", 0.0),
                       llvm::outs());
    else
      llvm::outs() << "note: " << reply->value("profileNote", "no kernel times") << "\n";
  }
  return 0;
}

} // namespace openopt::cli
