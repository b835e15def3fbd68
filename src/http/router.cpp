// Router: splits patterns into segments once, then matches a request's path segment by segment.
#include "http/router.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace chorus::http {

namespace {

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b/" -> {"a", "b", ""}: a trailing slash is a distinct (empty) segment, so "/a/" does not match "/a".
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  while (true) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Segments of the request path, each decoded on its own so that an encoded "%2F" stays inside its
// parameter ("/feedback/github%3Aacme%2Fapp%231" has one id segment, not three).
std::vector<std::string> request_segments(const Request& req) {
  std::vector<std::string> out;
  if (req.target.empty()) {
    for (auto segment : split_path(req.path)) out.emplace_back(segment);
    return out;
  }
  std::string_view raw = req.target;
  raw = raw.substr(0, raw.find_first_of("?#"));
  for (auto segment : split_path(raw)) out.push_back(percent_decode(segment, false));
  return out;
}

// Specificity of a match: one flag per segment, literal before parameter, compared left to right.
using Rank = std::vector<bool>;

std::optional<Rank> match(const std::vector<std::string>& pattern, const std::vector<std::string>& path) {
  if (pattern.size() != path.size()) return std::nullopt;
  Rank rank(pattern.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (path[i].empty()) return std::nullopt;
      rank[i] = false;
    } else {
      if (pattern[i] != path[i]) return std::nullopt;
      rank[i] = true;
    }
  }
  return rank;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, Thread thread) {
  Route route;
  for (auto segment : split_path(pattern)) route.segments.emplace_back(segment);
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  route.thread = thread;
  routes_.push_back(std::move(route));
}

const Router::Route* Router::find(const Request& req, const std::vector<std::string>& segments,
                                  std::vector<std::string>* allowed) const {
  const Route* best = nullptr;
  Rank best_rank;
  // HEAD is GET without the body (the server leaves it out): every GET route answers it.
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
  auto allow = [&](std::string_view m) {
    if (std::find(allowed->begin(), allowed->end(), m) == allowed->end()) allowed->emplace_back(m);
  };
  for (const Route& route : routes_) {
    auto rank = match(route.segments, segments);
    if (!rank) continue;
    if (route.method != method) {
      if (allowed) {
        allow(route.method);
        if (route.method == "GET") allow("HEAD");
      }
      continue;
    }
    // Literal segments beat parameters; among equals the first registered route wins.
    if (best == nullptr || *rank > best_rank) {
      best = &route;
      best_rank = std::move(*rank);
    }
  }
  return best;
}

bool Router::runs_on_io_thread(const Request& req) const {
  const Route* route = find(req, request_segments(req), nullptr);
  // Unknown routes are answered at once (404, 405) without blocking.
  return route == nullptr || route->thread == Thread::io;
}

Response Router::dispatch(Request& req) const {
  std::vector<std::string> segments = request_segments(req);
  std::vector<std::string> allowed;
  const Route* best = find(req, segments, &allowed);
  if (best == nullptr) {
    if (allowed.empty()) return error_response(404, "not_found", "no route for " + req.method + " " + req.path);
    std::string allow;
    for (const auto& method : allowed) allow += (allow.empty() ? "" : ", ") + method;
    Response res = error_response(405, "method_not_allowed",
                                  "method " + req.method + " is not allowed for " + req.path + "; allowed: " + allow);
    res.headers.set("Allow", allow);
    return res;
  }

  req.params.clear();
  for (std::size_t i = 0; i < best->segments.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (is_param(segment)) req.params[segment.substr(1, segment.size() - 2)] = segments[i];
  }
  return best->handler(req);
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const Route& route : routes_) out.emplace_back(route.method, route.pattern);
  return out;
}

}  // namespace chorus::http
