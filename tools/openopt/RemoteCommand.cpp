//===- RemoteCommand.cpp - openopt remote: the CLI as an openoptd client --===//
//
// `openopt remote --url ws://host:port --token T compile model.onnx
// --recipe r.json` imports the model into a running daemon, compiles it
// there and prints the result; `info` prints what the daemon is. It speaks
// the same JSON-RPC API as the web UI (schemas/api).
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "RemoteAgent.h"

#include "llvm/Support/Base64.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <regex>

namespace cl = llvm::cl;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using llvm::createStringError;

namespace openopt::cli {

cl::SubCommand remoteCommand(
    "remote", "Use a running openoptd (--url ws://...): `remote compile|run|profile MODEL [--recipe "
              "R] [--device D]` does it there; or an openopt-agent (--url http://...): `remote "
              "run|profile MODEL` compiles here and runs there; `remote info` describes either");

static cl::opt<std::string> url("url",
                                cl::desc("The daemon's API (ws://host:port or wss://...), or an "
                                         "openopt-agent (http://host:port)"),
                                cl::value_desc("URL"), cl::init("ws://127.0.0.1:8787"),
                                cl::sub(remoteCommand));
static cl::opt<std::string> token("token",
                                  cl::desc("API token (default: $OPENOPT_TOKEN)"),
                                  cl::value_desc("TOKEN"), cl::sub(remoteCommand));
static cl::opt<std::string> recipePath("recipe", cl::desc(kRecipeFlagHelp),
                                       cl::value_desc("FILE"), cl::init(""),
                                       cl::sub(remoteCommand));
static cl::opt<bool> insecure("insecure",
                              cl::desc("Accept a TLS certificate that does not verify "
                                       "(a self-signed one)"),
                              cl::sub(remoteCommand));
static cl::opt<bool> printJson("json", cl::desc("Print the result as JSON"),
                               cl::sub(remoteCommand));
static cl::list<std::string> words(cl::Positional,
                                   cl::desc("info | compile|run|profile <model.onnx>"),
                                   cl::OneOrMore, cl::sub(remoteCommand));
static cl::opt<std::string> device("device",
                                   cl::desc("With a daemon: where run and profile run, one of the "
                                            "devices `remote info` lists (default: cpu)"),
                                   cl::value_desc("DEVICE"), cl::init(""),
                                   cl::sub(remoteCommand));
static cl::opt<unsigned> iterations("iterations", cl::desc("Timed runs (default 10)"),
                                    cl::init(10), cl::sub(remoteCommand));
static cl::opt<unsigned> seed("seed", cl::desc("Seed of the random inputs (default 1)"),
                              cl::init(1), cl::sub(remoteCommand));

namespace {

struct Endpoint {
  bool tls = false;
  std::string host, port, path;
};

llvm::Expected<Endpoint> parseUrl(llvm::StringRef text) {
  static const std::regex pattern(R"(^(wss?)://([^/:]+|\[[^\]]+\])(?::(\d+))?(/.*)?$)");
  std::smatch m;
  std::string s = text.str();
  if (!std::regex_match(s, m, pattern))
    return createStringError("--url %s: expected ws://host:port or wss://host:port (a daemon), "
                             "or http://host:port (an openopt-agent)",
                             s.c_str());
  Endpoint e;
  e.tls = m[1] == "wss";
  e.host = m[2];
  e.port = m[3].matched ? m[3].str() : (e.tls ? "443" : "80");
  e.path = m[4].matched && m[4] != "/" ? m[4].str() : "/api";
  return e;
}

/// One JSON-RPC connection; notifications arriving before a reply are
/// handed to `onNotification`.
template <typename Stream> class Connection {
public:
  explicit Connection(Stream &ws) : ws(ws) {}

  llvm::Expected<llvm::json::Value> call(llvm::StringRef method, llvm::json::Object params) {
    int64_t id = nextId++;
    llvm::json::Object request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method},
                               {"params", std::move(params)}};
    std::string text;
    llvm::raw_string_ostream(text) << llvm::json::Value(std::move(request));
    ws.text(true);
    ws.write(net::buffer(text));
    for (;;) {
      auto message = read();
      if (!message)
        return message.takeError();
      llvm::json::Object *object = message->getAsObject();
      if (!object)
        continue;
      if (object->getString("method")) {
        pending.push_back(std::move(*message));
        continue;
      }
      if (object->getInteger("id") != id)
        continue;
      if (auto *error = object->getObject("error")) {
        // A bad recipe comes with every problem, one "FILE:L:C: error:" line each.
        if (auto *data = error->getObject("data"))
          if (auto diagnostics = data->getString("diagnostics"))
            return createStringError("%s: invalid recipe\n%s", method.str().c_str(),
                                     diagnostics->str().c_str());
        return createStringError("%s: %s", method.str().c_str(),
                                 error->getString("message").value_or("error").str().c_str());
      }
      if (auto *result = object->get("result"))
        return *result;
      return createStringError("%s: a reply without result", method.str().c_str());
    }
  }

