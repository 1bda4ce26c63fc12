//===- Server.cpp - Beast sessions: HTTP, /api WebSocket, TLS -------------===//
#include "Server.h"

#include "Hash.h"
#include "Log.h"
#include "Subprocess.h"

#include "MessageFraming.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <atomic>
#include <deque>
#include <thread>

namespace openopt::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Server::Impl {
  const ServerConfig &config;
  Api &api;
  TokenStore &tokens;
  HttpRoutes &routes;
  Metrics &metrics;
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::unique_ptr<ssl::context> tls;
  net::thread_pool requests;
  std::vector<std::thread> threads;
  std::atomic<unsigned> lspSessions{0};

  Impl(const ServerConfig &config, Api &api, TokenStore &tokens, HttpRoutes &routes,
       Metrics &metrics)
      : config(config), api(api), tokens(tokens), routes(routes), metrics(metrics),
        requests(config.requestThreads) {}

  void accept();
};

namespace {

constexpr size_t kMaxInFlight = 64;             // requests of one connection being handled
constexpr size_t kMaxOutboxBytes = 512u << 20;  // replies waiting for a slow reader

std::string remoteOf(const tcp::socket &socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec)
    return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

template <typename Stream> tcp::socket &socketOf(Stream &stream) {
  return beast::get_lowest_layer(stream).socket();
}

// One WebSocket connection speaking JSON-RPC at /api.
template <typename Stream>
class ApiSession : public std::enable_shared_from_this<ApiSession<Stream>> {
public:
  ApiSession(Server::Impl &server, Stream &&stream, Caller caller, std::string remote)
      : server(server), ws(std::move(stream)), caller(std::move(caller)),
        remote(std::move(remote)), clientId(randomHex(8)) {}

  ~ApiSession() {
    if (opened) {
      server.metrics.connectionClosed();
      logEvent(spdlog::level::info, "ws.close", {{"client", clientId}, {"remote", remote}});
    }
  }

  void start(http::request<http::string_body> request) {
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
      res.set(http::field::server, "openoptd");
    }));
    ws.read_message_max(server.config.limits.maxMessageBytes);
    beast::get_lowest_layer(ws).expires_never();
    ws.async_accept(request, beast::bind_front_handler(&ApiSession::onAccept,
                                                       this->shared_from_this()));
  }

