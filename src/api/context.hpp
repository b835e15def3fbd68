// What the HTTP routes need from the process: the store, the bus, the secret box and the keys.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/access.hpp"
#include "api/ingress_backlog.hpp"
#include "api/metrics.hpp"
#include "bus/bus.hpp"
#include "core/secrets.hpp"
#include "ingest/egress.hpp"
#include "http/router.hpp"
#include "store/store.hpp"

namespace chorus::api {

class KeyCache;

struct AppContext {
  store::Store& store;
  bus::Bus& bus;
  const SecretBox& secrets;
  std::string admin_key;
  Metrics& metrics;
  std::function<json::object()> role_health;  // each role's state, for /healthz
  std::string web_root;                        // built dashboard assets; empty serves the built-in page
  IngressBacklog* webhook_backlog = nullptr;   // the webhook role's backpressure and delivery count; null: no webhook role
  ingest::EgressPolicy egress{};               // where alert channels may point and test sends connect (--egress-allow)
  std::shared_ptr<KeyCache> keys = make_key_cache();                         // recently checked API keys
  std::shared_ptr<RouteAccessTable> access = std::make_shared<RouteAccessTable>();  // filled by add_route

  static std::shared_ptr<KeyCache> make_key_cache();
};

// Customer, workspace, source, sync, push, feedback, report and insight routes (the api role).
void add_api_routes(http::Router& router, AppContext& ctx);
// Feedback, reports and insights (part of the api role).
void add_query_routes(http::Router& router, AppContext& ctx);
// Alert rules, their test sends and delivery logs (part of the api role).
void add_alert_routes(http::Router& router, AppContext& ctx);
// POST /v1/hooks/{src} (the webhook role).
void add_webhook_routes(http::Router& router, AppContext& ctx);
// PATCH/DELETE /v1/workspaces/{ws} and .../erasures: workspace settings, deletion and erasure of a person.
void add_governance_routes(http::Router& router, AppContext& ctx);
// Applies a workspace body (name, retention_days, redact, keep_raw, drop_erased_authors) to `ws`; a 400 names the
// field and what it must be. PATCH /v1/workspaces/{ws} uses it, and POST /v1/workspaces (`creating`: the body may
// also hold sources, which the caller takes out first).
Status apply_workspace_change(const json::object& body, store::Workspace& ws, bool creating = false);
// /v1/keys: create, list, revoke and rotate a customer's API keys.
void add_key_routes(http::Router& router, AppContext& ctx);
// /healthz, /metrics and GET /v1/connectors, served by every role that listens.
void add_system_routes(http::Router& router, AppContext& ctx);

}  // namespace chorus::api
