// Query strings, URL pieces and the GET-and-parse step shared by every connector's paging loop.
#include "ingest/page_request.hpp"

#include <cctype>

namespace chorus::ingest {

QueryString& QueryString::add(std::string_view key, std::string_view value) {
  pairs_.emplace_back(std::string(key), std::string(value));
  return *this;
}

QueryString& QueryString::add(std::string_view key, std::int64_t value) { return add(key, std::to_string(value)); }

std::string QueryString::str() const {
  std::string out;
  for (const auto& [k, v] : pairs_) {
    if (!out.empty()) out.push_back('&');
    out += http::percent_encode(k);
    out.push_back('=');
    out += http::percent_encode(v);
  }
  return out;
}

std::string QueryString::append_to(std::string url) const {
  if (pairs_.empty()) return url;
  url.push_back(url.find('?') == std::string::npos ? '?' : '&');
  return url + str();
}

namespace {

// Where the authority ends and the path begins, or npos for a URL without "scheme://".
std::size_t path_start(std::string_view url, std::size_t& authority) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string_view::npos;
  authority = scheme + 3;
  std::size_t end = url.find_first_of("/?#", authority);
  return end == std::string_view::npos ? url.size() : end;
}

}  // namespace

std::string url_path(std::string_view url) {
  std::size_t authority = 0;
  std::size_t start = path_start(url, authority);
  if (start == std::string_view::npos) start = 0;
  std::string_view rest = url.substr(start);
  rest = rest.substr(0, rest.find_first_of("?#"));
  return rest.empty() ? "/" : std::string(rest);
}

std::string url_origin(std::string_view url) {
  std::size_t authority = 0;
  std::size_t end = path_start(url, authority);
  if (end == std::string_view::npos) return "";
  std::string_view host = url.substr(authority, end - authority);
  if (std::size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  std::string out(url.substr(0, authority));
  out.append(host);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string resolve_link(std::string_view base_url, std::string_view link) {
  if (link.starts_with("/") && !link.starts_with("//")) return url_origin(base_url) + std::string(link);
  return std::string(link);
}

Error malformed_page(std::string_view label, std::string_view what) {
  return make_error(ErrorCode::upstream, std::string(label) + ": " + std::string(what));
}

Result<JsonPage> fetch_json_page(Fetcher& fetcher, const OutboundRequest& request, std::string_view label) {
  auto res = fetcher.get(request);
  if (!res) return Error{res.error().code, std::string(label) + ": " + res.error().message};
  auto body = parse_json(res->body);
  if (!body) return malformed_page(label, body.error().message);  // "malformed JSON: <reason>"
  return JsonPage{std::move(body.value()), std::move(res->headers)};
}

}  // namespace chorus::ingest