  /// Waits for job/done of `job`, printing progress to stderr.
  llvm::Expected<llvm::json::Object> waitJob(llvm::StringRef job) {
    for (;;) {
      llvm::json::Value message = nullptr;
      if (!pending.empty()) {
        message = std::move(pending.front());
        pending.erase(pending.begin());
      } else {
        auto next = read();
        if (!next)
          return next.takeError();
        message = std::move(*next);
      }
      auto *object = message.getAsObject();
      auto *params = object ? object->getObject("params") : nullptr;
      if (!params || params->getString("job") != job)
        continue;
      if (object->getString("method") == "job/progress") {
        llvm::errs() << llvm::formatv("  {0,3:f0}% {1}\n",
                                      params->getNumber("progress").value_or(0) * 100,
                                      params->getString("message").value_or(""));
        continue;
      }
      if (object->getString("method") != "job/done")
        continue;
      if (params->getString("state") != "done") {
        std::string why = "unknown error";
        if (auto *error = params->getObject("error"))
          why = error->getString("message").value_or(why).str();
        return createStringError("job %s %s: %s", job.str().c_str(),
                                 params->getString("state").value_or("failed").str().c_str(),
                                 why.c_str());
      }
      if (auto *result = params->getObject("result"))
        return *result;
      return llvm::json::Object();
    }
  }

private:
  llvm::Expected<llvm::json::Value> read() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws.read(buffer, ec);
    if (ec)
      return createStringError("the connection ended: %s", ec.message().c_str());
    return llvm::json::parse(beast::buffers_to_string(buffer.data()));
  }

  Stream &ws;
  int64_t nextId = 1;
  std::vector<llvm::json::Value> pending;
};

std::string printed(const llvm::json::Value &value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::formatv("{0:2}", value);
  return text;
}

/// run/start or profile/start of a compile (on --device), waited for and
/// printed.
template <typename Rpc> int runCompiled(Rpc &rpc, llvm::StringRef action, llvm::StringRef compile) {
  llvm::json::Object params{{"compile", compile}, {"seed", int64_t(seed)},
                            {"iterations", int64_t(iterations)}};
  if (!device.empty())
    params["device"] = device.getValue();
  std::string method = (action + "/start").str();
  auto started = rpc.call(method, std::move(params));
  if (!started)
    return reportError(started.takeError());
  auto done = rpc.waitJob(started->getAsObject()->getString("job").value_or(""));
  if (!done)
    return reportError(done.takeError());
  if (printJson) {
    llvm::outs() << printed(llvm::json::Value(std::move(*done))) << "\n";
    return 0;
  }
  std::string where = device.empty() ? "cpu" : device.getValue();
  if (action == "run") {
    auto *latency = done->getObject("latencyMs");
    llvm::outs() << llvm::formatv("ran compile {0} on {1} ({2}): {3:f3} ms median ({4:f3} min, "
                                  "{5:f3} p95) over {6} runs\n",
                                  compile, url.getValue(), where,
                                  latency ? latency->getNumber("median").value_or(0) : 0,
                                  latency ? latency->getNumber("min").value_or(0) : 0,
                                  latency ? latency->getNumber("p95").value_or(0) : 0,
                                  done->getInteger("iterations").value_or(0));
    if (auto *outputs = done->getArray("outputs"))
      for (const llvm::json::Value &out : *outputs)
        if (auto *o = out.getAsObject())
          llvm::outs() << llvm::formatv("  output {0}: {1} {2}\n", o->getString("name").value_or(""),
                                        o->getString("dtype").value_or(""),
                                        printed(o->get("shape") ? *o->get("shape") : nullptr));
    return 0;
  }
  auto *profile = done->getObject("profile");
  if (!profile)
    return reportError(createStringError("profile/start: the job result has no profile"));
  llvm::outs() << llvm::formatv("profile of compile {0} on {1} ({2}): {3:f3} ms median, ops "
                                "{4:f1}% of the run\n",
                                compile, url.getValue(), where,
                                profile->getObject("latencyMs")
                                    ? profile->getObject("latencyMs")->getNumber("median").value_or(0)
                                    : 0,
                                100 * profile->getNumber("coverage").value_or(0));
  llvm::outs() << llvm::formatv("{0,-44} {1,-12} {2,6} {3,11} {4,10} {5,7}\n", "name", "op",
                                "calls", "total ms", "mean ms", "%");
  if (auto *ops = profile->getArray("ops"))
    for (const llvm::json::Value &value : *ops)
      if (auto *op = value.getAsObject())
        llvm::outs() << llvm::formatv("{0,-44} {1,-12} {2,6} {3,11:f4} {4,10:f4} {5,6:f1}%\n",
                                      op->getString("name").value_or(""),
                                      op->getString("op").value_or(""),
                                      op->getInteger("calls").value_or(0),
                                      op->getNumber("totalMs").value_or(0),
                                      op->getNumber("meanMs").value_or(0),
                                      op->getNumber("percent").value_or(0));
  return 0;
}

