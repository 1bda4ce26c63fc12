//===- Server.cpp - the listener: accepts connections, runs the I/O threads ===//
#include "net/Server.h"

#include "net/HttpSession.h"

namespace openopt::server {

using sessions::HttpSession;

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
