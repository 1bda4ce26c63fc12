//===- ApiSession.h - a WebSocket connection speaking JSON-RPC at /api ---*- C++ -*-===//
#ifndef OPENOPT_SERVER_NET_APISESSION_H
#define OPENOPT_SERVER_NET_APISESSION_H

#include "net/SessionCommon.h"

namespace openopt::server::sessions {

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

} // namespace openopt::server::sessions

#endif // OPENOPT_SERVER_NET_APISESSION_H
