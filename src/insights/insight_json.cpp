// The insight report as the API's JSON: the contract's {totals, top_themes, emerging, quotes} with
// additive fields (ratings, trends, issue clusters, the searched range).
#include <cmath>

#include "insights/insight_report.hpp"

namespace chorus::insights {

namespace {

// Rounded to `decimals` places as the double nearest that decimal (dividing by an exact power of ten),
// so it prints short ("-0.0127", not "-0.012700000000000001") and reads back the same in any parser.
double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}
double round4(double v) { return round_to(v, 4); }

json::value time_or_null(TimeMs t) { return t ? json::value(format_time(t)) : json::value(nullptr); }

json::array ids(const std::vector<Id>& v) {
  json::array out;
  for (Id id : v) out.emplace_back(std::to_string(id));
  return out;
}

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

json::object quote_json(const Quote& q) {
  return json::object{{"unique_identifier", std::to_string(q.unique_identifier)},
                      {"text", q.text},
                      {"url", q.url ? json::value(*q.url) : json::value(nullptr)},
                      {"sentiment_type", q.sentiment_type},
                      {"sentiment_compound", round4(q.sentiment_compound)},
                      {"source_id", std::to_string(q.source_id)},
                      {"timestamp", format_time(q.timestamp)}};
}

json::array quotes_json(const std::vector<Quote>& quotes) {
  json::array out;
  for (const auto& q : quotes) out.push_back(quote_json(q));
  return out;
}

json::value scale_json(const std::optional<ScaleSummary>& s, bool nps) {
  if (!s) return nullptr;
  return json::object{{"score", round_to(s->score, 1)},
                      {"count", s->count},
                      {"average", round4(s->average)},
                      {nps ? "promoters" : "satisfied", s->favourable},
                      {nps ? "passives" : "neutral", s->neutral},
                      {nps ? "detractors" : "dissatisfied", s->unfavourable},
                      {"sources", ids(s->sources)}};
}

json::object emerging_json(const EmergingIssue& e) {
  const auto& s = e.spike;
  double days = static_cast<double>((s.end - s.start) / kDayMs);
  return json::object{{"theme", e.theme},
                      {"start", format_time(s.start)},
                      {"end", format_time(s.end)},
                      {"count", s.count},
                      {"baseline", round4(s.baseline)},
                      {"score", round_to(s.score, 2)},
                      {"sentiment_type", e.sentiment_type},
                      {"slice", e.slice},
                      {"expected", round4(s.expected)},
                      {"ratio", s.expected > 0 ? round_to(static_cast<double>(s.count) / s.expected, 2) : 0.0},
                      {"days", days},
                      {"avg_compound", round4(e.avg_compound)},
                      {"people", e.people},
                      {"sources", ids(e.sources)},
                      {"related_themes", strings(e.related_themes)},
                      {"quotes", quotes_json(e.quotes)}};
}

json::object issue_json(const IssueInsight& i) {
  json::array sources;
  for (const auto& s : i.sources)
    sources.push_back(json::object{{"source_id", std::to_string(s.source_id)}, {"records", s.records}});
  json::array phrases;
  for (const auto& p : i.key_phrases) phrases.emplace_back(p);
  json::array records;
  for (auto id : i.record_ids) records.emplace_back(std::to_string(id));
  return json::object{{"id", i.id},
                      {"theme", i.theme},
                      {"key_phrases", std::move(phrases)},
                      {"sources", std::move(sources)},
                      {"records", i.records},
                      {"people", i.people},
                      {"first_seen", format_time(i.first_seen)},
                      {"last_seen", format_time(i.last_seen)},
                      {"avg_compound", round4(i.avg_compound)},
                      {"sentiment_type", i.sentiment_type},
                      {"record_ids", std::move(records)},
                      {"quote", i.quote ? json::value(quote_json(*i.quote)) : json::value(nullptr)},
                      {"emerging", i.emerging}};
}

}  // namespace

json::object insights_to_json(const InsightReport& r) {
  json::object by_sentiment;
  for (const auto& [k, v] : r.totals.by_sentiment) by_sentiment[k] = v;
  json::array top;
  for (const auto& t : r.top_themes)
    top.push_back(
        json::object{{"theme", t.theme},
                     {"count", t.count},
                     {"share", round4(t.share)},
                     {"avg_compound", round4(t.avg_compound)},
                     {"previous_count", t.previous_count ? json::value(*t.previous_count) : json::value(nullptr)},
                     {"trend", t.trend.empty() ? json::value(nullptr) : json::value(t.trend)}});
  json::array emerging;
  for (const auto& e : r.emerging) emerging.push_back(emerging_json(e));
  json::object quotes;
  for (const auto& [theme, q] : r.quotes) quotes[theme] = quotes_json(q);
  json::array issues;
  for (const auto& i : r.issues) issues.push_back(issue_json(i));
  json::array windows;
  for (int d : r.window_days) windows.emplace_back(d);
  return json::object{
      {"totals", json::object{{"count", r.totals.count},
                              {"by_sentiment", std::move(by_sentiment)},
                              {"avg_compound", round4(r.totals.avg_compound)}}},
      {"ratings", json::object{{"count", r.ratings.count},
                               {"nps", scale_json(r.ratings.nps, true)},
                               {"csat", scale_json(r.ratings.csat, false)}}},
      {"top_themes", std::move(top)},
      {"emerging", std::move(emerging)},
      {"quotes", std::move(quotes)},
      {"issues", std::move(issues)},
      {"detection", json::object{{"from", time_or_null(r.detection_from)},
                                 {"to", time_or_null(r.detection_to)},
                                 {"baseline_days", r.baseline_days},
                                 {"window_days", std::move(windows)}}},
  };
}

}  // namespace chorus::insights
