// Reading what customers said: feedback records, time-bucketed reports and insights.
#include <charconv>
#include <cmath>

#include "api/auth.hpp"
#include "api/context.hpp"
#include "api/feedback_export.hpp"
#include "api/respond.hpp"
#include "insights/insight_report.hpp"

namespace chorus::api {

namespace {

constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 500;

Result<store::Workspace> workspace_for(const http::Request& req, AppContext& ctx, std::optional<std::string> raw_ws) {
  auto caller = authenticate(req, ctx);
  if (!caller) return caller.error();
  if (caller->operator_key)
    return make_error(ErrorCode::forbidden, "the admin key manages customers only; use a customer's API key");
  // GET /GetInsightReports names the workspace in its query: one missing is a bad request, not an unknown id.
  if (!raw_ws || raw_ws->empty())
    return make_error(ErrorCode::bad_request, "workspace_id is required, such as ?workspace_id=1");
  Id ws = 0;
  std::string raw = *raw_ws;
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), ws);
  if (ec != std::errc() || p != raw.data() + raw.size() || ws <= 0)
    return make_error(ErrorCode::not_found, "workspace " + raw + " does not exist");
  return scoped_workspace(*caller, ctx, ws);
}

Result<std::optional<std::string>> enum_param(const http::Request& req, const std::string& name,
                                              std::initializer_list<std::string_view> allowed) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return std::optional<std::string>{};
  std::string list;
  for (auto a : allowed) {
    if (*v == a) return std::optional<std::string>{*v};
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return make_error(ErrorCode::bad_request, name + " must be one of: " + list);
}

// The contract's shared filter parameters: from, to, source, sentiment, category, theme, language, q.
Result<store::FeedbackFilter> parse_filter(const http::Request& req, Id workspace_id) {
  store::FeedbackFilter f;
  f.workspace_id = workspace_id;
  auto from = time_param(req, "from");
  if (!from) return from.error();
  auto to = time_param(req, "to");
  if (!to) return to.error();
  f.from = *from;
  f.to = *to;
  if (f.from && f.to && *f.from >= *f.to) return make_error(ErrorCode::bad_request, "from must be earlier than to");
  if (auto s = req.query_param("source"); s && !s->empty()) {
    Id id = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), id);
    if (ec != std::errc() || p != s->data() + s->size())
      return make_error(ErrorCode::bad_request, "source must be a source id such as 3");
    f.source_id = id;
  }
  auto sentiment = enum_param(req, "sentiment", {"positive", "negative", "neutral", "mixed"});
  if (!sentiment) return sentiment.error();
  f.sentiment = *sentiment;
  auto category = enum_param(req, "category", {"bug", "feature_request", "question", "praise", "complaint", "other"});
  if (!category) return category.error();
  f.category = *category;
  if (auto t = req.query_param("theme"); t && !t->empty()) f.theme = *t;
  if (auto l = req.query_param("language"); l && !l->empty()) f.language = *l;
  if (auto q = req.query_param("q"); q && !q->empty()) f.q = *q;
  return f;
}

http::Response list_feedback(http::Request& req, AppContext& ctx) {
  auto ws = workspace_for(req, ctx, req.params["ws"]);
  if (!ws) return error_response(ws.error());
  auto filter = parse_filter(req, ws->id);
  if (!filter) return error_response(filter.error());
  // ?format=jsonl|csv: every matching record, all pages, in one download.
  if (auto format = req.query_param("format"); format && !format->empty()) {
    auto parsed = parse_export_format(*format);
    if (!parsed) return error_response(ErrorCode::bad_request, "format must be one of: jsonl, csv");
    auto res = export_feedback(ctx.store, *filter, *parsed);
    if (!res) return error_response(res.error());
    return std::move(res.value());
  }
  std::size_t limit = kDefaultLimit;
  if (auto l = req.query_param("limit"); l && !l->empty()) {
    auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (ec != std::errc() || p != l->data() + l->size() || limit == 0 || limit > kMaxLimit)
      return error_response(ErrorCode::bad_request, "limit must be a whole number from 1 to " + std::to_string(kMaxLimit));
  }
  std::optional<std::string> cursor;
  if (auto c = req.query_param("cursor"); c && !c->empty()) cursor = *c;
  auto page = ctx.store.query_feedback(*filter, limit, cursor);
  if (!page) return error_response(page.error());
  json::array items;
  for (const auto& r : page->items) items.push_back(record_to_json(r));
  return json_response(200, json::object{{"items", std::move(items)},
                                         {"next_cursor", page->next_cursor ? json::value(*page->next_cursor)
                                                                           : json::value(nullptr)}});
}

