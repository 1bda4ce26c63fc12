//===- LanguageServer.cpp - LSP 3.17 dispatch -----------------------------===//
#include "LanguageServer.h"

#include "IrFeatures.h"
#include "RecipeFeatures.h"

#include "openopt/InitOpenOpt.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ThreadPool.h"

#include <spdlog/spdlog.h>

#include <thread>

using namespace openopt::lsp;

namespace {

constexpr int kMaxNesting = 256;


bool endsWith(const std::string &s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const std::vector<std::string> kRequestMethods = {
    "initialize", "shutdown", "textDocument/hover", "textDocument/definition", "textDocument/references",
    "textDocument/prepareRename", "textDocument/rename", "textDocument/documentSymbol", "textDocument/completion",
    "textDocument/inlayHint", "textDocument/semanticTokens/full", "textDocument/foldingRange",
    "textDocument/codeLens", "workspace/executeCommand"};

const std::vector<std::string> kCommands = {"openopt.run", "openopt.showGraph", "openopt.showPasses",
                                            "openopt.previewPipeline"};

std::string closest(const std::string &word, const std::vector<std::string> &candidates) {
  std::string best;
  unsigned bestDistance = 4;
  for (const std::string &c : candidates) {
    unsigned d = llvm::StringRef(word).edit_distance(c, true, bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

} // namespace

LanguageServer::LanguageServer(LanguageServerOptions options, Send send)
    : options(options), send(std::move(send)), registry(std::make_unique<mlir::DialectRegistry>()),
      mlirThreads(std::make_unique<llvm::StdThreadPool>(llvm::hardware_concurrency(2))),
      readPool(std::make_unique<llvm::StdThreadPool>(llvm::hardware_concurrency(options.readThreads))) {
  openopt::registerAllDialectsAndPasses(*registry);
  // A crash inside an analysis becomes a diagnostic instead of ending the server.
  llvm::CrashRecoveryContext::Enable();
}

LanguageServer::~LanguageServer() {
  documents.clear(); // joins the workers; waiting requests get ContentModified
  readPool.reset();  // waits for queued reads
}

void LanguageServer::waitIdle() {
  while (true) {
    bool idle = true;
    for (auto &[uri, document] : documents)
      idle = idle && document->worker->idle();
    {
      std::lock_guard lock(pendingMutex);
      idle = idle && pending.empty();
    }
    if (idle)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void LanguageServer::sendJson(const json &message) {
  std::string text = message.dump(-1, ' ', false, json::error_handler_t::replace);
  std::lock_guard lock(sendMutex);
  send(text);
}

void LanguageServer::reply(const json &id, json result) {
  sendJson({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void LanguageServer::replyError(const json &id, int code, const std::string &message) {
  sendJson({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

void LanguageServer::notify(const std::string &method, json params) {
  sendJson({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

void LanguageServer::reportFramingError(const std::string &message) {
  spdlog::warn("lsp: framing error: {}", message);
  replyError(nullptr, error_code::kParseError, message);
}

void LanguageServer::handleMessage(std::string_view text) {
  if (jsonNestingExceeds(text, kMaxNesting)) {
    replyError(nullptr, error_code::kParseError,
               "message nests deeper than " + std::to_string(kMaxNesting) + " levels");
    return;
  }
  json message;
  try {
    message = json::parse(text);
  } catch (const json::exception &e) {
    spdlog::warn("lsp: invalid JSON: {}", e.what());
    replyError(nullptr, error_code::kParseError, std::string("invalid JSON: ") + e.what());
    return;
  }
  dispatch(message);
}

void LanguageServer::dispatch(const json &message) {
  if (message.is_array()) {
    replyError(nullptr, error_code::kInvalidRequest, "batches are not part of LSP; send one message at a time");
    return;
  }
  if (!message.is_object()) {
    replyError(nullptr, error_code::kInvalidRequest, "a message must be a JSON object");
    return;
  }
  bool hasId = message.contains("id");
  json id = hasId ? message["id"] : json(nullptr);
  if (hasId && !id.is_number_integer() && !id.is_string()) {
    replyError(nullptr, error_code::kInvalidRequest, "\"id\" must be an integer or a string");
    return;
  }
  auto method = message.find("method");
  if (method == message.end()) {
    if (hasId && (message.contains("result") || message.contains("error")))
      return; // the client's answer to one of our requests (progress tokens)
    replyError(id, error_code::kInvalidRequest, "a request needs a \"method\" string");
    return;
  }
  if (!method->is_string()) {
    replyError(id, error_code::kInvalidRequest, "\"method\" must be a string");
    return;
  }
  json params = message.value("params", json::object());
  if (params.is_null())
    params = json::object();
  if (!params.is_object() && !params.is_array()) {
    if (hasId)
      replyError(id, error_code::kInvalidParams, "\"params\" must be an object or an array");
    return;
  }
  try {
    if (hasId)
      handleRequest(id, method->get<std::string>(), params);
    else
      handleNotification(method->get<std::string>(), params);
  } catch (const RequestError &e) {
    if (hasId)
      replyError(id, e.code, e.what());
    else
      spdlog::warn("lsp: {}: {}", method->get<std::string>(), e.what());
  } catch (const json::exception &e) {
    std::string text = std::string("malformed params: ") + e.what();
    if (hasId)
      replyError(id, error_code::kInvalidParams, text);
    else
      spdlog::warn("lsp: {}: {}", method->get<std::string>(), text);
  } catch (const std::exception &e) {
    spdlog::error("lsp: {} failed: {}", method->get<std::string>(), e.what());
    if (hasId)
      replyError(id, error_code::kInternalError, e.what());
  }
}

json LanguageServer::initialize(const json &params) {
  initialized = true;
  if (params.is_object())
    if (auto window = params.value("capabilities", json::object()).value("window", json::object());
        window.is_object())
      clientProgress = window.value("workDoneProgress", false);
  return {
      {"capabilities",
       {{"positionEncoding", "utf-16"},
        {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", false}}},
        {"hoverProvider", true},
        {"definitionProvider", true},
        {"referencesProvider", true},
        {"renameProvider", {{"prepareProvider", true}}},
        {"documentSymbolProvider", true},
        {"completionProvider", {{"triggerCharacters", {"%", "^", "@", ".", "\""}}, {"resolveProvider", false}}},
        {"inlayHintProvider", true},
        {"semanticTokensProvider", {{"legend", semanticTokensLegend()}, {"full", true}, {"range", false}}},
        {"foldingRangeProvider", true},
        {"codeLensProvider", {{"resolveProvider", false}}},
        {"executeCommandProvider", {{"commands", kCommands}}}}},
      {"serverInfo", {{"name", "openopt-lsp"}, {"version", "0.1.0"}}}};
}

void LanguageServer::handleRequest(const json &id, const std::string &method, const json &params) {
  if (method == "initialize") {
    reply(id, initialize(params));
    return;
  }
  if (!initialized)
    throw RequestError(error_code::kServerNotInitialized, "send \"initialize\" first");
  if (shutdownRequested)
    throw RequestError(error_code::kInvalidRequest, "the server is shutting down");
  auto position = [](const json &p) { return positionFromJson(p.at("position"), "params.position"); };

  if (method == "shutdown") {
    shutdownRequested = true;
    reply(id, nullptr);
  } else if (method == "textDocument/hover") {
    readDocument(id, params, [p = position(params)](const AnalysedDocument &a, const TextDocument &current,
                                                    DocumentWorker &w) -> json {
      if (w.kind() == DocumentKind::Recipe)
        return recipeHover(current, p);
      return irHover(*a.ir, p);
    });
  } else if (method == "textDocument/definition") {
    std::string uri = params.at("textDocument").at("uri");
    readDocument(id, params, [uri, p = position(params)](const AnalysedDocument &a, const TextDocument &,
                                                         DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irDefinition(*a.ir, uri, p) : json(nullptr);
    });
  } else if (method == "textDocument/references") {
    std::string uri = params.at("textDocument").at("uri");
    bool declaration = params.value("context", json::object()).value("includeDeclaration", true);
    readDocument(id, params, [=, p = position(params)](const AnalysedDocument &a, const TextDocument &,
                                                       DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irReferences(*a.ir, uri, p, declaration) : json::array();
    });
  } else if (method == "textDocument/prepareRename") {
    readDocument(id, params, [p = position(params)](const AnalysedDocument &a, const TextDocument &,
                                                    DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irPrepareRename(*a.ir, p) : json(nullptr);
    });
  } else if (method == "textDocument/rename") {
    std::string uri = params.at("textDocument").at("uri");
    std::string newName = params.at("newName");
    readDocument(id, params, [=, p = position(params)](const AnalysedDocument &a, const TextDocument &,
                                                       DocumentWorker &w) -> json {
      if (w.kind() != DocumentKind::Ir)
        throw RequestError(error_code::kRequestFailed, "rename works in .mlir documents");
      return irRename(*a.ir, uri, p, newName);
    });
  } else if (method == "textDocument/documentSymbol") {
    readDocument(id, params, [](const AnalysedDocument &a, const TextDocument &, DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irDocumentSymbols(*a.ir) : json::array();
    });
  } else if (method == "textDocument/completion") {
    readDocument(id, params, [p = position(params)](const AnalysedDocument &a, const TextDocument &current,
                                                    DocumentWorker &w) -> json {
      if (w.kind() == DocumentKind::Recipe)
        return recipeCompletion(current, p);
      return irCompletion(*a.ir, current, p, w.context());
    });
  } else if (method == "textDocument/inlayHint") {
    Range range = rangeFromJson(params.at("range"), "params.range");
    readDocument(id, params, [range](const AnalysedDocument &a, const TextDocument &, DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irInlayHints(*a.ir, range) : json::array();
    });
  } else if (method == "textDocument/semanticTokens/full") {
    readDocument(id, params, [](const AnalysedDocument &, const TextDocument &current, DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irSemanticTokens(current) : json{{"data", json::array()}};
    });
  } else if (method == "textDocument/foldingRange") {
    readDocument(id, params, [](const AnalysedDocument &, const TextDocument &current, DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irFoldingRanges(current) : json::array();
    });
  } else if (method == "textDocument/codeLens") {
    std::string uri = params.at("textDocument").at("uri");
    readDocument(id, params, [uri](const AnalysedDocument &a, const TextDocument &, DocumentWorker &w) -> json {
      return w.kind() == DocumentKind::Ir ? irCodeLenses(*a.ir, uri) : recipeCodeLenses(uri);
    });
  } else if (method == "workspace/executeCommand") {
    executeCommand(id, params);
  } else {
    std::string suggestion = closest(method, kRequestMethods);
    throw RequestError(error_code::kMethodNotFound,
                       "unknown method '" + method + "'" +
                           (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"));
  }
}

void LanguageServer::handleNotification(const std::string &method, const json &params) {
  if (method == "exit") {
    exited = true;
    return;
  }
  if (method == "$/cancelRequest") {
    json id = params.at("id");
    std::shared_ptr<PendingRequest> request;
    {
      std::lock_guard lock(pendingMutex);
      if (auto it = pending.find(id.dump()); it != pending.end())
        request = it->second;
    }
    if (request) {
      request->cancelled = true;
      finishWithError(id, request, error_code::kRequestCancelled, "cancelled by the client");
    }
    return;
  }
  if (!initialized) {
    spdlog::warn("lsp: '{}' before initialize; ignored", method);
    return;
  }
  if (method == "textDocument/didOpen")
    didOpen(params);
  else if (method == "textDocument/didChange")
    didChange(params);
  else if (method == "textDocument/didClose")
    didClose(params);
  else if (method == "initialized" || method == "textDocument/didSave" || method == "$/setTrace" ||
           method == "workspace/didChangeConfiguration" || method == "workspace/didChangeWatchedFiles")
    return;
  else if (!method.starts_with("$/"))
    spdlog::warn("lsp: unknown notification '{}' ignored", method);
}

void LanguageServer::didOpen(const json &params) {
  const json &document = params.at("textDocument");
  std::string uri = document.at("uri");
  std::string text = document.at("text");
  int version = document.value("version", 0);
  std::string language = document.value("languageId", "");
  if (text.size() > options.maxDocumentBytes) {
    notify("window/showMessage",
           {{"type", 1},
            {"message", "openopt: " + uri + " is " + std::to_string(text.size() >> 20) +
                            " MiB, over the limit of " + std::to_string(options.maxDocumentBytes >> 20) +
                            " MiB; it is not analysed"}});
    return;
  }
  if (!documents.count(uri) && documents.size() >= options.maxOpenDocuments)
    throw RequestError(error_code::kRequestFailed, "too many open documents");
  DocumentKind kind = endsWith(uri, ".recipe.json") || language == "openopt-recipe" ? DocumentKind::Recipe
                                                                                    : DocumentKind::Ir;
  auto open = std::make_shared<OpenDocument>();
  open->uri = uri;
  open->version = version;
  open->text = std::make_shared<TextDocument>(std::move(text));
  DocumentWorker::Callbacks callbacks;
  callbacks.publish = [this, uri](const AnalysedDocument &analysed) {
    json diagnostics = json::array();
    for (const Diagnostic &d : analysed.diagnostics)
      diagnostics.push_back(toJson(d, uri));
    notify("textDocument/publishDiagnostics",
           {{"uri", uri}, {"version", analysed.version}, {"diagnostics", std::move(diagnostics)}});
  };
  auto token = std::make_shared<std::string>();
  callbacks.progress = [this, token](bool begin, size_t bytes) {
    if (!clientProgress)
      return;
    if (begin) {
      *token = "openopt-analysis-" + std::to_string(++progressCounter);
      sendJson({{"jsonrpc", "2.0"}, {"id", *token}, {"method", "window/workDoneProgress/create"},
                {"params", {{"token", *token}}}});
      notify("$/progress", {{"token", *token},
                            {"value", {{"kind", "begin"}, {"title", "Analysing IR"},
                                       {"message", std::to_string(bytes >> 20) + " MiB"}, {"cancellable", false}}}});
    } else {
      notify("$/progress", {{"token", *token}, {"value", {{"kind", "end"}}}});
    }
  };
  open->worker = std::make_shared<DocumentWorker>(kind, *registry, *mlirThreads, options.worker, std::move(callbacks));
  open->worker->update(open->text, version);
  documents[uri] = std::move(open); // a re-open replaces the old state
}

void LanguageServer::didChange(const json &params) {
  auto open = documentFor(params);
  const json &changes = params.at("contentChanges");
  if (!changes.is_array())
    throw RequestError(error_code::kInvalidParams, "contentChanges must be an array");
  auto next = std::make_shared<TextDocument>(*open->text);
  for (const json &change : changes) {
    std::string text = change.at("text");
    if (change.contains("range"))
      next->replace(rangeFromJson(change["range"], "contentChanges[].range"), text);
    else
      next->setText(std::move(text));
  }
  if (next->text().size() > options.maxDocumentBytes)
    throw RequestError(error_code::kRequestFailed, "the document grew over the size limit; edit ignored");
  int version = params.at("textDocument").value("version", open->version + 1);
  if (version <= open->version)
    spdlog::warn("lsp: {}: version {} after {}", open->uri, version, open->version);
  open->version = version;
  open->text = next;
  open->worker->update(next, version);
}

void LanguageServer::didClose(const json &params) {
  std::string uri = params.at("textDocument").at("uri");
  if (documents.erase(uri))
    notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
}

std::shared_ptr<LanguageServer::OpenDocument> LanguageServer::documentFor(const json &params) {
  const json &document = params.at("textDocument");
  std::string uri = document.at("uri");
  auto it = documents.find(uri);
  if (it == documents.end())
    throw RequestError(error_code::kInvalidParams,
                       "document not open: " + uri + " (send textDocument/didOpen first)");
  return it->second;
}

std::shared_ptr<LanguageServer::PendingRequest> LanguageServer::track(const json &id) {
  auto request = std::make_shared<PendingRequest>();
  std::lock_guard lock(pendingMutex);
  pending[id.dump()] = request;
  return request;
}

void LanguageServer::finish(const json &id, const std::shared_ptr<PendingRequest> &request, json result) {
  if (request->answered.exchange(true))
    return;
  reply(id, std::move(result));
  std::lock_guard lock(pendingMutex); // after the reply: waitIdle() sees it sent
  pending.erase(id.dump());
}

void LanguageServer::finishWithError(const json &id, const std::shared_ptr<PendingRequest> &request, int code,
                                     const std::string &message) {
  if (request->answered.exchange(true))
    return;
  replyError(id, code, message);
  std::lock_guard lock(pendingMutex);
  pending.erase(id.dump());
}

void LanguageServer::readDocument(
    const json &id, const json &params,
    std::function<json(const AnalysedDocument &, const TextDocument &, DocumentWorker &)> read) {
  auto open = documentFor(params);
  auto request = track(id);
  std::shared_ptr<const TextDocument> current = open->text;
  std::shared_ptr<DocumentWorker> worker = open->worker;
  worker->whenAnalysed([this, id, request, current, worker, read = std::move(read)](
                           std::shared_ptr<const AnalysedDocument> analysed, int code) {
    if (!analysed) {
      finishWithError(id, request, code, "the document changed before it was analysed; ask again");
      return;
    }
    answerOnReadPool(id, request, [current, worker, read, analysed] { return read(*analysed, *current, *worker); });
  });
}

void LanguageServer::answerOnReadPool(const json &id, std::shared_ptr<PendingRequest> request,
                                      std::function<json()> compute) {
  readPool->async([this, id, request = std::move(request), compute = std::move(compute)] {
    if (request->cancelled || request->answered)
      return;
    try {
      finish(id, request, compute());
    } catch (const RequestError &e) {
      finishWithError(id, request, e.code, e.what());
    } catch (const std::exception &e) {
      spdlog::error("lsp: read failed: {}", e.what());
      finishWithError(id, request, error_code::kInternalError, e.what());
    }
  });
}

void LanguageServer::executeCommand(const json &id, const json &params) {
  std::string command = params.at("command");
  json arguments = params.value("arguments", json::array());
  json argument = arguments.is_array() && !arguments.empty() ? arguments[0] : json::object();
  if (std::find(kCommands.begin(), kCommands.end(), command) == kCommands.end()) {
    std::string suggestion = closest(command, kCommands);
    throw RequestError(error_code::kInvalidParams, "unknown command '" + command + "'" +
                                                       (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"));
  }
  if (!argument.is_object() || (!argument.contains("uri") && !argument.contains("text")))
    throw RequestError(error_code::kInvalidParams, command + " takes [{\"uri\": …}] (or [{\"text\": …}])");
  std::shared_ptr<const TextDocument> text;
  if (argument.contains("text")) {
    text = std::make_shared<TextDocument>(argument["text"].get<std::string>());
  } else {
    text = documentFor({{"textDocument", {{"uri", argument["uri"]}}}})->text;
  }
  if (command == "openopt.previewPipeline") {
    answerOnReadPool(id, track(id), [text] { return previewPipeline(*text); });
    return;
  }
  // Run, Show graph and Show passes are carried out by the client through
  // the daemon's API; the server hands back what the client needs for it.
  reply(id, {{"command", command},
             {"uri", argument.value("uri", "")},
             {"function", argument.value("function", "")},
             {"ir", text->text()}});
}