private:
  void onAccept(beast::error_code ec) {
    if (ec) {
      logEvent(spdlog::level::warn, "ws.handshake_failed",
               {{"remote", remote}, {"error", ec.message()}});
      return;
    }
    opened = true;
    server.metrics.connectionOpened();
    logEvent(spdlog::level::info, "ws.open",
             {{"client", clientId}, {"remote", remote}, {"role", roleName(caller.role)}});
    read();
  }

  void read() {
    ws.async_read(buffer, beast::bind_front_handler(&ApiSession::onRead, this->shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    if (ec) {
      // Beast has answered protocol violations with the right close code
      // (1002, 1007, 1009); here the connection just ends.
      if (ec != websocket::error::closed)
        logEvent(spdlog::level::info, "ws.read_ended",
                 {{"client", clientId}, {"reason", ec.message()}});
      return;
    }
    auto message = std::make_shared<std::string>(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
    bool binary = !ws.got_text();
    if (inFlight >= kMaxInFlight) {
      send(rpc::serialize(rpc::makeError(
          nullptr, {rpc::kLimitExceeded, "more than " + std::to_string(kMaxInFlight) +
                                             " requests in flight on this connection"})));
      read();
      return;
    }
    ++inFlight;
    auto self = this->shared_from_this();
    net::post(server.requests, [self, message, binary] {
      CallContext context;
      context.caller = self->caller;
      context.remote = self->remote;
      context.clientId = self->clientId;
      context.notify = self->notifier();
      std::vector<std::string> replies = binary
                                             ? self->server.api.handleBinary(*message, context)
                                             : self->server.api.handleText(*message, context);
      net::post(self->ws.get_executor(), [self, replies = std::move(replies)] {
        --self->inFlight;
        for (const std::string &reply : replies)
          self->send(reply);
      });
    });
    read();
  }

  JobListener notifier() {
    std::weak_ptr<ApiSession> weak = this->shared_from_this();
    return [weak](const std::string &method, const json &params) {
      auto self = weak.lock();
      if (!self)
        return; // the client left; the job's result stays in the database
      std::string text = rpc::serialize(rpc::makeNotification(method, params));
      net::post(self->ws.get_executor(), [self, text = std::move(text)] { self->send(text); });
    };
  }

  void send(std::string text) {
    outboxBytes += text.size();
    outbox.push_back(std::move(text));
    if (outboxBytes > kMaxOutboxBytes) {
      logEvent(spdlog::level::warn, "ws.slow_reader", {{"client", clientId}});
      beast::get_lowest_layer(ws).close();
      return;
    }
    if (outbox.size() == 1)
      write();
  }

  void write() {
    ws.text(true);
    ws.async_write(net::buffer(outbox.front()),
                   beast::bind_front_handler(&ApiSession::onWrite, this->shared_from_this()));
  }

  void onWrite(beast::error_code ec, size_t) {
    if (ec)
      return; // closed; the reads end too
    outboxBytes -= outbox.front().size();
    outbox.pop_front();
    if (!outbox.empty())
      write();
  }

  Server::Impl &server;
  websocket::stream<Stream> ws;
  beast::flat_buffer buffer;
  Caller caller;
  std::string remote, clientId;
  std::deque<std::string> outbox;
  size_t outboxBytes = 0;
  size_t inFlight = 0;
  bool opened = false;
};

// One WebSocket connection at /lsp: a language server (`openopt lsp`) in a
// child process per connection, one LSP message per text frame on this side
// and Content-Length frames on the child's pipes. A crash in the analysis
// ends that child, never the daemon; the client sees close code 1011.
template <typename Stream>
class LspSession : public std::enable_shared_from_this<LspSession<Stream>> {
public:
  LspSession(Server::Impl &server, Stream &&stream, std::string remote, InteractiveChild child)
      : server(server), ws(std::move(stream)), toChild(ws.get_executor()),
        fromChild(ws.get_executor()), reapTimer(ws.get_executor()), remote(std::move(remote)),
        clientId(randomHex(8)), child(child), decoder(server.config.limits.maxMessageBytes) {
    toChild.assign(child.stdinFd);
    fromChild.assign(child.stdoutFd);
  }

  ~LspSession() {
    --server.lspSessions;
    if (child.pid > 0 && childEnding.empty())
      endInteractive(child.pid);
    logEvent(spdlog::level::info, "lsp.close", {{"client", clientId}, {"remote", remote}});
  }

  void start(http::request<http::string_body> request) {
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.read_message_max(server.config.limits.maxMessageBytes);
    beast::get_lowest_layer(ws).expires_never();
    ws.async_accept(request, beast::bind_front_handler(&LspSession::onAccept, this->shared_from_this()));
  }

private:
  void onAccept(beast::error_code ec) {
    if (ec) {
      logEvent(spdlog::level::warn, "lsp.handshake_failed", {{"remote", remote}, {"error", ec.message()}});
      return;
    }
    logEvent(spdlog::level::info, "lsp.open", {{"client", clientId}, {"remote", remote}, {"pid", child.pid}});
    readClient();
    readChild();
  }

  void readClient() {
    ws.async_read(clientBuffer, beast::bind_front_handler(&LspSession::onClientRead, this->shared_from_this()));
  }

  void onClientRead(beast::error_code ec, size_t) {
    if (ec) {
      // The client left: closing the child's stdin ends it (LSP "exit" or EOF).
      clientGone = true;
      beast::error_code ignored;
      toChild.close(ignored);
      fromChild.cancel(ignored);
      return;
    }
    std::string frame = openopt::lsp::encodeFrame(beast::buffers_to_string(clientBuffer.data()));
    clientBuffer.consume(clientBuffer.size());
    childOutbox.push_back(std::move(frame));
    if (childOutbox.size() == 1)
      writeChild();
    readClient();
  }

  void writeChild() {
    net::async_write(toChild, net::buffer(childOutbox.front()),
                     beast::bind_front_handler(&LspSession::onChildWrite, this->shared_from_this()));
  }

  void onChildWrite(beast::error_code ec, size_t) {
    if (ec)
      return; // the child is gone; readChild reports it
    childOutbox.pop_front();
    if (!childOutbox.empty())
      writeChild();
  }

  void readChild() {
    fromChild.async_read_some(net::buffer(childChunk),
                              beast::bind_front_handler(&LspSession::onChildRead, this->shared_from_this()));
  }

  void onChildRead(beast::error_code ec, size_t n) {
    if (ec) {
      childGone();
      return;
    }
    decoder.feed(std::string_view(childChunk.data(), n));
    while (auto message = decoder.next()) {
      if (auto *body = std::get_if<std::string>(&*message))
        sendClient(std::move(*body));
      else
        logEvent(spdlog::level::err, "lsp.child_framing",
                 {{"client", clientId}, {"error", std::get<openopt::lsp::FramingError>(*message).message}});
    }
    readChild();
  }

  void childGone(int attempt = 0) {
    // The child closed its output; wait (without blocking) for it to be
    // reaped so how it ended can be logged and told to the client.
    childEnding = interactiveEnding(child.pid);
    if (childEnding.empty() && attempt < 20) {
      reapTimer.expires_after(std::chrono::milliseconds(10));
      reapTimer.async_wait([self = this->shared_from_this(), attempt](beast::error_code) {
        self->childGone(attempt + 1);
      });
      return;
    }
    // After the client left, exit code 1 is LSP's "exit without shutdown".
    bool clean = childEnding == "exited with code 0" || (clientGone && childEnding == "exited with code 1");
    logEvent(clean ? spdlog::level::info : spdlog::level::err, "lsp.server_ended",
             {{"client", clientId}, {"how", childEnding.empty() ? "closed its output" : childEnding}});
    if (childEnding.empty()) {
      endInteractive(child.pid);
      childEnding = "ended";
    }
    closing = true;
    if (clientOutbox.empty())
      closeClient(clean);
    else
      closeClean = clean;
  }

  void closeClient(bool clean) {
    websocket::close_reason reason(clean ? websocket::close_code::normal : websocket::close_code::internal_error,
                                   clean ? "language server exited" : "language server ended: " + childEnding);
    ws.async_close(reason, [self = this->shared_from_this()](beast::error_code) {});
  }

  void sendClient(std::string text) {
    clientOutbox.push_back(std::move(text));
    if (clientOutbox.size() == 1)
      writeClient();
  }

  void writeClient() {
    ws.text(true);
    ws.async_write(net::buffer(clientOutbox.front()),
                   beast::bind_front_handler(&LspSession::onClientWrite, this->shared_from_this()));
  }

  void onClientWrite(beast::error_code ec, size_t) {
    if (ec)
      return;
    clientOutbox.pop_front();
    if (!clientOutbox.empty())
      writeClient();
    else if (closing)
      closeClient(closeClean);
  }

  Server::Impl &server;
  websocket::stream<Stream> ws;
  net::posix::stream_descriptor toChild, fromChild;
  net::steady_timer reapTimer;
  std::string remote, clientId;
  InteractiveChild child;
  std::string childEnding;
  openopt::lsp::FrameDecoder decoder;
  beast::flat_buffer clientBuffer;
  std::array<char, 65536> childChunk;
  std::deque<std::string> childOutbox, clientOutbox;
  bool closing = false, closeClean = false, clientGone = false;
};

// One HTTP connection: plain requests, or the upgrade to a WebSocket.
template <typename Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
public:
  HttpSession(Server::Impl &server, Stream &&stream)
      : server(server), stream(std::move(stream)), remote(remoteOf(socketOf(this->stream))) {}

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
      stream.async_handshake(ssl::stream_base::server,
                             [self = this->shared_from_this()](beast::error_code ec) {
                               if (ec) {
                                 logEvent(spdlog::level::info, "tls.handshake_failed",
                                          {{"remote", self->remote}, {"error", ec.message()}});
                                 return;
                               }
                               self->read();
                             });
    } else {
      read();
    }
  }