http::Response get_feedback(http::Request& req, AppContext& ctx) {
  auto ws = workspace_for(req, ctx, req.params["ws"]);
  if (!ws) return error_response(ws.error());
  const std::string& raw = req.params["id"];
  std::int64_t uid = 0;
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), uid);
  if (ec != std::errc() || p != raw.data() + raw.size())
    return error_response(ErrorCode::not_found, "feedback " + raw + " does not exist");
  auto rec = ctx.store.get_record(ws->id, uid);
  if (!rec) return error_response(rec.error());
  json::object out = record_to_json(*rec);
  // ?include=raw: the item as the source sent it (null where it was not kept).
  if (auto include = req.query_param("include"); include && !include->empty()) {
    if (*include != "raw") return error_response(ErrorCode::bad_request, "include must be: raw");
    json::value raw = nullptr;
    if (!rec->raw_item.empty()) {
      auto parsed = parse_json(rec->raw_item);
      raw = parsed ? std::move(parsed.value()) : json::value(rec->raw_item);
    }
    out["raw"] = std::move(raw);
  }
  return json_response(200, out);
}

const char* bucket_name(store::Bucket b) {
  switch (b) {
    case store::Bucket::hour: return "hour";
    case store::Bucket::day: return "day";
    case store::Bucket::week: return "week";
    case store::Bucket::month: return "month";
  }
  return "day";
}

double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

http::Response reports(http::Request& req, AppContext& ctx) {
  auto ws = workspace_for(req, ctx, req.params["ws"]);
  if (!ws) return error_response(ws.error());
  auto filter = parse_filter(req, ws->id);
  if (!filter) return error_response(filter.error());
  auto bucket = store::parse_bucket(req.query_param("bucket").value_or("day"));
  if (!bucket) return error_response(ErrorCode::bad_request, "bucket must be one of: hour, day, week, month");
  auto group = store::parse_group_by(req.query_param("group_by").value_or(""));
  if (!group)
    return error_response(ErrorCode::bad_request,
                          "group_by must be one of: source, sentiment, category, theme, language");
  auto series = ctx.store.report(*filter, *bucket, *group);
  if (!series) return error_response(series.error());
  json::array out;
  for (const auto& s : *series) {
    json::array points;
    for (const auto& p : s.points)
      points.push_back(json::object{{"t", format_time(p.t)}, {"count", p.count}, {"avg_compound", round4(p.avg_compound)}});
    out.push_back(json::object{{"key", s.key}, {"points", std::move(points)}});
  }
  return json_response(200, json::object{{"bucket", bucket_name(*bucket)}, {"series", std::move(out)}});
}

http::Response insights_for(http::Request& req, AppContext& ctx, std::optional<std::string> raw_ws) {
  auto ws = workspace_for(req, ctx, std::move(raw_ws));
  if (!ws) return error_response(ws.error());
  auto filter = parse_filter(req, ws->id);
  if (!filter) return error_response(filter.error());
  auto report = insights::build_insights(ctx.store, *filter);
  if (!report) return error_response(report.error());
  json::object out{{"workspace_id", std::to_string(ws->id)},
                   {"from", filter->from ? json::value(format_time(*filter->from)) : json::value(nullptr)},
                   {"to", filter->to ? json::value(format_time(*filter->to)) : json::value(nullptr)}};
  for (auto& kv : insights::insights_to_json(*report)) out[kv.key()] = std::move(kv.value());
  return json_response(200, out);
}

}  // namespace

void add_query_routes(http::Router& router, AppContext& ctx) {
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/feedback", Access::viewer, [&ctx](http::Request& r) { return list_feedback(r, ctx); });
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/feedback/{id}", Access::viewer, [&ctx](http::Request& r) { return get_feedback(r, ctx); });
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/reports", Access::viewer, [&ctx](http::Request& r) { return reports(r, ctx); });
  add_route(router, ctx, "GET", "/v1/workspaces/{ws}/insights", Access::viewer,
            [&ctx](http::Request& r) { return insights_for(r, ctx, r.params["ws"]); });
  add_route(router, ctx, "GET", "/GetInsightReports", Access::viewer,
            [&ctx](http::Request& r) { return insights_for(r, ctx, r.query_param("workspace_id")); });
}

}  // namespace chorus::api
