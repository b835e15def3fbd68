// The audit log: recording changes, and GET /v1/audit with paging and filters.
#include "api/audit.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "api/auth.hpp"
#include "api/respond.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 500;
constexpr std::string_view kCursorPrefix = "au_";

std::optional<Id> whole_number(std::string_view s) {
  Id v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

json::object entry_view(const store::AuditEntry& e) {
  json::object target{{"type", e.target_type}, {"id", e.target_id}};
  if (!e.target_name.empty()) target["name"] = e.target_name;
  return json::object{
      {"id", std::to_string(e.id)},
      {"at", format_time(e.at)},
      {"action", e.action},
      {"key", json::object{{"id", e.key_id ? json::value(std::to_string(*e.key_id)) : json::value(nullptr)},
                           {"name", e.key_name}}},
      {"workspace_id", e.workspace_id ? json::value(std::to_string(*e.workspace_id)) : json::value(nullptr)},
      {"target", std::move(target)},
      {"detail", e.detail.empty() ? json::value(nullptr) : json::value(e.detail)},
  };
}

bool valid_action_filter(std::string_view a) {
  if (a.empty() || a.size() > 64) return false;
  for (char c : a)
    if (!(c >= 'a' && c <= 'z') && c != '.' && c != '_' && c != '*') return false;
  return true;
}

http::Response list(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  store::AuditQuery q;
  q.customer_id = caller->customer_id;
  q.limit = kDefaultLimit;
  q.within = caller->workspaces;
  if (auto l = req.query_param("limit"); l && !l->empty()) {
    auto n = whole_number(*l);
    if (!n || static_cast<std::size_t>(*n) > kMaxLimit)
      return error_response(ErrorCode::bad_request,
                            "limit must be a whole number from 1 to " + std::to_string(kMaxLimit));
    q.limit = static_cast<std::size_t>(*n);
  }
  if (auto c = req.query_param("cursor"); c && !c->empty()) {
    std::string_view s = *c;
    auto id = s.starts_with(kCursorPrefix) ? whole_number(s.substr(kCursorPrefix.size())) : std::nullopt;
    if (!id)
      return error_response(ErrorCode::bad_request,
                            "cursor is not one this server issued; start again without it and follow next_cursor");
    q.before_id = *id;
  }
  if (auto a = req.query_param("action"); a && !a->empty()) {
    if (!valid_action_filter(*a))
      return error_response(ErrorCode::bad_request,
                            "action must be an action such as key.create, or a family such as key.* or key");
    std::string action = *a;
    // "key.*" and "key" both mean every key action; "key.create" one of them.
    if (action.ends_with(".*"))
      action.pop_back();
    else if (action.find('.') == std::string::npos)
      action += '.';
    if (action.find('*') != std::string::npos)
      return error_response(ErrorCode::bad_request, "action takes * only at its end, as in key.*");
    q.action = std::move(action);
  }
  if (auto w = req.query_param("workspace"); w && !w->empty()) {
    auto id = whole_number(*w);
    // Another customer's workspace, or one beyond the key's scope, simply has no entries to show.
    if (!id) return error_response(ErrorCode::bad_request, "workspace must be a workspace id such as 3");
    if (!caller->sees(*id)) return error_response(ErrorCode::not_found, "workspace " + *w + " does not exist");
    if (auto ws = ctx.store.get_workspace(caller->customer_id, *id); !ws) return error_response(ws.error());
    q.workspace_id = *id;
  }
  // One more than asked tells whether another page follows.
  const std::size_t wanted = q.limit;
  q.limit = wanted + 1;
  auto entries = ctx.store.list_audit_entries(q);
  if (!entries) return error_response(entries.error());
  json::array items;
  for (std::size_t i = 0; i < entries->size() && i < wanted; ++i) items.push_back(entry_view((*entries)[i]));
  json::value next = nullptr;
  if (entries->size() > wanted) next = std::string(kCursorPrefix) + std::to_string((*entries)[wanted - 1].id);
  return json_response(200, json::object{{"items", std::move(items)}, {"next_cursor", std::move(next)}});
}

}  // namespace

void audit(const http::Request& req, AppContext& ctx, std::string_view action, const AuditTarget& target,
           std::string detail, std::optional<Id> workspace_id) {
  const auto* caller = std::any_cast<Caller>(&req.auth);
  if (!caller || caller->operator_key) return;  // customers' changes only; add_route attached the caller
  store::AuditEntry e;
  e.customer_id = caller->customer_id;
  e.key_id = caller->key_id;
  e.key_name = caller->key_name;
  e.action = std::string(action);
  e.target_type = target.type;
  e.target_id = target.id;
  e.target_name = target.name;
  e.detail = std::move(detail);
  e.workspace_id = workspace_id;
  if (!e.workspace_id)
    if (auto it = req.params.find("ws"); it != req.params.end()) e.workspace_id = whole_number(it->second);
  if (auto s = ctx.store.add_audit_entry(e); !s) {
    ctx.metrics.add("chorus_audit_write_failures_total");
    spdlog::error("audit: could not note {} of {} {} by key {}: {}", e.action, e.target_type, e.target_id,
                  e.key_id.value_or(0), s.error().message);
  }
}

void add_audit_routes(http::Router& router, AppContext& ctx) {
  add_route(router, ctx, "GET", "/v1/audit", Access::admin, [&ctx](http::Request& r) { return list(r, ctx); });
}

}  // namespace chorus::api
