// Fuzz target: request targets and query strings through the decoder and the router.
#include <cstdint>
#include <string>

#include "http/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chorus;
  static http::Router router = [] {
    http::Router r;
    for (const char* p : {"/v1/workspaces", "/v1/workspaces/{ws}", "/v1/workspaces/{ws}/sources/{src}",
                          "/v1/workspaces/{ws}/sources/{src}/items", "/v1/hooks/{src}", "/healthz"})
      r.add("GET", p, [](http::Request& req) {
        http::Response res;
        res.body = req.params.empty() ? "" : req.params.begin()->second;
        return res;
      });
    return r;
  }();
  std::string input(reinterpret_cast<const char*>(data), size);
  auto q = input.find('?');
  http::Request req;
  req.method = size % 2 ? "GET" : "POST";
  req.target = input;
  req.path = http::percent_decode(input.substr(0, q), false);
  if (q != std::string::npos) req.query = http::parse_query(input.substr(q + 1));
  (void)router.dispatch(req);
  (void)http::percent_encode(input);
  return 0;
}
