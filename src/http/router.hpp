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
  void add(std::string method, std::string pattern, Handler handler);
  // 404 with the contract's error object when no pattern matches; 405 when the path matches another method.
  Response dispatch(Request& req) const;
  // Every registered (method, pattern), for the OpenAPI document and its drift test.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace chorus::http
