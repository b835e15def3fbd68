// Customers, workspaces, sources, sync triggers and pushed items.
#include <charconv>
#include <map>

#include "api/audit.hpp"
#include "api/auth.hpp"
#include "api/context.hpp"
#include "api/reanalysis.hpp"
#include "api/respond.hpp"
#include "api/source_spec.hpp"
#include "api/sync_request.hpp"
#include "bus/messages.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kPushChunk = 500;  // items per raw.items message
constexpr std::size_t kMaxPushItems = 100000;

Result<store::Source> caller_source(const http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return ws.error();
  auto src = path_id(req, "src", "source");
  if (!src) return src.error();
  return ctx.store.get_source(ws->id, *src);
}

void audit_source(const http::Request& req, AppContext& ctx, std::string action, const store::Source& src,
                  std::string detail = "") {
  audit(req, ctx, action, {"source", src.id, src.name}, std::move(detail), src.workspace_id);
}

http::Response create_customer(http::Request& req, AppContext& ctx) {
  if (auto s = require_admin(req, ctx); !s) return error_response(s.error());
  auto body = object_body(req);
  if (!body) return error_response(body.error());
  if (auto s = only_known_fields(*body, {"name"}, "a customer"); !s) return error_response(s.error());
  const json::value* given = body->if_contains("name");
  if (!given) return error_response(ErrorCode::bad_request, "name is required");
  auto name = display_name(*given, "name");
  if (!name) return error_response(name.error());
  std::string key = "chk_" + random_token(32);
  auto c = ctx.store.create_customer(*name, hash_api_key(key));
  if (!c) return error_response(c.error());
  return json_response(201, json::object{{"id", std::to_string(c->id)}, {"name", c->name}, {"api_key", key}});
}

http::Response create_workspace(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  if (caller->workspaces)
    return error_response(ErrorCode::forbidden,
                          "this key is limited to some workspaces; creating one needs an admin key over all workspaces");
  auto customer = require_customer(req, ctx);
  if (!customer) return error_response(customer.error());
  auto body = object_body(req);
  if (!body) return error_response(body.error());
  auto name_it = body->find("name");
  if (name_it == body->end() || !name_it->value().is_string() || name_it->value().get_string().empty())
    return error_response(ErrorCode::bad_request, "name is required and must be a non-empty string");
  // The workspace's own fields, its settings included, are checked as a change to them is: a setting given at
  // creation (redaction, say) holds from the first item on, and a misspelt one is refused, not ignored.
  json::object own = *body;
  own.erase("sources");
  store::Workspace wanted;
  if (auto s = apply_workspace_change(own, wanted, /*creating=*/true); !s) return error_response(s.error());
  const bool has_settings = own.size() > 1;
  // Validate every source before creating anything, so a bad spec leaves nothing half-made.
  std::vector<store::Source> specs;
  if (auto it = body->find("sources"); it != body->end() && !it->value().is_null()) {
    if (!it->value().is_array()) return error_response(ErrorCode::bad_request, "sources must be an array of SourceSpec");
    std::size_t i = 0;
    for (const auto& s : it->value().get_array()) {
      std::string where = "sources[" + std::to_string(i++) + "].";
      if (!s.is_object()) return error_response(ErrorCode::bad_request, where.substr(0, where.size() - 1) + " must be an object");
      auto src = parse_source_spec(s.get_object(), where, ctx);
      if (!src) return error_response(src.error());
      specs.push_back(std::move(src.value()));
    }
  }
  auto ws = ctx.store.create_workspace(*customer, wanted.name);
  if (!ws) return error_response(ws.error());
  if (has_settings) {
    ws->settings = wanted.settings;
    auto set = ctx.store.update_workspace(*ws);
    if (!set) {
      (void)ctx.store.delete_workspace(*customer, ws->id);  // nothing half-made
      return error_response(set.error());
    }
    ws->settings = set->settings;
  }
  audit(req, ctx, "workspace.create", {"workspace", ws->id, ws->name}, "", ws->id);
  std::vector<store::Source> created;
  for (auto& s : specs) {
    s.workspace_id = ws->id;
    auto c = ctx.store.create_source(s);
    if (!c) return error_response(c.error());
    audit_source(req, ctx, "source.create", *c, c->type);
    created.push_back(std::move(c.value()));
  }
  return json_response(201, workspace_view(*ws, created));
}

