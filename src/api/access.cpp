// Route access: the table every registration writes to, and the check that runs before each handler.
#include "api/access.hpp"

#include <charconv>

#include "api/auth.hpp"
#include "api/respond.hpp"

namespace chorus::api {

std::optional<Role> parse_role(std::string_view name) {
  if (name == "viewer") return Role::viewer;
  if (name == "editor") return Role::editor;
  if (name == "admin") return Role::admin;
  return std::nullopt;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::viewer: return "viewer";
    case Role::editor: return "editor";
    case Role::admin: return "admin";
  }
  return "viewer";
}

std::string_view access_name(Access access) {
  switch (access) {
    case Access::anyone: return "anyone";
    case Access::signed_webhook: return "signed_webhook";
    case Access::operator_key: return "operator";
    case Access::viewer: return "viewer";
    case Access::editor: return "editor";
    case Access::admin: return "admin";
  }
  return "anyone";
}

namespace {

// "an editor", "a viewer", "an admin".
std::string with_article(std::string_view word) {
  const bool vowel = !word.empty() && std::string_view("aeiou").find(word.front()) != std::string_view::npos;
  return std::string(vowel ? "an " : "a ") + std::string(word);
}

}  // namespace

namespace {

std::optional<Role> needed_role(Access access) {
  switch (access) {
    case Access::viewer: return Role::viewer;
    case Access::editor: return Role::editor;
    case Access::admin: return Role::admin;
    default: return std::nullopt;
  }
}

// The workspace a request is about: the {ws} path parameter, or the original GetInsightReports' workspace_id.
std::optional<std::string> requested_workspace(const http::Request& req) {
  if (auto it = req.params.find("ws"); it != req.params.end()) return it->second;
  if (auto q = req.query_param("workspace_id")) return *q;
  return std::nullopt;
}

}  // namespace

Status authorize(http::Request& req, AppContext& ctx, Access access) {
  if (access == Access::anyone || access == Access::signed_webhook) return {};
  auto caller = authenticate(req, ctx);
  if (!caller) return caller.error();
  if (access == Access::operator_key) {
    if (!caller->operator_key) return make_error(ErrorCode::forbidden, "only the operator's admin key may do this");
  } else {
    if (caller->operator_key)
      return make_error(ErrorCode::forbidden,
                        "the admin key manages customers only; use a customer's API key (POST /v1/customers issues one)");
    Role needed = *needed_role(access);
    if (caller->role < needed)
      return make_error(ErrorCode::forbidden, "this needs a key with the " + std::string(role_name(needed)) +
                                                  " role; the key '" + caller->key_name + "' is " +
                                                  with_article(role_name(caller->role)) + " key");
    if (auto raw = requested_workspace(req)) {
      Id ws = 0;
      auto [p, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), ws);
      bool well_formed = ec == std::errc() && p == raw->data() + raw->size();
      // A malformed id is left to the handler, which says it does not exist.
      if (well_formed && !caller->sees(ws))
        return make_error(ErrorCode::not_found, "workspace " + *raw + " does not exist");
    }
  }
  req.auth = std::move(caller.value());
  return {};
}

void add_route(http::Router& router, AppContext& ctx, std::string method, std::string pattern, Access access,
               http::Handler handler) {
  (*ctx.access)[{method, pattern}] = access;
  if (access == Access::anyone) {
    router.add(std::move(method), std::move(pattern), std::move(handler));
    return;
  }
  if (access == Access::signed_webhook) {
    // Verifying and queuing a delivery does not wait on anything slow (but the source's read, which the
    // server's owner weighs: see roles/process.cpp); its 202 waits for the bus through Request::defer.
    router.add(std::move(method), std::move(pattern), std::move(handler), http::Router::Thread::io);
    return;
  }
  router.add(std::move(method), std::move(pattern), [&ctx, access, handler = std::move(handler)](http::Request& req) {
    if (auto s = authorize(req, ctx, access); !s) return error_response(s.error());
    return handler(req);
  });
}

}  // namespace chorus::api
