// /v1/keys: a customer's API keys with a role over all or some workspaces. The secret is shown once, when a key
// is made or rotated; the store keeps only its hash.
#include <algorithm>
#include <charconv>
#include <mutex>

#include "api/audit.hpp"
#include "api/auth.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kMaxNameLength = 100;
constexpr std::int64_t kDefaultGraceSeconds = 24 * 3600;    // the old secret of a rotation works for a day
constexpr std::int64_t kMaxGraceSeconds = 30 * 24 * 3600;  // and at most a month

json::value workspaces_view(const std::optional<std::vector<Id>>& workspaces) {
  if (!workspaces) return "all";
  json::array ids;
  for (Id id : *workspaces) ids.emplace_back(std::to_string(id));
  return ids;
}

json::value time_or_null(const std::optional<TimeMs>& t) {
  return t ? json::value(format_time(*t)) : json::value(nullptr);
}

json::object key_view(const store::ApiKey& k, TimeMs now) {
  std::string state = k.revoked_at                          ? "revoked"
                      : (k.expires_at && now >= *k.expires_at) ? "expired"
                                                               : "active";
  json::object o{{"id", std::to_string(k.id)},
                 {"name", k.name},
                 {"role", k.role},
                 {"workspaces", workspaces_view(k.workspaces)},
                 {"state", state},
                 {"created_at", format_time(k.created_at)},
                 {"expires_at", time_or_null(k.expires_at)},
                 {"last_used_at", time_or_null(k.last_used_at)},
                 {"revoked_at", time_or_null(k.revoked_at)}};
  if (k.previous_valid_until && *k.previous_valid_until > now)
    o["previous_secret_valid_until"] = format_time(*k.previous_valid_until);
  return o;
}

// A scoped key manages only keys whose workspaces it sees all of; a key over all workspaces manages every key.
bool within_scope(const Caller& caller, const std::optional<std::vector<Id>>& workspaces) {
  if (!caller.workspaces) return true;
  if (!workspaces) return false;
  return std::all_of(workspaces->begin(), workspaces->end(), [&](Id id) { return caller.sees(id); });
}

Result<Id> parse_workspace_id(const json::value& v) {
  Id id = 0;
  if (v.is_int64()) id = v.as_int64();
  else if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) id = static_cast<Id>(v.as_uint64());
  else if (v.is_string()) {
    std::string_view s = v.as_string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || p != s.data() + s.size()) id = 0;
  }
  if (id <= 0) return make_error(ErrorCode::bad_request, "workspaces must be \"all\" or a list of workspace ids such as [\"3\"]");
  return id;
}

// "all" or a non-empty list of the customer's own workspaces, each in the caller's scope.
Result<std::optional<std::vector<Id>>> parse_workspaces(const json::object& body, const Caller& caller,
                                                        AppContext& ctx) {
  auto it = body.find("workspaces");
  if (it == body.end())
    return make_error(ErrorCode::bad_request, "workspaces is required: \"all\" or a list of workspace ids");
  const json::value& v = it->value();
  if (v.is_string() && v.as_string() == "all") {
    if (caller.workspaces)
      return make_error(ErrorCode::forbidden,
                        "this key is limited to some workspaces; it cannot grant access to all of them");
    return std::optional<std::vector<Id>>{};
  }
  if (!v.is_array() || v.as_array().empty())
    return make_error(ErrorCode::bad_request, "workspaces must be \"all\" or a non-empty list of workspace ids");
  std::vector<Id> ids;
  for (const auto& item : v.as_array()) {
    auto id = parse_workspace_id(item);
    if (!id) return id.error();
    if (std::find(ids.begin(), ids.end(), *id) != ids.end()) continue;
    // Another customer's workspace does not exist for this one; one of its own beyond the key's scope is forbidden.
    auto ws = ctx.store.get_workspace(caller.customer_id, *id);
    if (!ws && ws.error().code == ErrorCode::not_found)
      return make_error(ErrorCode::bad_request, "workspace " + std::to_string(*id) + " does not exist");
    if (!ws) return ws.error();
    if (!caller.sees(*id))
      return make_error(ErrorCode::forbidden, "this key is limited to some workspaces; it cannot grant access to workspace " +
                                                  std::to_string(*id));
    ids.push_back(*id);
  }
  return std::optional<std::vector<Id>>{std::move(ids)};
}

