// Plain request/response values shared by the HTTP server, the router and the API handlers.
// Deliberately free of Boost.Beast so that handler code compiles fast.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::http {

// Case-insensitive header names (stored lower-cased).
struct Headers {
  std::vector<std::pair<std::string, std::string>> items;
  void set(std::string_view name, std::string value);
  void add(std::string_view name, std::string value);
  std::optional<std::string> get(std::string_view name) const;
};

struct Response;

// Answers a request later, from any thread; only its first call counts.
using Reply = std::function<void(Response)>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw target: path and query
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string> query;  // decoded query parameters (last one wins)
  Headers headers;
  std::string body;
  std::string remote;  // peer address "ip:port"
  std::map<std::string, std::string> params;  // path parameters filled by the router ("ws", "src", ...)
  std::any auth;  // who is calling, once the application has checked (the api's Caller)
  // Set by the server for a handler that waits on something slow (a durable append) without holding a server
  // thread: called before the handler returns, it hands the answer to the Reply it gives, and the handler's
  // own return value is then ignored. The Reply must be called in the end, or the connection waits until the
  // server stops. Empty where the caller needs the answer at once (the router called directly).
  std::function<Reply()> defer;

  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
};

// Splits "a=1&b=x%20y" into decoded pairs; '+' means space.
std::map<std::string, std::string> parse_query(std::string_view query);
std::string percent_decode(std::string_view s, bool plus_is_space);
std::string percent_encode(std::string_view s);

// The contract's error object, {"error":{"code":..,"message":..}}, as a JSON response with `status`.
Response error_response(int status, std::string_view code, std::string_view message);

// "Not Found" for 404; "Unknown" for codes without a registered reason phrase.
std::string_view reason_phrase(int status);

}  // namespace chorus::http