private:
  void read() {
    parser.emplace();
    parser->header_limit(16 * 1024);
    parser->body_limit(server.config.limits.maxHttpBodyBytes);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
    http::async_read(stream, buffer, *parser,
                     beast::bind_front_handler(&HttpSession::onRead, this->shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream)
      return close();
    if (ec == http::error::body_limit || ec == http::error::header_limit)
      return reply(httpError(413, "request too large"), false);
    if (ec)
      return; // a broken request: drop the connection
    http::request<http::string_body> request = parser->release();
    std::string target(request.target());
    std::string path = target.substr(0, target.find('?'));
    std::string token = requestToken(std::string(request[http::field::authorization]), target,
                                     std::string(request[http::field::cookie]));
    auto caller = server.tokens.authenticate(token);
    bool publicPage = !websocket::is_upgrade(request) && HttpRoutes::isPublicPath(path) &&
                      (request.method() == http::verb::get || request.method() == http::verb::head);
    if (!caller && !publicPage) {
      logEvent(spdlog::level::warn, "http.unauthorized",
               {{"remote", remote}, {"path", path}, {"token_given", !token.empty()}});
      HttpReply denied = httpError(401, token.empty() ? "a token is required (Authorization: "
                                                        "Bearer <token>, or ?token=<token>)"
                                                      : "the token is not valid");
      denied.headers.push_back({"WWW-Authenticate", "Bearer"});
      return reply(std::move(denied), request.keep_alive(), path);
    }
    if (websocket::is_upgrade(request)) {
      if (path != "/api" && path != "/lsp")
        return reply(httpError(404, "no WebSocket endpoint " + path), false, path);
      std::string origin(request[http::field::origin]);
      if (!originAllowed(origin, std::string(request[http::field::host]),
                         std::is_same_v<Stream, TlsStream>, server.config.allowedOrigins)) {
        logEvent(spdlog::level::warn, "ws.origin_refused", {{"remote", remote}, {"origin", origin}});
        return reply(httpError(403, "origin " + origin + " is not allowed (see --allow-origin)"),
                     false, path);
      }
      if (path == "/lsp") {
        if (++server.lspSessions > server.config.limits.maxLspSessions) {
          --server.lspSessions;
          return reply(httpError(503, "too many language server sessions (see --max-lsp-sessions)"),
                       false, path);
        }
        std::string error;
        InteractiveChild child = startInteractive(
            {server.config.compilerPath, "lsp", "--log-level", "warn"}, server.config.limits.lspMemoryBytes, error);
        if (child.pid < 0) {
          --server.lspSessions;
          logEvent(spdlog::level::err, "lsp.start_failed", {{"remote", remote}, {"error", error}});
          return reply(httpError(500, "the language server could not start: " + error), false, path);
        }
        server.metrics.countHttpRequest(path, 101);
        std::make_shared<LspSession<Stream>>(server, std::move(stream), remote, child)->start(std::move(request));
        return;
      }
      server.metrics.countHttpRequest(path, 101);
      std::make_shared<ApiSession<Stream>>(server, std::move(stream), *caller, remote)
          ->start(std::move(request));
      return;
    }
    // Routes may read the database: off the I/O thread.
    bool keepAlive = request.keep_alive();
    bool head = request.method() == http::verb::head;
    bool setCookie = caller && target.find("token=") != std::string::npos &&
                     request[http::field::authorization].empty();
    std::string method(request.method_string());
    std::string ifNoneMatch(request[http::field::if_none_match]);
    auto self = this->shared_from_this();
    net::post(server.requests, [self, method, target, path, ifNoneMatch, keepAlive, head,
                                setCookie, token] {
      HttpReply result = self->server.routes.handle(method, target, ifNoneMatch);
      if (setCookie && result.status == 200)
        // The browser keeps the token; the app can drop it from the address bar.
        result.headers.push_back(
            {"Set-Cookie", "openopt_token=" + token + "; HttpOnly; SameSite=Strict; Path=/"});
      if (head)
        result.body.clear();
      net::post(self->stream.get_executor(), [self, result = std::move(result), keepAlive,
                                              path]() mutable {
        self->reply(std::move(result), keepAlive, path);
      });
    });
  }

  void reply(HttpReply result, bool keepAlive, const std::string &path = "") {
    server.metrics.countHttpRequest(path.rfind("/artifacts/", 0) == 0 ? "/artifacts" : path,
                                    int(result.status));
    auto response = std::make_shared<http::response<http::string_body>>(
        http::status(result.status), 11);
    response->set(http::field::server, "openoptd");
    response->set(http::field::content_type, result.contentType);
    response->set("X-Content-Type-Options", "nosniff");
    for (const auto &[name, value] : result.headers)
      response->set(name, value);
    response->keep_alive(keepAlive);
    response->body() = std::move(result.body);
    response->prepare_payload();
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
    http::async_write(stream, *response,
                      [self = this->shared_from_this(), response](beast::error_code ec, size_t) {
                        if (ec)
                          return;
                        if (response->need_eof())
                          return self->close();
                        self->read();
                      });
  }

  void close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
      stream.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Server::Impl &server;
  Stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  std::string remote;
};

} // namespace

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      if (tls)
        std::make_shared<HttpSession<TlsStream>>(*this, TlsStream(std::move(socket), *tls))
            ->start();
      else
        std::make_shared<HttpSession<PlainStream>>(*this, PlainStream(std::move(socket)))
            ->start();
    } else if (ec == net::error::operation_aborted) {
      return;
    } else {
      logEvent(spdlog::level::warn, "accept_failed", {{"error", ec.message()}});
    }
    accept();
  });
}

