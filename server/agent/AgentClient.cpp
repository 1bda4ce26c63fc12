//===- AgentClient.cpp - talk to an openopt-agent over HTTP ---------------===//
#include "agent/AgentClient.h"

#include "Hash.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <regex>

namespace openopt::agent {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using llvm::createStringError;

llvm::Expected<AgentEndpoint> parseAgentUrl(const std::string &url, std::string token) {
  static const std::regex pattern(R"(^http://([^/:]+|\[[^\]]+\])(?::(\d+))?/?$)");
  std::smatch m;
  if (!std::regex_match(url, m, pattern))
    return createStringError("agent URL '%s': expected http://host:port (openopt-agent speaks "
                             "plain HTTP)",
                             url.c_str());
  if (token.empty())
    return createStringError("agent %s: no token", url.c_str());
  AgentEndpoint e;
  e.url = url;
  e.host = m[1];
  if (e.host.size() > 2 && e.host.front() == '[') // an IPv6 address: the resolver wants it bare
    e.host = e.host.substr(1, e.host.size() - 2);
  e.port = m[2].matched ? m[2].str() : "80";
  e.token = std::move(token);
  return e;
}

llvm::Expected<AgentClient::Reply> AgentClient::request(const std::string &method,
                                                        const std::string &target,
                                                        const std::string &body,
                                                        const std::string &contentType) {
  try {
    net::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(std::min(10u, timeoutSeconds)));
    stream.connect(resolver.resolve(endpoint.host, endpoint.port));
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, endpoint.host + ":" + endpoint.port);
    req.set(http::field::authorization, "Bearer " + endpoint.token);
    req.set(http::field::user_agent, "openopt");
    if (!body.empty() || method == "PUT" || method == "POST") {
      req.set(http::field::content_type, contentType);
      req.body() = body;
      req.prepare_payload();
    }
    stream.expires_after(std::chrono::seconds(timeoutSeconds));
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 32);
    if (method == "HEAD")
      parser.skip(true);
    http::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return Reply{parser.get().result_int(), parser.get().body()};
  } catch (const beast::system_error &e) {
    return createStringError("cannot reach the agent at %s: %s", endpoint.url.c_str(),
                             e.code().message().c_str());
  }
}

llvm::Expected<nlohmann::json> AgentClient::json(llvm::Expected<Reply> reply,
                                                 const std::string &what) {
  if (!reply)
    return reply.takeError();
  nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (reply->status != 200) {
    std::string message = "HTTP " + std::to_string(reply->status);
    if (body.is_object() && body.contains("error") && body["error"].is_object())
      message = body["error"].value("message", message);
    return createStringError("agent %s, %s: %s", endpoint.url.c_str(), what.c_str(),
                             message.c_str());
  }
  if (body.is_discarded() || !body.is_object())
    return createStringError("agent %s, %s: the reply is not a JSON object", endpoint.url.c_str(),
                             what.c_str());
  return body;
}

llvm::Expected<nlohmann::json> AgentClient::info() {
  return json(request("GET", "/info", "", ""), "info");
}

llvm::Expected<nlohmann::json> AgentClient::upload(const std::string &library) {
  std::string id = server::sha256Hex(library);
  std::string target = "/libraries/" + id;
  auto here = request("HEAD", target, "", "");
  if (!here)
    return here.takeError();
  if (here->status == 200)
    return nlohmann::json{{"id", id}, {"cached", true}};
  if (here->status == 401)
    return createStringError("agent %s, uploading the library: missing or wrong token",
                             endpoint.url.c_str());
  if (here->status != 404)
    return createStringError("agent %s, uploading the library: HEAD %s answered HTTP %u",
                             endpoint.url.c_str(), target.c_str(), here->status);
  auto described = json(request("PUT", target, library, "application/octet-stream"),
                        "uploading the library");
  if (!described)
    return described.takeError();
  (*described)["id"] = id;
  return described;
}

llvm::Expected<nlohmann::json> AgentClient::run(const nlohmann::json &request_) {
  return json(request("POST", "/run", request_.dump(), "application/json"), "run");
}

} // namespace openopt::agent
