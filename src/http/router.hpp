// Router: matches a method and a path pattern ("/v1/workspaces/{ws}/sources/{src}") to a handler.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace chorus::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  // Where a route's handler runs. Most may block on the store and run on the server's handler threads; a
  // handler that never blocks (it may answer later through Request::defer) runs on the I/O thread that read
  // the request, which saves two thread switches a request.
  enum class Thread { handler, io };

  void add(std::string method, std::string pattern, Handler handler, Thread thread = Thread::handler);
  // 404 with the contract's error object when no pattern matches; 405 when the path matches another method.
  Response dispatch(Request& req) const;
  // Whether the request's route (or its 404/405) is answered on the I/O thread.
  bool runs_on_io_thread(const Request& req) const;
  // Every registered (method, pattern), for the OpenAPI document and its drift test.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    Thread thread = Thread::handler;
  };
  const Route* find(const Request& req, const std::vector<std::string>& segments,
                    std::vector<std::string>* allowed) const;
  std::vector<Route> routes_;
};

}  // namespace chorus::http
