// Building page requests and reading their JSON answers: query strings with encoded values, URL paths
// for error messages (never queries, which can carry secrets), and one GET-and-parse step whose errors
// say which page of which endpoint failed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "core/result.hpp"
#include "http/message.hpp"
#include "ingest/fetcher.hpp"

namespace chorus::ingest {

// "?a=1&b=x%20y": each key and value percent-encoded, in the order added.
class QueryString {
 public:
  QueryString& add(std::string_view key, std::string_view value);
  QueryString& add(std::string_view key, std::int64_t value);
  bool empty() const { return pairs_.empty(); }
  // "a=1&b=2", without the leading "?".
  std::string str() const;
  // url + "?" + str() (or "&" when url already has a query).
  std::string append_to(std::string url) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// The path of a URL: "https://h:1/a/b?x=1#f" -> "/a/b" ("/" when empty).
std::string url_path(std::string_view url);

// "scheme://host[:port]" lower-cased, or "" when `url` is not absolute.
std::string url_origin(std::string_view url);

// Resolves a link from a response against the URL it came from: absolute links are kept, "/x" keeps the
// origin, anything else is returned unchanged.
std::string resolve_link(std::string_view base_url, std::string_view link);

struct JsonPage {
  json::value body;
  http::Headers headers;  // lower-cased names: Link, rate-limit state
};

// GETs `request` through the fetcher (retries, rate limits) and parses the body. Every error starts with
// `label` ("GET /repos/acme/app/issues page 2: ..."), and a body that is not JSON is an upstream error
// reading "<label>: malformed JSON: <reason>".
Result<JsonPage> fetch_json_page(Fetcher& fetcher, const OutboundRequest& request, std::string_view label);

// An upstream error "<label>: <what>" for a page that parsed but is not the shape the API documents.
Error malformed_page(std::string_view label, std::string_view what);

}  // namespace chorus::ingest
