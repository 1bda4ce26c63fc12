//===- Server.h - one port for HTTP and WebSocket (Boost.Beast) -*- C++ -*-===//
//
// I/O threads run an io_context; every connection has a strand. Requests
// are handed to a separate pool (HTTP routes and JSON-RPC calls) and the
// replies come back through the connection's strand, so a slow call never
// holds up another connection. Authentication and the Origin check happen
// on the upgrade request, before any WebSocket handshake.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_SERVER_H
#define OPENOPT_SERVER_SERVER_H

#include "api/Api.h"
#include "Auth.h"
#include "Config.h"
#include "net/HttpRoutes.h"
#include "Metrics.h"

#include "llvm/Support/Error.h"

#include <memory>

namespace openopt::server {

class Server {
public:
  Server(const ServerConfig &config, Api &api, TokenStore &tokens, HttpRoutes &routes,
         Metrics &metrics);
  ~Server();

  /// Binds and listens (and loads the TLS certificate, if any).
  llvm::Error listen();
  uint16_t port() const;
  /// Serves until stop() (from a signal handler thread or another thread).
  void run();
  void stop();

  struct Impl;

private:
  std::unique_ptr<Impl> impl;
};

} // namespace openopt::server

#endif
