// The workspace's taxonomy of themes: GET/POST /v1/workspaces/{ws}/themes, PATCH/DELETE .../themes/{id}.
// Every change is a new version of the workspace's taxonomy document, and queues a re-analysis so that the
// records already stored follow it (new records follow at once: the parser reads the taxonomy per batch).
#include "api/audit.hpp"
#include "api/auth.hpp"
#include "api/reanalysis.hpp"
#include "api/respond.hpp"
#include "api/theme_taxonomy.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kMaxThemeBody = 64 * 1024;

Result<json::object> theme_body(const http::Request& req) {
  if (req.body.size() > kMaxThemeBody)
    return make_error(ErrorCode::too_large, "a theme change is at most " + std::to_string(kMaxThemeBody / 1024) +
                                                " KiB; send fewer or shorter phrases");
  return object_body(req);
}

Result<std::vector<std::string>> phrase_list(const json::object& rules, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = rules.if_contains(key);
  if (!v || v->is_null()) return out;
  std::string what = "rules." + std::string(key);
  if (!v->is_array()) return make_error(ErrorCode::bad_request, what + " must be a list of strings");
  for (const auto& x : v->get_array()) {
    if (!x.is_string()) return make_error(ErrorCode::bad_request, what + " must be a list of strings");
    std::string s(x.get_string());
    s.erase(0, s.find_first_not_of(" \t\r\n"));
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    out.push_back(std::move(s));
  }
  return out;
}

Result<nlp::CustomTheme> parse_new_theme(const json::object& body) {
  if (auto s = only_known_fields(body, {"name", "parent", "rules"}, "a theme"); !s) return s.error();
  nlp::CustomTheme c;
  const json::value* name = body.if_contains("name");
  if (!name || !name->is_string())
    return make_error(ErrorCode::bad_request, "name is required and must be a string, such as \"annual billing\"");
  c.name = nlp::normalise_theme_name(name->get_string());
  if (const json::value* parent = body.if_contains("parent"); parent && !parent->is_null()) {
    if (!parent->is_string()) return make_error(ErrorCode::bad_request, "parent must be a built-in aspect id or null");
    c.parent = std::string(parent->get_string());
  }
  const json::value* rules = body.if_contains("rules");
  if (!rules || !rules->is_object())
    return make_error(ErrorCode::bad_request,
                      "rules is required: an object such as {\"any\":[\"invoice\",\"billing\"]} with any, all, none "
                      "and languages");
  for (const auto& kv : rules->get_object())
    if (kv.key() != "any" && kv.key() != "all" && kv.key() != "none" && kv.key() != "languages")
      return make_error(ErrorCode::bad_request,
                        "rules." + std::string(kv.key()) + " is not a rule; use any, all, none and languages");
  const json::object& r = rules->get_object();
  auto any = phrase_list(r, "any"), all = phrase_list(r, "all"), none = phrase_list(r, "none"),
       languages = phrase_list(r, "languages");
  for (const auto* l : {&any, &all, &none, &languages})
    if (!*l) return l->error();
  c.rules = nlp::ThemeRules{std::move(*any), std::move(*all), std::move(*none), std::move(*languages)};
  return c;
}

// A theme id from a path or a body: a built-in aspect, a custom theme, a discovered theme that the taxonomy
// mentions or that some record of the workspace carries, or a level-2 phrase under a theme of the newest
// records. Anything else is not found.
Result<ThemeItem> find_theme(AppContext& ctx, Id ws, const nlp::WorkspaceTaxonomy& t, const std::string& id) {
  if (auto item = describe_theme(t, id)) return *item;
  if (!id.empty()) {
    store::FeedbackFilter f;
    f.workspace_id = ws;
    f.theme = id;
    auto carried = ctx.store.totals(f);  // from the rollups: how many records carry the theme
    if (!carried) return carried.error();
    if (carried->count > 0) {
      ThemeItem item;
      item.id = item.name = id;
      return item;
    }
    auto phrase = find_sub_theme(ctx.store, ws, id);
    if (!phrase) return phrase.error();
    if (*phrase) return **phrase;
  }
  return make_error(ErrorCode::not_found, "theme \"" + id + "\" does not exist in this workspace");
}

