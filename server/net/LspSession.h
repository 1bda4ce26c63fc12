//===- LspSession.h - a WebSocket connection to a language server at /lsp ---*- C++ -*-===//
#ifndef OPENOPT_SERVER_NET_LSPSESSION_H
#define OPENOPT_SERVER_NET_LSPSESSION_H

#include "net/SessionCommon.h"

namespace openopt::server::sessions {

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

} // namespace openopt::server::sessions

#endif // OPENOPT_SERVER_NET_LSPSESSION_H
