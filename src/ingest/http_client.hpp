// Outbound HTTP on libcurl's multi interface: connection reuse, gzip, timeouts, TLS, bounded concurrency.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "http/message.hpp"
#include "ingest/egress.hpp"

namespace chorus::ingest {

struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  http::Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
};

struct OutboundResponse {
  int status = 0;
  http::Headers headers;  // lower-cased names
  std::string body;
  std::chrono::milliseconds elapsed{0};
};

struct HttpClientOptions {
  std::size_t max_concurrency = 8;  // transfers in flight at once for one client
  std::string user_agent = "Chorus/0.1 (+https://github.com/chorus-feedback/chorus)";
  std::size_t max_body = 64 * 1024 * 1024;
  // Checked on every connection opened, redirects included. Clients whose URLs come from customers (the
  // fetcher's connectors, alert channels) pass the operator's policy; the default allows everything.
  EgressPolicy egress = EgressPolicy::unrestricted();
};

// The URL as it may appear in logs and error messages: without query, fragment or user info, which can
// carry secrets ("https://user:pw@host/p?token=x" -> "https://host/p").
std::string redact_url(std::string_view url);

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request. A transport failure (DNS, connect, timeout, TLS) is an error with ErrorCode::upstream;
  // any HTTP status, 4xx and 5xx included, is a response.
  Result<OutboundResponse> send(const OutboundRequest& request);

  // Many requests, at most max_concurrency in flight; results in the order of the requests.
  std::vector<Result<OutboundResponse>> send_all(std::span<const OutboundRequest> requests);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chorus::ingest
