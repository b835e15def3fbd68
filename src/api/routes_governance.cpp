// Workspace governance: rename and settings (retention, PII redaction, raw items, erased authors), deletion with
// all its data, and the erasure of one person. Each change is one store call in one handler.
#include <algorithm>
#include <mutex>

#include "api/audit.hpp"
#include "api/auth.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "api/source_spec.hpp"
#include "nlp/pii_redaction.hpp"

namespace chorus::api {

namespace {

constexpr std::int64_t kMaxRetentionDays = 36500;
constexpr std::size_t kMaxIdentifierLength = 320;
constexpr std::string_view kPersonFields[] = {"email", "user_id", "username"};

// Settings and the salt of erased persons' hashes are read, changed and written whole: one change at a time in
// this process, so an erasure's new salt and a PATCH never overwrite each other.
std::mutex& settings_mutex() {
  static std::mutex mu;
  return mu;
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace

Status apply_workspace_change(const json::object& body, store::Workspace& ws, bool creating) {
  if (body.empty())
    return make_error(ErrorCode::bad_request,
                      "nothing to change: send any of name, retention_days, redact, keep_raw, drop_erased_authors");
  for (const auto& kv : body) {
    std::string_view key = kv.key();
    const json::value& v = kv.value();
    if (key == "name") {
      auto name = display_name(v, "name");
      if (!name) return name.error();
      ws.name = std::move(*name);
    } else if (key == "retention_days") {
      if (v.is_null()) {
        ws.settings.retention_days.reset();
        continue;
      }
      if (!v.is_int64() || v.as_int64() < 1 || v.as_int64() > kMaxRetentionDays)
        return make_error(ErrorCode::bad_request,
                          "retention_days must be a whole number of days from 1 to 36500, or null to keep records");
      ws.settings.retention_days = v.as_int64();
    } else if (key == "redact") {
      if (!v.is_array())
        return make_error(ErrorCode::bad_request,
                          "redact must be a list of kinds: email, phone, card, iban, ip, url_params ([] masks none)");
      std::vector<std::string> names;
      for (const auto& k : v.get_array()) {
        if (!k.is_string())
          return make_error(ErrorCode::bad_request,
                            "redact must be a list of kinds: email, phone, card, iban, ip, url_params");
        names.emplace_back(k.get_string());
      }
      auto policy = nlp::RedactionPolicy::parse(names);
      if (!policy) return policy.error();
      ws.settings.redact = policy->names();
    } else if (key == "keep_raw" || key == "drop_erased_authors") {
      if (!v.is_bool()) return make_error(ErrorCode::bad_request, std::string(key) + " must be true or false");
      (key == "keep_raw" ? ws.settings.keep_raw : ws.settings.drop_erased_authors) = v.get_bool();
    } else {
      return make_error(ErrorCode::bad_request, "unknown field '" + std::string(key) + "'; a workspace takes name, " +
                                                    (creating ? "sources, " : "") +
                                                    "retention_days, redact, keep_raw, drop_erased_authors");
    }
  }
  return {};
}

namespace {

http::Response update_workspace(http::Request& req, AppContext& ctx) {
  std::lock_guard lock(settings_mutex());
  auto ws = caller_workspace(req, ctx);  // first: another customer's workspace is 404 whatever the body
  if (!ws) return error_response(ws.error());
  auto body = object_body(req);
  if (!body) return error_response(body.error());
  if (auto s = apply_workspace_change(*body, *ws); !s) return error_response(s.error());
  auto updated = ctx.store.update_workspace(*ws);
  if (!updated) return error_response(updated.error());
  std::string fields;
  for (const auto& kv : *body) fields += (fields.empty() ? "" : ", ") + std::string(kv.key());
  audit(req, ctx, "workspace.update", {"workspace", updated->id, updated->name}, std::move(fields), updated->id);
  auto sources = ctx.store.list_sources(updated->id);
  if (!sources) return error_response(sources.error());
  return json_response(200, workspace_view(*updated, *sources));
}

http::Response delete_workspace(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  if (auto s = ctx.store.delete_workspace(ws->customer_id, ws->id); !s) return error_response(s.error());
  // The log outlives the workspace: who deleted it stays on record, with nothing of its feedback.
  audit(req, ctx, "workspace.delete", {"workspace", ws->id, ws->name}, "", ws->id);
  return no_content();
}

// Exactly one of email, user_id or username, a non-empty string.
Result<store::PersonMatch> parse_person(const json::object& body) {
  std::optional<store::PersonMatch> who;
  for (const auto& kv : body) {
    std::string_view key = kv.key();
    if (std::find(std::begin(kPersonFields), std::end(kPersonFields), key) == std::end(kPersonFields))
      return make_error(ErrorCode::bad_request,
                        "unknown field '" + std::string(key) + "'; name the person by one of email, user_id, username");
    if (who)
      return make_error(ErrorCode::bad_request,
                        "name the person by exactly one of email, user_id, username (erase each separately)");
    const json::value& v = kv.value();
    if (!v.is_string() || v.get_string().empty() || v.get_string().size() > kMaxIdentifierLength)
      return make_error(ErrorCode::bad_request,
                        std::string(key) + " must be a non-empty string of at most 320 characters");
    who = store::PersonMatch{std::string(key), std::string(v.get_string())};
  }
  if (!who) return make_error(ErrorCode::bad_request, "nobody to erase: send one of email, user_id, username");
  return *who;
}

json::object erasure_view(const store::Erasure& e) {
  return json::object{{"id", std::to_string(e.id)},
                      {"workspace_id", std::to_string(e.workspace_id)},
                      {"state", e.state},
                      {"field", e.field},
                      {"requested_by", e.requested_by},
                      {"requested_at", format_time(e.requested_at)},
                      {"finished_at", e.finished_at ? json::value(format_time(*e.finished_at)) : json::value(nullptr)},
                      {"records", e.records},
                      {"raw_items", e.raw_items},
                      {"duplicate_links", e.duplicate_links}};
}

http::Response create_erasure(http::Request& req, AppContext& ctx) {
  auto caller = authenticate(req, ctx);
  if (!caller) return error_response(caller.error());
  std::string salt;
  Id workspace_id = 0;
  store::PersonMatch person;
  {
    std::lock_guard lock(settings_mutex());
    auto ws = caller_workspace(req, ctx);  // first: another customer's workspace is 404 whatever the body
    if (!ws) return error_response(ws.error());
    auto body = object_body(req);
    if (!body) return error_response(body.error());
    auto who = parse_person(*body);
    if (!who) return error_response(who.error());
    person = std::move(*who);
    workspace_id = ws->id;
    if (ws->settings.author_salt.empty()) {
      ws->settings.author_salt = random_token(16);
      if (auto s = ctx.store.update_workspace(*ws); !s) return error_response(s.error());
    }
    salt = ws->settings.author_salt;
  }
  auto done = ctx.store.erase_person(workspace_id, person,
                                     store::erased_author_hash(salt, person.field, person.value), caller->key_name);
  if (!done) return error_response(done.error());
  // The kind of identifier only, never the person's.
  audit(req, ctx, "erasure.create", {"erasure", done->id}, person.field, workspace_id);
  return json_response(202, erasure_view(*done));
}

http::Response get_erasure(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto id = path_id(req, "id", "erasure");
  if (!id) return error_response(id.error());
  auto e = ctx.store.get_erasure(ws->id, *id);
  if (!e) return error_response(e.error());
  return json_response(200, erasure_view(*e));
}

http::Response list_erasures(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto list = ctx.store.list_erasures(ws->id);
  if (!list) return error_response(list.error());
  json::array items;
  for (const auto& e : *list) items.push_back(erasure_view(e));
  return json_response(200, json::object{{"items", std::move(items)}});
}

}  // namespace

void add_governance_routes(http::Router& router, AppContext& ctx) {
  auto bind = [&ctx](http::Response (*fn)(http::Request&, AppContext&)) {
    return [fn, &ctx](http::Request& req) { return fn(req, ctx); };
  };
  using enum Access;
  add_route(router, ctx, "PATCH", "/v1/workspaces/{ws}", admin, bind(update_workspace));
  add_route(router, ctx, "DELETE", "/v1/workspaces/{ws}", admin, bind(delete_workspace));
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/erasures", admin, bind(create_erasure));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/erasures", admin, bind(list_erasures));
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/erasures/{id}", admin, bind(get_erasure));
}

}  // namespace chorus::api
