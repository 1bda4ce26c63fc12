//===- HttpSession.h - an HTTP connection, or its upgrade to a WebSocket ---*- C++ -*-===//
#ifndef OPENOPT_SERVER_NET_HTTPSESSION_H
#define OPENOPT_SERVER_NET_HTTPSESSION_H

#include "net/SessionCommon.h"
#include "net/ApiSession.h"
#include "net/LspSession.h"

namespace openopt::server::sessions {

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

} // namespace openopt::server::sessions

#endif // OPENOPT_SERVER_NET_HTTPSESSION_H
