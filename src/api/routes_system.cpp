// Liveness, metrics, the connector catalogue, the OpenAPI document and the dashboard's static files.
#include <fstream>
#include <map>
#include <sstream>

#include "api/context.hpp"
#include "api/openapi.hpp"
#include "api/respond.hpp"
#include "connectors/connector.hpp"

namespace chorus::api {

namespace {

// The lag of each group on each topic, from the bus's health document: {topic: {group: lag}}.
std::map<std::string, std::map<std::string, std::int64_t>> bus_lags(const json::object& bus) {
  std::map<std::string, std::map<std::string, std::int64_t>> out;
  const auto* topics = bus.if_contains("topics");
  if (!topics || !topics->is_object()) return out;
  for (const auto& t : topics->as_object()) {
    const auto* groups = t.value().is_object() ? t.value().as_object().if_contains("groups") : nullptr;
    if (!groups || !groups->is_object()) continue;
    for (const auto& g : groups->as_object())
      if (g.value().is_object())
        if (const auto* lag = g.value().as_object().if_contains("lag"); lag && lag->is_int64())
          out[std::string(t.key())][std::string(g.key())] = lag->as_int64();
  }
  return out;
}

http::Response healthz(AppContext& ctx) {
  json::object roles = ctx.role_health ? ctx.role_health() : json::object{};
  json::object bus = ctx.bus.health();
  // Each consuming role says how far behind its topic it is (messages appended and not yet done).
  auto lags = bus_lags(bus);
  for (auto& kv : roles) {
    if (!kv.value().is_object()) continue;
    auto& role = kv.value().as_object();
    auto topic = get_string(kv.value(), "topic");
    auto group = get_string(kv.value(), "group");
    if (!topic || !group) continue;
    auto t = lags.find(*topic);
    if (t == lags.end()) continue;
    if (auto g = t->second.find(*group); g != t->second.end()) role["lag"] = g->second;
  }
  bool ok = true;
  for (const auto& kv : roles)
    if (kv.value().is_object())
      if (auto s = get_string(kv.value(), "state"); s && *s != "running") ok = false;
  json::object store = ctx.store.health();
  if (get_bool(store, "ok") == false) ok = false;
  return json_response(ok ? 200 : 503, json::object{{"status", ok ? "ok" : "degraded"},
                                                    {"roles", std::move(roles)},
                                                    {"store", std::move(store)},
                                                    {"bus", std::move(bus)}});
}

http::Response metrics(AppContext& ctx) {
  http::Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = ctx.metrics.render();
  // Gauges read when scraped: each consumer group's lag per topic (a role's group has the role's name).
  json::object bus = ctx.bus.health();
  r.body += "# TYPE chorus_bus_lag gauge\n";
  for (const auto& [topic, groups] : bus_lags(bus))
    for (const auto& [group, lag] : groups)
      r.body += "chorus_bus_lag{topic=\"" + topic + "\",group=\"" + group + "\"} " + std::to_string(lag) + "\n";
  // The embedded bus's messages deleted past their retention since it opened.
  if (const auto* trimmed = bus.if_contains("trimmed_messages"); trimmed && trimmed->is_number()) {
    r.body += "# TYPE chorus_bus_trimmed_messages_total counter\nchorus_bus_trimmed_messages_total " +
              std::to_string(trimmed->to_number<std::int64_t>()) + "\n";
  }
  return r;
}

http::Response connector_catalogue() {
  json::array items;
  for (const auto* c : connectors::all_connectors()) items.push_back(connectors::describe_connector(*c));
  return json_response(200, json::object{{"items", std::move(items)}});
}

std::string content_type_for(const std::string& path) {
  auto ends = [&](std::string_view s) { return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

http::Response static_file(AppContext& ctx, const std::string& path) {
  if (ctx.web_root.empty() || path.find("..") != std::string::npos)
    return error_response(ErrorCode::not_found, "no dashboard asset at " + path);
  std::string rel = path == "/" ? "/index.html" : path;
  std::ifstream in(ctx.web_root + rel, std::ios::binary);
  if (!in) return error_response(ErrorCode::not_found, "no dashboard asset at " + path);
  std::ostringstream body;
  body << in.rdbuf();
  http::Response r;
  r.content_type = content_type_for(rel);
  r.body = body.str();
  r.headers.set("cache-control", rel == "/index.html" ? "no-cache" : "max-age=3600");
  return r;
}

}  // namespace

void add_system_routes(http::Router& router, AppContext& ctx) {
  add_route(router, ctx, "GET", "/healthz", Access::anyone, [&ctx](http::Request&) { return healthz(ctx); });
  add_route(router, ctx, "GET", "/metrics", Access::anyone, [&ctx](http::Request&) { return metrics(ctx); });
  add_route(router, ctx, "GET", "/v1/connectors", Access::anyone, [](http::Request&) { return connector_catalogue(); });
  add_route(router, ctx, "GET", "/v1/openapi.json", Access::anyone, [](http::Request&) { return json_response(200, openapi_document()); });
  add_route(router, ctx, "GET", "/", Access::anyone, [&ctx](http::Request& r) { return static_file(ctx, r.path); });
  add_route(router, ctx, "GET", "/assets/{file}", Access::anyone, [&ctx](http::Request& r) { return static_file(ctx, r.path); });
}

}  // namespace chorus::api