// The item after a change, with its count over all time and the re-analysis that applies the change.
http::Response changed(AppContext& ctx, ReanalysisJobs& jobs, Id ws, const nlp::WorkspaceTaxonomy& t,
                       const std::string& id, int status, bool reanalyse = true) {
  auto item = describe_theme(t, id);
  if (!item) {
    item.emplace();
    item->id = item->name = id;
  }
  // The change is stored: the re-analysis starts whatever else happens, and a count that cannot be read is 0.
  json::value job = reanalyse ? json::value(start_reanalysis(jobs, ws)) : json::value(nullptr);
  store::FeedbackFilter all;
  all.workspace_id = ws;
  if (auto stats = ctx.store.top_themes(all, 10000))
    for (const auto& s : *stats)
      if (s.theme == item->name) item->count = s.count;
  json::object out = theme_item_json(*item);
  out["taxonomy_version"] = t.version;
  out["reanalysis"] = std::move(job);
  return json_response(status, out);
}

http::Response list(http::Request& req, AppContext& ctx) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  store::FeedbackFilter period;
  period.workspace_id = ws->id;
  auto from = time_param(req, "from");
  if (!from) return error_response(from.error());
  auto to = time_param(req, "to");
  if (!to) return error_response(to.error());
  period.from = *from;
  period.to = *to;
  if (period.from && period.to && *period.from >= *period.to)
    return error_response(ErrorCode::bad_request, "from must be earlier than to");
  auto t = load_taxonomy(ctx.store, ws->id);
  if (!t) return error_response(t.error());
  auto items = list_themes(ctx.store, *t, period);
  if (!items) return error_response(items.error());
  json::array out;
  for (const auto& item : *items) out.push_back(theme_item_json(item));
  return json_response(200, json::object{{"items", std::move(out)}, {"taxonomy_version", t->version}});
}

http::Response create(http::Request& req, AppContext& ctx, ReanalysisJobs& jobs) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  auto body = theme_body(req);
  if (!body) return error_response(body.error());
  auto theme = parse_new_theme(*body);
  if (!theme) return error_response(theme.error());
  std::string id;
  auto t = change_taxonomy(ctx.store, ws->id, [&](nlp::WorkspaceTaxonomy& t) -> Status {
    nlp::CustomTheme c = *theme;
    c.id = "c";
    c.id += std::to_string(t.next_custom++);
    id = c.id;
    t.custom.push_back(std::move(c));
    return {};
  });
  if (!t) return error_response(t.error());
  audit(req, ctx, "taxonomy.create", {"theme", id, theme->name}, "taxonomy version " + std::to_string(t->version));
  return changed(ctx, jobs, ws->id, *t, id, 201);
}

// {name?, hidden?, merge_into?}, each checked for its type before anything changes.
struct ThemePatch {
  std::optional<std::string> name;
  std::optional<bool> hidden;
  std::optional<std::optional<std::string>> merge_into;  // a theme id, or null to undo a merge
};

Result<ThemePatch> parse_patch(const json::object& body) {
  ThemePatch p;
  for (const auto& kv : body)
    if (kv.key() != "name" && kv.key() != "hidden" && kv.key() != "merge_into")
      return make_error(ErrorCode::bad_request,
                        std::string(kv.key()) + " cannot be changed; send name, hidden or merge_into");
  if (const json::value* v = body.if_contains("name")) {
    if (!v->is_string()) return make_error(ErrorCode::bad_request, "name must be a string");
    p.name = nlp::normalise_theme_name(v->get_string());
  }
  if (const json::value* v = body.if_contains("hidden")) {
    if (!v->is_bool()) return make_error(ErrorCode::bad_request, "hidden must be true or false");
    p.hidden = v->get_bool();
  }
  if (const json::value* v = body.if_contains("merge_into")) {
    if (!v->is_string() && !v->is_null())
      return make_error(ErrorCode::bad_request, "merge_into must be a theme id, or null to undo a merge");
    p.merge_into =
        v->is_null() ? std::optional<std::string>{} : std::optional<std::string>{std::string(v->get_string())};
  }
  if (!p.name && !p.hidden && !p.merge_into)
    return make_error(ErrorCode::bad_request, "nothing to change; send name, hidden or merge_into");
  return p;
}