// Key changes belong to the customer, not to one workspace.
void audit_key(const http::Request& req, AppContext& ctx, std::string action, const store::ApiKey& key,
               std::string detail) {
  audit(req, ctx, action, {"key", key.id, key.name}, std::move(detail));
}

std::string new_secret() { return "chk_" + random_token(32); }

http::Response create_key(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  auto body = object_body(req);
  if (!body) return error_response(body.error());
  if (auto s = only_known_fields(*body, {"name", "role", "workspaces", "expires_at"}, "a key"); !s)
    return error_response(s.error());
  const json::value* name = body->if_contains("name");
  if (!name || !name->is_string() || name->as_string().empty() || name->as_string().size() > kMaxNameLength)
    return error_response(ErrorCode::bad_request, "name is required: a string of 1 to 100 characters");
  const json::value* role_v = body->if_contains("role");
  auto role = role_v && role_v->is_string() ? parse_role(role_v->as_string()) : std::nullopt;
  if (!role) return error_response(ErrorCode::bad_request, "role must be one of viewer, editor, admin");
  auto workspaces = parse_workspaces(*body, *caller, ctx);
  if (!workspaces) return error_response(workspaces.error());
  std::optional<TimeMs> expires_at;
  if (const json::value* e = body->if_contains("expires_at"); e && !e->is_null()) {
    auto t = e->is_string() ? parse_time(e->as_string()) : std::nullopt;
    if (!t) return error_response(ErrorCode::bad_request, "expires_at must be an ISO-8601 UTC time such as 2027-01-01T00:00:00Z, or null");
    if (*t <= now_ms()) return error_response(ErrorCode::bad_request, "expires_at must be in the future");
    expires_at = *t;
  }
  store::ApiKey key;
  key.customer_id = caller->customer_id;
  key.name = std::string(name->as_string());
  key.role = std::string(role_name(*role));
  key.workspaces = std::move(workspaces.value());
  key.expires_at = expires_at;
  std::string secret = new_secret();
  key.key_hash = hash_api_key(secret);
  auto made = ctx.store.create_api_key(key);
  if (!made) return error_response(made.error());
  audit_key(req, ctx, "key.create", *made, "role " + made->role);
  json::object out = key_view(*made, now_ms());
  out["api_key"] = secret;
  return json_response(201, out);
}

http::Response list_keys(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  auto keys = ctx.store.list_api_keys(caller->customer_id);
  if (!keys) return error_response(keys.error());
  const TimeMs now = now_ms();
  json::array items;
  for (const auto& k : *keys)
    if (within_scope(*caller, k.workspaces)) items.push_back(key_view(k, now));
  return json_response(200, json::object{{"items", std::move(items)}});
}

// The key named by {id}, if the caller may manage it.
Result<store::ApiKey> managed_key(const http::Request& req, const Caller& caller, AppContext& ctx) {
  auto id = path_id(req, "id", "key");
  if (!id) return id.error();
  auto keys = ctx.store.list_api_keys(caller.customer_id);
  if (!keys) return keys.error();
  for (const auto& k : *keys)
    if (k.id == *id && within_scope(caller, k.workspaces)) return k;
  return make_error(ErrorCode::not_found, "key " + std::to_string(*id) + " does not exist");
}

