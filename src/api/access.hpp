// Who may call a route: each registration states its access once (add_route), the table keeps it for tests and
// docs, and the wrapper enforces it before the handler runs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.hpp"
#include "http/router.hpp"

namespace chorus::api {

struct AppContext;

// Roles of customer keys, each including the ones before it.
enum class Role { viewer = 1, editor = 2, admin = 3 };
std::optional<Role> parse_role(std::string_view name);
std::string_view role_name(Role role);

enum class Access {
  anyone,          // no key: health, metrics, the connector catalogue, the dashboard's files
  signed_webhook,  // the source's signature scheme, checked by the handler
  operator_key,    // the operator's admin key (CHORUS_ADMIN_KEY): customers
  viewer,          // a customer key of at least this role
  editor,
  admin,
};
std::string_view access_name(Access access);

// Every route's access, by (method, pattern) as the router lists them.
using RouteAccessTable = std::map<std::pair<std::string, std::string>, Access>;

// Registers the route with its access. For the customer levels, the wrapper authenticates the key, refuses a
// lower role with 403 naming the role needed, and answers a workspace outside the key's scope ({ws}, or the
// workspace_id query parameter) with 404, as another customer's; the handler then finds the caller on the request.
void add_route(http::Router& router, AppContext& ctx, std::string method, std::string pattern, Access access,
               http::Handler handler);

// The check add_route makes, on its own (benchmarks): the caller is attached to the request when it passes.
Status authorize(http::Request& req, AppContext& ctx, Access access);

}  // namespace chorus::api