Server::Server(const ServerConfig &config, Api &api, TokenStore &tokens, HttpRoutes &routes,
               Metrics &metrics)
    : impl(std::make_unique<Impl>(config, api, tokens, routes, metrics)) {}

Server::~Server() {
  stop();
  impl->requests.join();
}

llvm::Error Server::listen() {
  try {
    if (!impl->config.tlsCert.empty()) {
      impl->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
      impl->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1);
      impl->tls->use_certificate_chain_file(impl->config.tlsCert);
      impl->tls->use_private_key_file(impl->config.tlsKey, ssl::context::pem);
    }
    auto address = net::ip::make_address(impl->config.listenAddress);
    tcp::endpoint endpoint(address, impl->config.port);
    impl->acceptor.open(endpoint.protocol());
    impl->acceptor.set_option(net::socket_base::reuse_address(true));
    impl->acceptor.bind(endpoint);
    impl->acceptor.listen(net::socket_base::max_listen_connections);
  } catch (const std::exception &e) {
    return llvm::createStringError("cannot listen on %s:%u: %s",
                                   impl->config.listenAddress.c_str(), impl->config.port, e.what());
  }
  impl->accept();
  return llvm::Error::success();
}

uint16_t Server::port() const { return impl->acceptor.local_endpoint().port(); }

void Server::run() {
  for (unsigned i = 1; i < impl->config.ioThreads; ++i)
    impl->threads.emplace_back([this] { impl->io.run(); });
  impl->io.run();
  for (std::thread &t : impl->threads)
    t.join();
  impl->threads.clear();
}

void Server::stop() { impl->io.stop(); }

} // namespace openopt::server
