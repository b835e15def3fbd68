// HTTP/1.1 server on Boost.Beast: keep-alive, body limit (413), header and read timeouts.
// A few I/O threads read and write; handlers that may block (store and bus calls) run on a pool of their own,
// and those that never block run on the I/O thread and may answer later through Request::defer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/message.hpp"

namespace chorus::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port (tests)
  std::size_t io_threads = 2;  // read requests, write answers and run the handlers that never block
  std::size_t threads = 8;     // run the handlers that may block (store and bus calls)
  // Whether a request's handler never blocks and runs on the I/O thread that read it (Router::runs_on_io_thread).
  // Unset: every handler runs on the handler threads.
  std::function<bool(const Request&)> on_io_thread;
  std::size_t body_limit = 8 * 1024 * 1024;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  bool log_requests = true;  // method, path (no query), status, duration; never headers or bodies
  std::function<void(int status)> on_answer;  // called for every answer written, the server's own errors included
};

class Server {
 public:
  using HandlerFn = std::function<Response(Request&)>;

  Server(ServerOptions options, HandlerFn handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads; fails with a clear message when the address is taken.
  Status start();
  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to `grace`), joins the threads.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chorus::http
