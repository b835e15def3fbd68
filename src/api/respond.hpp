// Response helpers shared by the route files: JSON bodies, the contract's error object, and the
// parsing of ids, times and bodies into clear 400s.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/record.hpp"
#include "core/result.hpp"
#include "http/message.hpp"

namespace chorus::api {

int http_status(ErrorCode code);
http::Response json_response(int status, const json::value& body);
http::Response error_response(const Error& error);
http::Response error_response(ErrorCode code, std::string message);

// A path id such as {ws}: anything that is not a positive integer is simply not found.
Result<Id> path_id(const http::Request& req, const std::string& name, std::string_view what);
// A JSON object body, or a 400 that says what is wrong with it.
Result<json::object> object_body(const http::Request& req);
// A 400 naming the first field of `body` outside `known` ("unknown field 'expire_at'; a key takes name, role,
// workspaces, expires_at"), so a misspelt field is never silently ignored; `what` is "a key", "a source", ...
Status only_known_fields(const json::object& body, std::initializer_list<std::string_view> known,
                         std::string_view what);
// A name a person gave (a customer's, a workspace's, a source's): a string of 1 to kMaxDisplayName bytes, not
// only spaces, without control characters; else a 400 that says so, `field` naming it ("name", "sources[1].name").
inline constexpr std::size_t kMaxDisplayName = 200;
Result<std::string> display_name(const json::value& v, std::string_view field);
// An optional ISO-8601 query parameter.
Result<std::optional<TimeMs>> time_param(const http::Request& req, const std::string& name);

}  // namespace chorus::api