template <typename Stream> int runCommands(Stream &ws, llvm::StringRef endpoint) {
  Connection<Stream> rpc(ws);
  llvm::StringRef action = words[0];
  if (action == "info") {
    if (words.size() != 1)
      return reportError(createStringError("remote info takes no arguments"));
    auto info = rpc.call("server/info", llvm::json::Object());
    if (!info)
      return reportError(info.takeError());
    llvm::outs() << printed(*info) << "\n";
    return 0;
  }
  if (action != "compile" && action != "run" && action != "profile")
    return reportError(createStringError(
        "unknown remote command '%s' (info, compile, run, profile)", action.str().c_str()));
  if (words.size() != 2)
    return reportError(createStringError("usage: openopt remote %s MODEL [--recipe R]",
                                         action.str().c_str()));
  std::string modelPath = words[1];
  auto model = llvm::MemoryBuffer::getFile(modelPath, false, false);
  if (!model)
    return reportError(createStringError("cannot read '%s': %s", modelPath.c_str(),
                                         model.getError().message().c_str()));
  std::string recipeText;
  if (!recipePath.empty()) {
    auto recipe = llvm::MemoryBuffer::getFile(recipePath);
    if (!recipe)
      return reportError(createStringError("cannot read '%s': %s", recipePath.c_str(),
                                           recipe.getError().message().c_str()));
    recipeText = (*recipe)->getBuffer().str();
  }

  std::string name = llvm::sys::path::filename(modelPath).str();
  llvm::json::Object importParams{{"name", name},
                                  {"data", llvm::encodeBase64((*model)->getBuffer())}};
  auto imported = rpc.call("model/import", std::move(importParams));
  if (!imported)
    return reportError(imported.takeError());
  auto importJob = imported->getAsObject()->getString("job");
  auto importDone = rpc.waitJob(importJob.value_or(""));
  if (!importDone)
    return reportError(importDone.takeError());
  std::string modelId = imported->getAsObject()->getString("model").value_or("").str();

  llvm::json::Object params{{"model", modelId}};
  if (!recipePath.empty()) {
    params["recipe"] = recipeText;
    params["recipeName"] = llvm::sys::path::filename(recipePath).str();
  }
  auto started = rpc.call("compile/start", std::move(params));
  if (!started)
    return reportError(started.takeError());
  auto compileDone = rpc.waitJob(started->getAsObject()->getString("job").value_or(""));
  if (!compileDone)
    return reportError(compileDone.takeError());
  auto *compile = compileDone->getObject("compile");
  if (!compile)
    return reportError(createStringError("compile/start: the job result has no compile"));
  if (action != "compile")
    return runCompiled(rpc, action, *compile->getString("id"));
  if (printJson) {
    llvm::outs() << printed(llvm::json::Value(llvm::json::Object(*compile))) << "\n";
    return 0;
  }
  llvm::outs() << llvm::formatv(
      "compiled {0} on {1}: compile {2}, cache {3}, {4:f1} ms; graph passes: {5} -> {6} ops; "
      "{7} passes recorded\n",
      name, endpoint, compile->getString("id").value_or(""),
      compile->getString("cache").value_or(""), compile->getNumber("compileMs").value_or(0),
      compile->getInteger("opsBefore").value_or(0),
      compile->getInteger("opsAfterGraphPasses").value_or(0),
      compile->getInteger("passCount").value_or(0));
  if (auto *artifacts = compile->getObject("artifacts"))
    for (const auto &[kind, ref] : *artifacts)
      if (auto *object = ref.getAsObject())
        llvm::outs() << llvm::formatv("  {0,-12} {1,10} bytes  /artifacts/{2}\n", kind.str(),
                                      object->getInteger("bytes").value_or(0),
                                      object->getString("hash").value_or(""));
  return 0;
}

