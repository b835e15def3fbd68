// Response helpers.
#include "api/respond.hpp"

#include <algorithm>
#include <charconv>

namespace chorus::api {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return 400;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::too_large: return 413;
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::upstream: return 502;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

http::Response json_response(int status, const json::value& body) {
  http::Response r;
  r.status = status;
  r.body = to_json_string(body);
  return r;
}

http::Response error_response(const Error& error) {
  return http::error_response(http_status(error.code), error_code_name(error.code), error.message);
}

http::Response error_response(ErrorCode code, std::string message) {
  return error_response(Error{code, std::move(message)});
}

Result<Id> path_id(const http::Request& req, const std::string& name, std::string_view what) {
  auto it = req.params.find(name);
  std::string raw = it == req.params.end() ? "" : it->second;
  Id id = 0;
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (ec != std::errc() || p != raw.data() + raw.size() || id <= 0)
    return make_error(ErrorCode::not_found, std::string(what) + " " + raw + " does not exist");
  return id;
}

Result<std::string> display_name(const json::value& v, std::string_view field) {
  const std::string rule = std::string(field) + " must be a string of 1 to " + std::to_string(kMaxDisplayName) +
                           " characters, not only spaces, without control characters";
  if (!v.is_string()) return make_error(ErrorCode::bad_request, rule);
  std::string_view s = v.get_string();
  if (s.size() > kMaxDisplayName || s.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return make_error(ErrorCode::bad_request, rule);
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return make_error(ErrorCode::bad_request, rule);
  return std::string(s);
}

Status only_known_fields(const json::object& body, std::initializer_list<std::string_view> known,
                         std::string_view what) {
  for (const auto& kv : body) {
    if (std::find(known.begin(), known.end(), std::string_view(kv.key())) != known.end()) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return make_error(ErrorCode::bad_request, "unknown field '" + std::string(kv.key()) + "'; " + std::string(what) +
                                                  (list.empty() ? " takes no fields" : " takes " + list));
  }
  return {};
}

Result<json::object> object_body(const http::Request& req) {
  if (req.body.empty()) return make_error(ErrorCode::bad_request, "request body is empty; send a JSON object");
  auto v = parse_json(req.body);
  if (!v) return make_error(ErrorCode::bad_request, "request body is " + v.error().message);
  if (!v->is_object()) return make_error(ErrorCode::bad_request, "request body must be a JSON object");
  return std::move(v->get_object());
}

Result<std::optional<TimeMs>> time_param(const http::Request& req, const std::string& name) {
  auto raw = req.query_param(name);
  if (!raw || raw->empty()) return std::optional<TimeMs>{};
  auto t = parse_time(*raw);
  if (!t)
    return make_error(ErrorCode::bad_request,
                      name + " must be an ISO-8601 time such as 2026-03-10T00:00:00Z, got '" + *raw + "'");
  return std::optional<TimeMs>{*t};
}

}  // namespace chorus::api
