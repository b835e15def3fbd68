// Alert rules of a workspace: POST/GET /v1/workspaces/{ws}/alerts, GET/PATCH/DELETE .../alerts/{id},
// POST .../alerts/{id}/test (a sample sent now) and GET .../alerts/{id}/deliveries (the delivery log).
// Channel secrets are sealed before they are stored and never shown, except a secret the server made,
// once, in the response that made it.
#include <charconv>

#include "alerts/alert_rule.hpp"
#include "alerts/delivery.hpp"
#include "alerts/evaluator.hpp"
#include "api/audit.hpp"
#include "api/auth.hpp"
#include "api/respond.hpp"
#include "core/secrets.hpp"
#include "insights/weekly_digest.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kMaxAlertBody = 32 * 1024;
constexpr std::size_t kMaxAlertsPerWorkspace = 100;

Result<json::object> alert_body(const http::Request& req) {
  if (req.body.size() > kMaxAlertBody)
    return make_error(ErrorCode::too_large, "an alert is at most " + std::to_string(kMaxAlertBody / 1024) + " KiB");
  return object_body(req);
}

// Links in test messages point back at the server the caller used.
std::string dashboard_base(const http::Request& req) {
  auto host = req.headers.get("host");
  if (!host || host->empty() || host->find_first_of(" /\\@\r\n") != std::string::npos) return "http://127.0.0.1:8080";
  auto proto = req.headers.get("x-forwarded-proto");
  return (proto && *proto == "https" ? "https://" : "http://") + *host;
}

Result<store::AlertRule> caller_rule(http::Request& req, AppContext& ctx, Id& ws) {
  auto w = caller_workspace(req, ctx);
  if (!w) return w.error();
  ws = w->id;
  auto id = path_id(req, "id", "alert");
  if (!id) return id.error();
  return ctx.store.get_alert_rule(ws, *id);
}

json::object shown(const store::AlertRule& rule, const json::object& shown_once) {
  json::object out = alerts::rule_to_json(rule);
  if (!shown_once.empty()) {
    auto& channel = out["channel"].as_object();
    for (const auto& kv : shown_once) channel[kv.key()] = kv.value();
    out["note"] = "the channel's secret is shown this once; keep it to verify signatures";
  }
  return out;
}

// The detail is the rule's kind and channel type, and for a change the names of the fields sent.
void audit_rule(const http::Request& req, AppContext& ctx, std::string action, const store::AlertRule& rule,
                const json::object* changed = nullptr) {
  std::string detail = rule.kind + " to " + rule.channel_type;
  if (changed) {
    std::string fields;
    for (const auto& kv : *changed) fields += (fields.empty() ? "" : ", ") + std::string(kv.key());
    detail = fields + "; " + detail;
  }
  audit(req, ctx, action, {"alert", rule.id, rule.name}, std::move(detail), rule.workspace_id);
}

http::Response create(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto body = alert_body(req);
  if (!body) return error_response(body.error());
  auto change = alerts::rule_from_body(*body, ctx.secrets, ctx.egress, ctx.store, ws->id, std::nullopt);
  if (!change) return error_response(change.error());
  auto existing = ctx.store.list_alert_rules(ws->id);
  if (!existing) return error_response(existing.error());
  if (existing->size() >= kMaxAlertsPerWorkspace)
    return error_response(ErrorCode::conflict, "a workspace has at most " + std::to_string(kMaxAlertsPerWorkspace) +
                                                   " alerts; delete one first");
  auto stored = ctx.store.create_alert_rule(change->rule);
  if (!stored) return error_response(stored.error());
  audit_rule(req, ctx, "alert.create", *stored);
  auto res = json_response(201, shown(*stored, change->shown_once));
  res.headers.set("location", "/v1/workspaces/" + std::to_string(ws->id) + "/alerts/" + std::to_string(stored->id));
  return res;
}

http::Response list(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto rules = ctx.store.list_alert_rules(ws->id);
  if (!rules) return error_response(rules.error());
  json::array items;
  for (const auto& r : *rules) items.push_back(alerts::rule_to_json(r));
  return json_response(200, json::object{{"items", std::move(items)}});
}

http::Response get_one(http::Request& req, AppContext& ctx) {
  Id ws = 0;
  auto rule = caller_rule(req, ctx, ws);
  if (!rule) return error_response(rule.error());
  return json_response(200, alerts::rule_to_json(*rule));
}