/// The WebSocket handshake; a refusal is reported with the daemon's reason.
template <typename Stream>
int handshake(Stream &ws, const std::string &host, const std::string &path) {
  websocket::response_type response;
  beast::error_code ec;
  ws.handshake(response, host, path, ec);
  if (!ec)
    return 0;
  std::string reason = response.body();
  if (auto body = llvm::json::parse(reason))
    if (auto *object = body->getAsObject())
      reason = object->getString("error").value_or(reason).str();
  if (response.result_int() == 0)
    reason = ec.message();
  return reportError(createStringError("%s: the daemon refused the connection (HTTP %u): %s",
                                       url.getValue().c_str(), response.result_int(),
                                       reason.c_str()));
}

} // namespace

int runRemote(mlir::MLIRContext &context) {
  if (llvm::StringRef(url).starts_with("http://")) {
    std::string secret = token;
    if (secret.empty())
      secret = llvm::sys::Process::GetEnv("OPENOPT_TOKEN").value_or("");
    if (secret.empty())
      return reportError(createStringError("give --token or set OPENOPT_TOKEN"));
    if (!device.empty())
      return reportError(createStringError("--device is for a daemon; an agent runs on its own "
                                           "GPU (the recipe's target) or CPU"));
    std::vector<std::string> given(words.begin(), words.end());
    return runOnAgent(context, url, secret, given,
                      RemoteRunOptions{recipePath, seed, iterations, printJson});
  }
  auto endpoint = parseUrl(url);
  if (!endpoint)
    return reportError(endpoint.takeError());
  std::string secret = token;
  if (secret.empty())
    secret = llvm::sys::Process::GetEnv("OPENOPT_TOKEN").value_or("");
  if (secret.empty())
    return reportError(createStringError("give --token or set OPENOPT_TOKEN"));
  auto decorate = [&](websocket::request_type &request) {
    request.set(beast::http::field::authorization, "Bearer " + secret);
    request.set(beast::http::field::user_agent, "openopt-remote");
  };
  try {
    net::io_context io;
    tcp::resolver resolver(io);
    auto addresses = resolver.resolve(endpoint->host, endpoint->port);
    std::string host = endpoint->host + ":" + endpoint->port;
    // The same session over a plain or a TLS stream.
    auto talk = [&](auto &ws) -> int {
      ws.set_option(websocket::stream_base::decorator(decorate));
      ws.read_message_max(1ull << 30);
      if (int rc = handshake(ws, host, endpoint->path))
        return rc;
      int rc = runCommands(ws, url);
      beast::error_code ec;
      ws.close(websocket::close_code::normal, ec);
      return rc;
    };
    if (endpoint->tls) {
      ssl::context context(ssl::context::tls_client);
      context.set_default_verify_paths();
      context.set_verify_mode(insecure ? ssl::verify_none : ssl::verify_peer);
      websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(io, context);
      beast::get_lowest_layer(ws).connect(addresses);
      if (!insecure)
        ws.next_layer().set_verify_callback(ssl::host_name_verification(endpoint->host));
      SSL_set_tlsext_host_name(ws.next_layer().native_handle(), endpoint->host.c_str());
      ws.next_layer().handshake(ssl::stream_base::client);
      return talk(ws);
    }
    websocket::stream<beast::tcp_stream> ws(io);
    beast::get_lowest_layer(ws).connect(addresses);
    return talk(ws);
  } catch (const beast::system_error &e) {
    return reportError(
        createStringError("%s: %s", url.getValue().c_str(), e.code().message().c_str()));
  }
}

} // namespace openopt::cli