http::Response patch(http::Request& req, AppContext& ctx, ReanalysisJobs& jobs) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  const std::string id = req.params["id"];
  auto body = theme_body(req);
  if (!body) return error_response(body.error());
  auto p = parse_patch(*body);
  if (!p) return error_response(p.error());
  bool did_change = true;
  auto t = change_taxonomy(
      ctx.store, ws->id,
      [&](nlp::WorkspaceTaxonomy& t) -> Status {
        auto theme = find_theme(ctx, ws->id, t, id);
        if (!theme) return theme.error();
        if (p->name) {
          if (auto* c = t.find_custom(id))
            c->name = *p->name;
          else if (*p->name == id)
            t.renamed.erase(id);  // back to its own name
          else
            t.renamed[id] = *p->name;
        }
        if (p->hidden) {
          if (*p->hidden)
            t.hidden.insert(id);
          else
            t.hidden.erase(id);
        }
        if (p->merge_into) {
          if (!*p->merge_into) {
            t.merged.erase(id);
          } else {
            auto into = find_theme(ctx, ws->id, t, **p->merge_into);
            if (!into) return make_error(into.error().code, "merge_into: " + into.error().message);
            t.merged[id] = into->id;
          }
        }
        return {};
      },
      &did_change);
  if (!t) return error_response(t.error());
  // Asked for what already is (a rename to its name, an unmerge of a theme not merged): no version, no
  // re-analysis, nothing to audit.
  if (!did_change) return changed(ctx, jobs, ws->id, *t, id, 200, /*reanalyse=*/false);
  std::string fields;
  for (const auto& kv : *body) fields += (fields.empty() ? "" : ", ") + std::string(kv.key());
  audit(req, ctx, "taxonomy.update", {"theme", id}, fields + "; taxonomy version " + std::to_string(t->version));
  return changed(ctx, jobs, ws->id, *t, id, 200);
}

http::Response remove(http::Request& req, AppContext& ctx, ReanalysisJobs& jobs) {
  auto ws = caller_workspace(req, ctx);
  if (!ws) return error_response(ws.error());
  const std::string id = req.params["id"];
  auto t = change_taxonomy(ctx.store, ws->id, [&](nlp::WorkspaceTaxonomy& t) -> Status {
    auto theme = find_theme(ctx, ws->id, t, id);
    if (!theme) return theme.error();
    if (theme->kind == ThemeKind::aspect)
      return make_error(ErrorCode::bad_request,
                        "\"" + id +
                            "\" is a built-in aspect and cannot be deleted; hide it "
                            "instead (PATCH with {\"hidden\":true}) or merge it into another theme");
    if (theme->kind == ThemeKind::discovered)
      return make_error(ErrorCode::bad_request, "\"" + id +
                                                    "\" is discovered in the feedback itself and cannot be "
                                                    "deleted; hide it instead (PATCH with {\"hidden\":true})");
    std::erase_if(t.custom, [&](const nlp::CustomTheme& c) { return c.id == id; });
    t.renamed.erase(id);
    t.hidden.erase(id);
    t.merged.erase(id);
    std::erase_if(t.merged, [&](const auto& kv) { return kv.second == id; });  // its merged themes come back
    return {};
  });
  if (!t) return error_response(t.error());
  audit(req, ctx, "taxonomy.delete", {"theme", id}, "taxonomy version " + std::to_string(t->version));
  start_reanalysis(jobs, ws->id);
  http::Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace

void add_theme_routes(http::Router& router, AppContext& ctx, std::shared_ptr<ReanalysisJobs> jobs) {
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/themes", Access::viewer, [&ctx](http::Request& r) { return list(r, ctx); });
  add_route(router, ctx, "POST", "/v1/workspaces/{ws}/themes", Access::editor, [&ctx, jobs](http::Request& r) { return create(r, ctx, *jobs); });
  add_route(router, ctx, "PATCH", "/v1/workspaces/{ws}/themes/{id}", Access::editor,
            [&ctx, jobs](http::Request& r) { return patch(r, ctx, *jobs); });
  add_route(router, ctx, "DELETE", "/v1/workspaces/{ws}/themes/{id}", Access::editor,
            [&ctx, jobs](http::Request& r) { return remove(r, ctx, *jobs); });
}

}  // namespace chorus::api