http::Response revoke_key(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  auto key = managed_key(req, *caller, ctx);
  if (!key) return error_response(key.error());
  // The last admin key over every workspace stays: without one, nobody could make keys or workspaces for this
  // customer again (the operator's key only creates customers). Checked and revoked under one lock, so two
  // revocations at once cannot each leave the other as the last.
  static std::mutex last_admin_mutex;
  std::lock_guard last_admin_lock(last_admin_mutex);
  const TimeMs now = now_ms();
  auto usable_admin = [now](const store::ApiKey& k) {
    return k.role == "admin" && !k.workspaces && !k.revoked_at && (!k.expires_at || *k.expires_at > now);
  };
  if (usable_admin(*key)) {
    auto all = ctx.store.list_api_keys(caller->customer_id);
    if (!all) return error_response(all.error());
    if (std::none_of(all->begin(), all->end(),
                     [&](const store::ApiKey& k) { return k.id != key->id && usable_admin(k); }))
      return error_response(ErrorCode::conflict,
                            "key " + std::to_string(key->id) +
                                " is the last admin key over all workspaces; create "
                                "another (POST /v1/keys with role admin and workspaces \"all\"), then revoke this one");
  }
  auto revoked = ctx.store.revoke_api_key(caller->customer_id, key->id, now);
  ctx.keys->forget_key(key->id);  // refused from the next request on, in this process
  if (!revoked) return error_response(revoked.error());
  audit_key(req, ctx, "key.delete", *revoked, "");
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

http::Response rotate_key(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  auto key = managed_key(req, *caller, ctx);
  if (!key) return error_response(key.error());
  std::int64_t grace = kDefaultGraceSeconds;
  if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    auto body = object_body(req);
    if (!body) return error_response(body.error());
    if (auto s = only_known_fields(*body, {"grace_seconds"}, "a rotation"); !s) return error_response(s.error());
    if (const json::value* g = body->if_contains("grace_seconds"); g && !g->is_null()) {
      if (!g->is_int64() || g->as_int64() < 0 || g->as_int64() > kMaxGraceSeconds)
        return error_response(ErrorCode::bad_request, "grace_seconds must be a whole number from 0 to " +
                                                          std::to_string(kMaxGraceSeconds) + " (30 days)");
      grace = g->as_int64();
    }
  }
  std::string secret = new_secret();
  const TimeMs now = now_ms();
  auto rotated = ctx.store.rotate_api_key(caller->customer_id, key->id, hash_api_key(secret), now + grace * 1000);
  ctx.keys->forget_key(key->id);
  if (!rotated) return error_response(rotated.error());
  audit_key(req, ctx, "key.rotate", *rotated, "old secret valid for " + std::to_string(grace) + " s");
  json::object out = key_view(*rotated, now);
  out["api_key"] = secret;
  out["previous_secret_valid_until"] = format_time(now + grace * 1000);
  return json_response(200, out);
}

// The signed-in key itself: what the dashboard reads to show only what the role allows.
http::Response self_key(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  return json_response(200, json::object{{"id", std::to_string(caller->key_id)},
                                          {"name", caller->key_name},
                                          {"role", role_name(caller->role)},
                                          {"workspaces", workspaces_view(caller->workspaces)},
                                          {"expires_at", time_or_null(caller->expires_at)}});
}

}  // namespace

void add_key_routes(http::Router& router, AppContext& ctx) {
  auto bind = [&ctx](http::Response (*fn)(http::Request&, AppContext&)) {
    return [fn, &ctx](http::Request& req) { return fn(req, ctx); };
  };
  using enum Access;
  add_route(router, ctx, "POST", "/v1/keys", admin, bind(create_key));
  add_route(router, ctx, "GET", "/v1/keys", admin, bind(list_keys));
  add_route(router, ctx, "GET", "/v1/keys/self", viewer, bind(self_key));
  add_route(router, ctx, "DELETE", "/v1/keys/{id}", admin, bind(revoke_key));
  add_route(router, ctx, "POST", "/v1/keys/{id}/rotate", admin, bind(rotate_key));
}

}  // namespace chorus::api
