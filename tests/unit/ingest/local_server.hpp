// A chorus HTTP server on a loopback ephemeral port that plays scripted answers, for client and
// fetcher tests.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http/server.hpp"

namespace chorus::test {

class LocalServer {
 public:
  using Handler = std::function<http::Response(http::Request&)>;

  explicit LocalServer(Handler fallback = {}, std::size_t threads = 4)
      : fallback_(std::move(fallback)), server_(options(threads), [this](http::Request& req) { return serve(req); }) {
    Status st = server_.start();
    if (!st.ok()) ADD_FAILURE() << st.error().message;
  }

  // Answers for `path`, played in order; the last one repeats.
  void script(const std::string& path, std::vector<http::Response> answers) {
    std::lock_guard lock(mutex_);
    scripts_[path] = std::deque<http::Response>(answers.begin(), answers.end());
  }

  int hits(const std::string& path) {
    std::lock_guard lock(mutex_);
    return hits_[path];
  }

  std::vector<http::Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  std::string url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + target;
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(server_.port()); }

  static http::Response answer(int status, std::string body = {},
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Response res;
    res.status = status;
    res.body = std::move(body);
    for (auto& [k, v] : headers) res.headers.add(k, v);
    return res;
  }

 private:
  static http::ServerOptions options(std::size_t threads) {
    http::ServerOptions o;
    o.port = 0;
    o.threads = threads;
    o.log_requests = false;
    return o;
  }

  http::Response serve(http::Request& req) {
    {
      std::lock_guard lock(mutex_);
      ++hits_[req.path];
      requests_.push_back(req);
      auto it = scripts_.find(req.path);
      if (it != scripts_.end() && !it->second.empty()) {
        http::Response res = it->second.front();
        if (it->second.size() > 1) it->second.pop_front();
        return res;
      }
    }
    if (fallback_) return fallback_(req);
    return answer(404, R"({"message":"Not Found"})");
  }

  Handler fallback_;
  std::mutex mutex_;
  std::map<std::string, std::deque<http::Response>> scripts_;
  std::map<std::string, int> hits_;
  std::vector<http::Request> requests_;
  http::Server server_;  // last: stopped (by its destructor) before the state its handler uses goes away
};

// A loopback port with nothing listening on it, for connection-refused tests.
inline std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace chorus::test