http::Response patch(http::Request& req, AppContext& ctx) {
  Id ws = 0;
  auto rule = caller_rule(req, ctx, ws);
  if (!rule) return error_response(rule.error());
  auto body = alert_body(req);
  if (!body) return error_response(body.error());
  auto change = alerts::rule_from_body(*body, ctx.secrets, ctx.egress, ctx.store, ws, *rule);
  if (!change) return error_response(change.error());
  auto stored = ctx.store.update_alert_rule(change->rule);
  if (!stored) return error_response(stored.error());
  audit_rule(req, ctx, "alert.update", *stored, &*body);
  return json_response(200, shown(*stored, change->shown_once));
}

http::Response remove(http::Request& req, AppContext& ctx) {
  Id ws = 0;
  auto rule = caller_rule(req, ctx, ws);
  if (!rule) return error_response(rule.error());
  if (auto s = ctx.store.delete_alert_rule(ws, rule->id); !s) return error_response(s.error());
  audit_rule(req, ctx, "alert.delete", *rule);
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

http::Response test(http::Request& req, AppContext& ctx) {
  Id ws = 0;
  auto rule = caller_rule(req, ctx, ws);
  if (!rule) return error_response(rule.error());
  TimeMs now = now_ms();
  alerts::EvaluatorOptions eo;
  eo.dashboard_base = dashboard_base(req);
  alerts::AlertEvaluator evaluator(ctx.store, eo);
  auto event = evaluator.sample_event(*rule, now);
  if (!event) return error_response(event.error());
  store::AlertDelivery d;
  d.rule_id = rule->id;
  d.workspace_id = ws;
  d.dedup_key = "test:" + random_token(12);
  d.subject = "test";
  d.payload = to_json_string(alerts::event_to_json(*event));
  d.state = "sending";
  d.next_attempt_at = now + 120000;
  d.window_end = now;
  auto added = ctx.store.add_alert_delivery(d);
  if (!added) return error_response(added.error());
  if (!*added) return error_response(ErrorCode::conflict, "a test of this alert is already being sent");
  alerts::DeliveryOptions options;
  options.egress = ctx.egress;
  alerts::DeliverySender sender(ctx.store, ctx.secrets, options);
  auto done = sender.attempt(**added, now, false);
  if (!done) return error_response(done.error());
  auto after = ctx.store.get_alert_rule(ws, rule->id);
  json::object out{{"delivered", done->state == "delivered"}, {"delivery", alerts::delivery_to_json(*done)}};
  if (after) out["alert"] = alerts::rule_to_json(*after);
  return json_response(200, out);
}

http::Response deliveries(http::Request& req, AppContext& ctx) {
  Id ws = 0;
  auto rule = caller_rule(req, ctx, ws);
  if (!rule) return error_response(rule.error());
  std::size_t limit = 50;
  if (auto l = req.query_param("limit")) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
    if (ec != std::errc() || p != l->data() + l->size() || n < 1 || n > 500)
      return error_response(ErrorCode::bad_request, "limit must be a whole number from 1 to 500");
    limit = n;
  }
  auto list = ctx.store.list_alert_deliveries(ws, rule->id, limit);
  if (!list) return error_response(list.error());
  json::array items;
  for (const auto& d : *list) items.push_back(alerts::delivery_to_json(d));
  return json_response(200, json::object{{"items", std::move(items)}});
}

// GET /v1/workspaces/{ws}/digest?week=2026-W10: the weekly digest (default: the last complete week).
http::Response digest(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  TimeMs now = now_ms();
  TimeMs start = 0;
  if (auto week = req.query_param("week")) {
    auto parsed = insights::parse_iso_week(*week);
    if (!parsed) return error_response(ErrorCode::bad_request, "week must be an ISO week such as 2026-W10");
    start = *parsed;
  } else {
    start = *insights::parse_iso_week(insights::iso_week_of(now)) - 7 * 86400000LL;
  }
  auto d = insights::build_weekly_digest(ctx.store, ws->id, start);
  if (!d) return error_response(d.error());
  return json_response(200, *d);
}

}  // namespace

void add_alert_routes(http::Router& router, AppContext& ctx) {
  auto bind = [&ctx](http::Response (*h)(http::Request&, AppContext&)) {
    return [h, &ctx](http::Request& r) { return h(r, ctx); };
  };
  using enum Access;
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/alerts", editor, bind(create));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/alerts", viewer, bind(list));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/alerts/{id}", viewer, bind(get_one));
  add_route(router, ctx, "PATCH", "/v1/workspaces/{ws}/alerts/{id}", editor, bind(patch));
  add_route(router, ctx, "DELETE", "/v1/workspaces/{ws}/alerts/{id}", editor, bind(remove));
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/alerts/{id}/test", editor, bind(test));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/alerts/{id}/deliveries", viewer, bind(deliveries));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/digest", viewer, bind(digest));
}

}  // namespace chorus::api