http::Response list_workspaces(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  auto customer = require_customer(req, ctx);
  if (!customer) return error_response(customer.error());
  auto list = ctx.store.list_workspaces(*customer);
  if (!list) return error_response(list.error());
  json::array items;
  for (const auto& ws : *list) {
    if (!caller->sees(ws.id)) continue;
    auto sources = ctx.store.list_sources(ws.id);
    if (!sources) return error_response(sources.error());
    items.push_back(workspace_view(ws, *sources));
  }
  return json_response(200, json::object{{"items", std::move(items)}});
}

http::Response get_workspace(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto sources = ctx.store.list_sources(ws->id);
  if (!sources) return error_response(sources.error());
  return json_response(200, workspace_view(*ws, *sources));
}

http::Response create_source(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto body = object_body(req);
  if (!body) return error_response(body.error());
  auto src = parse_source_spec(*body, "", ctx);
  if (!src) return error_response(src.error());
  src->workspace_id = ws->id;
  auto created = ctx.store.create_source(*src);
  if (!created) return error_response(created.error());
  audit_source(req, ctx, "source.create", *created, created->type);
  return json_response(201, source_view(*created));
}

http::Response list_sources(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto sources = ctx.store.list_sources(ws->id);
  if (!sources) return error_response(sources.error());
  json::array items;
  for (const auto& s : *sources) items.push_back(source_view(s));
  return json_response(200, json::object{{"items", std::move(items)}});
}

http::Response get_source(http::Request& req, AppContext& ctx) {
  auto src = caller_source(req, ctx);
  if (!src) return error_response(src.error());
  return json_response(200, source_view(*src));
}

http::Response delete_source(http::Request& req, AppContext& ctx) {
  auto src = caller_source(req, ctx);
  if (!src) return error_response(src.error());
  if (auto s = ctx.store.delete_source(src->workspace_id, src->id); !s) return error_response(s.error());
  audit_source(req, ctx, "source.delete", *src);
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

// PATCH: the fields sent replace the stored ones, checked as on create; nothing changes unless all are valid.
http::Response update_source(http::Request& req, AppContext& ctx) {
  auto src = caller_source(req, ctx);
  if (!src) return error_response(src.error());
  auto body = object_body(req);
  if (!body) return error_response(body.error());
  auto change = patch_source(*src, *body, ctx);
  if (!change) return error_response(change.error());
  auto stored = ctx.store.update_source(change->source, change->reset_cursor);
  if (!stored) return error_response(stored.error());
  // The names of the fields sent, with "paused" or "resumed" for the pause flag: never their values.
  std::string fields;
  for (const auto& f : change->changed)
    fields += (fields.empty() ? "" : ", ") + (f == "paused" ? std::string(stored->paused ? "paused" : "resumed") : f);
  audit_source(req, ctx, "source.update", *stored, fields);
  return json_response(200, source_view(*stored));
}

http::Response trigger_sync(http::Request& req, AppContext& ctx) {
  auto src = caller_source(req, ctx);
  if (!src) return error_response(src.error());
  if (src->paused)
    return error_response(ErrorCode::conflict, "source " + std::to_string(src->id) +
                                                   " is paused; resume it with PATCH /v1/workspaces/" +
                                                   std::to_string(src->workspace_id) + "/sources/" +
                                                   std::to_string(src->id) + " {\"paused\": false}");
  const auto* connector = connectors::find_connector(src->type);
  if (!connector || !connector->pulls())
    return error_response(ErrorCode::bad_request,
                          src->type + " sources are push-only: send items to POST /v1/workspaces/" +
                              std::to_string(src->workspace_id) + "/sources/" + std::to_string(src->id) +
                              "/items or to the webhook URL");
  auto sync = request_sync(ctx.store, ctx.bus, *src);
  if (!sync) return error_response(sync.error());
  ctx.metrics.add("chorus_syncs_requested_total");
  return json_response(202, sync_view(*sync));
}

http::Response get_sync(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto id = path_id(req, "sync", "sync");
  if (!id) return error_response(id.error());
  auto sync = ctx.store.get_sync(ws->id, *id);
  if (!sync) return error_response(sync.error());
  return json_response(200, sync_view(*sync));
}

// A JSON array, or JSON lines (one object per line; blank lines skipped).
Result<json::array> parse_items(const std::string& body) {
  std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return make_error(ErrorCode::bad_request, "no items: send a JSON array or JSON lines");
  if (body[first] == '[') {
    auto v = parse_json(body);
    if (!v) return make_error(ErrorCode::bad_request, "body is " + v.error().message);
    if (!v->is_array()) return make_error(ErrorCode::bad_request, "body must be a JSON array or JSON lines");
    return std::move(v->get_array());
  }
  json::array items;
  std::size_t pos = 0, line = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    ++line;
    std::string_view text(body.data() + pos, end - pos);
    pos = end + 1;
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto v = parse_json(text);
    if (!v) return make_error(ErrorCode::bad_request, "line " + std::to_string(line) + ": " + v.error().message);
    items.push_back(std::move(*v));
  }
  return items;
}

