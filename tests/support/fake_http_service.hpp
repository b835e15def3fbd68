// A small fake third-party API on loopback for connector tests: routes, a request log, a required
// credential header, and injectable faults (any status or body for the next N requests to a path).
// A fake service holds one as its last member, so the server stops before the service's state goes.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace chorus::testing {

// A fixture's bytes as stored (a recorded delivery's signature covers exactly these).
inline std::string read_fixture_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open fixture " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline json::value read_fixture(const std::filesystem::path& path) {
  auto parsed = parse_json(read_fixture_bytes(path));
  if (!parsed) throw std::runtime_error(path.string() + ": " + parsed.error().message);
  return std::move(parsed.value());
}

inline http::Response json_reply(int status, const json::value& body) {
  http::Response res;
  res.status = status;
  res.body = json::serialize(body);
  return res;
}

class FakeHttpService {
 public:
  struct SeenRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> query;
    http::Headers headers;
    std::string body;
  };

  FakeHttpService() : server_(options(), [this](http::Request& req) { return handle(req); }) {}
  ~FakeHttpService() { server_.stop(std::chrono::milliseconds(1000)); }
  FakeHttpService(const FakeHttpService&) = delete;
  FakeHttpService& operator=(const FakeHttpService&) = delete;

  // Routes run one at a time, under the service's lock.
  void route(std::string method, std::string pattern, http::Handler handler) {
    router_.add(std::move(method), std::move(pattern), std::move(handler));
  }
  void start() {
    if (auto st = server_.start(); !st) throw std::runtime_error("fake service: " + st.error().message);
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  // Every request must carry `name: value`, or gets `refusal`.
  void require_header(std::string name, std::string value, http::Response refusal) {
    std::lock_guard lock(mu_);
    required_ = Required{std::move(name), std::move(value), std::move(refusal)};
  }

  // The next `times` requests to `path` get this answer instead of the route's; with `query_key`, only
  // requests that carry that query parameter (page 2 onwards, for most paging styles).
  void answer_next(std::string path, http::Response response, int times = 1, std::string query_key = "") {
    std::lock_guard lock(mu_);
    faults_.push_back(Fault{std::move(path), std::move(query_key), std::move(response), times});
  }
  void fail_next(std::string path, int status, int times = 1) {
    http::Response res;
    res.status = status;
    res.content_type = "text/html";
    res.body = "<html><body><h1>" + std::to_string(status) + " " + std::string(http::reason_phrase(status)) +
               "</h1></body></html>";
    answer_next(std::move(path), std::move(res), times);
  }
  void rate_limit_next(std::string path, int retry_after_seconds, json::value body, int times = 1) {
    http::Response res = json_reply(429, body);
    res.headers.set("Retry-After", std::to_string(retry_after_seconds));
    answer_next(std::move(path), std::move(res), times);
  }
  // A 200 whose body stops mid-JSON.
  void truncate_next(std::string path, std::string partial_body, int times = 1, std::string query_key = "") {
    http::Response res;
    res.body = std::move(partial_body);
    answer_next(std::move(path), std::move(res), times, std::move(query_key));
  }

  int count(const std::string& path) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [&](const auto& r) { return r.path == path; }));
  }
  int count_prefix(const std::string& prefix) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(
        std::count_if(seen_.begin(), seen_.end(), [&](const auto& r) { return r.path.starts_with(prefix); }));
  }
  std::vector<SeenRequest> requests() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::mutex& mutex() const { return mu_; }

 private:
  struct Fault {
    std::string path;
    std::string query_key;
    http::Response response;
    int remaining = 1;
  };
  struct Required {
    std::string name;
    std::string value;
    http::Response refusal;
  };

  static http::ServerOptions options() {
    http::ServerOptions o;
    o.port = 0;
    o.threads = 4;
    o.log_requests = false;
    return o;
  }

  http::Response handle(http::Request& req) {
    std::lock_guard lock(mu_);
    seen_.push_back(SeenRequest{req.method, req.path, req.query, req.headers, req.body});
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (it->path != req.path || (!it->query_key.empty() && !req.query.contains(it->query_key))) continue;
      http::Response res = it->response;
      if (--it->remaining <= 0) faults_.erase(it);
      return res;
    }
    if (required_ && req.headers.get(required_->name) != required_->value) return required_->refusal;
    return router_.dispatch(req);
  }

  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  std::vector<SeenRequest> seen_;
  std::optional<Required> required_;
  http::Router router_;
  http::Server server_;  // last: stopped before the state above goes
};

}  // namespace chorus::testing
