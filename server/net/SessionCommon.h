//===- SessionCommon.h - what the connection sessions share ----*- C++ -*-===//
//
// The server's state as sessions see it (Server::Impl), Beast's names, and
// the limits every connection keeps to. Included by the session headers and
// Server.cpp only: one translation unit holds all sessions.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_NET_SESSIONCOMMON_H
#define OPENOPT_SERVER_NET_SESSIONCOMMON_H

#include "net/Server.h"

#include "Hash.h"
#include "Log.h"
#include "jobs/Subprocess.h"

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

namespace sessions {

constexpr size_t kMaxInFlight = 64;             // requests of one connection being handled
constexpr size_t kMaxOutboxBytes = 512u << 20;  // replies waiting for a slow reader

inline std::string remoteOf(const tcp::socket &socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec)
    return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

template <typename Stream> tcp::socket &socketOf(Stream &stream) {
  return beast::get_lowest_layer(stream).socket();
}

} // namespace sessions
} // namespace openopt::server

#endif // OPENOPT_SERVER_NET_SESSIONCOMMON_H