http::Response push_items(http::Request& req, AppContext& ctx) {
  auto src = caller_source(req, ctx);
  if (!src) return error_response(src.error());
  auto items = parse_items(req.body);
  if (!items) return error_response(items.error());
  if (items->size() > kMaxPushItems)
    return error_response(ErrorCode::too_large, "at most " + std::to_string(kMaxPushItems) +
                                                    " items per request; split the upload");
  const auto* connector = connectors::find_connector(src->type);
  if (!connector) return error_response(ErrorCode::internal, "source type " + src->type + " is not registered");
  auto settings = source_settings(*src, {});
  // Every item must map before any is accepted: a bad upload stores nothing. Items the source's settings
  // leave out, or without text to analyse, are taken as the parser would take them: counted, not sent on.
  json::array admitted;
  std::map<std::string, std::int64_t> skipped;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto admission = connectors::admit_item(*connector, (*items)[i], settings);
    if (!admission)
      return error_response(ErrorCode::bad_request, "item " + std::to_string(i) + ": " + admission.error().message);
    if (admission->item)
      admitted.push_back(std::move((*items)[i]));
    else
      ++skipped[admission->skipped];
  }
  items->swap(admitted);
  std::int64_t skipped_total = 0;
  for (const auto& [reason, n] : skipped) {
    skipped_total += n;
    ctx.metrics.add("chorus_items_skipped_total{reason=\"" + reason + "\"}", n);
  }
  std::vector<bus::OutgoingMessage> messages;
  for (std::size_t i = 0; i < items->size(); i += kPushChunk) {
    bus::RawItems m;
    m.kind = bus::RawItems::Kind::push;
    m.workspace_id = src->workspace_id;
    m.source_id = src->id;
    m.source_type = src->type;
    m.received_at = now_ms();
    for (std::size_t j = i; j < std::min(items->size(), i + kPushChunk); ++j) m.items.push_back((*items)[j]);
    messages.push_back({bus::workspace_key(src->workspace_id), bus::encode(m)});
  }
  if (!messages.empty())
    if (auto s = ctx.bus.publish(bus::kRawItems, messages); !s) return error_response(s.error());
  ctx.metrics.add("chorus_items_pushed_total", static_cast<std::int64_t>(items->size()));
  return json_response(
      202, json::object{{"accepted", items->size()}, {"skipped", skipped_total}, {"skipped_reasons", skipped_view(skipped)}});
}

}  // namespace

void add_api_routes(http::Router& router, AppContext& ctx) {
  auto bind = [&ctx](http::Response (*fn)(http::Request&, AppContext&)) {
    return [fn, &ctx](http::Request& req) { return fn(req, ctx); };
  };
  using enum Access;
  add_route(router, ctx, "POST", "/v1/customers", operator_key, bind(create_customer));
  add_route(router, ctx, "POST", "/v1/workspaces", admin, bind(create_workspace));
  add_route(router, ctx, "POST", "/CreateWorkspace", admin, bind(create_workspace));
  add_route(router, ctx, "GET", "/v1/workspaces", viewer, bind(list_workspaces));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}", viewer, bind(get_workspace));
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/sources", editor, bind(create_source));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/sources", viewer, bind(list_sources));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/sources/{src}", viewer, bind(get_source));
  add_route(router, ctx, "PATCH", "/v1/workspaces/{ws}/sources/{src}", editor, bind(update_source));
  add_route(router, ctx, "DELETE", "/v1/workspaces/{ws}/sources/{src}", editor, bind(delete_source));
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/sources/{src}/sync", editor, bind(trigger_sync));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/syncs/{sync}", viewer, bind(get_sync));
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/sources/{src}/items", editor, bind(push_items));
  add_governance_routes(router, ctx);
  add_key_routes(router, ctx);
  add_audit_routes(router, ctx);
  add_query_routes(router, ctx);
  auto jobs = make_reanalysis_jobs(ctx.store, ctx.bus);
  add_reanalyze_routes(router, ctx, jobs);
  add_theme_routes(router, ctx, jobs);
  add_alert_routes(router, ctx);
}

}  // namespace chorus::api
