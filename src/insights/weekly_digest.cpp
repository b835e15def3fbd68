// The weekly digest from the insight report and the store's aggregates.
#include "insights/weekly_digest.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "insights/insight_report.hpp"

namespace chorus::insights {

namespace {

constexpr TimeMs kWeek = 7 * kDayMs;

std::int64_t weekday_monday0(std::int64_t days) { return ((days + 3) % 7 + 7) % 7; }  // 1970-01-01 was a Thursday

TimeMs week1_monday(int year) {
  std::int64_t jan4 = days_from_civil(year, 1, 4);
  return (jan4 - weekday_monday0(jan4)) * kDayMs;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

json::array quotes_json(const std::vector<Quote>& quotes, std::size_t limit) {
  json::array out;
  for (const auto& q : quotes) {
    if (out.size() >= limit) break;
    out.push_back(json::object{{"unique_identifier", std::to_string(q.unique_identifier)},
                               {"text", q.text},
                               {"url", q.url ? json::value(*q.url) : json::value(nullptr)},
                               {"sentiment_type", q.sentiment_type}});
  }
  return out;
}

// Quotes for a theme in the week: the insight report's when it chose some, else the newest, most negative
// records of the theme.
Result<json::array> theme_quotes(store::Store& store, const store::FeedbackFilter& week, const InsightReport& report,
                                 const std::string& theme, std::size_t limit) {
  if (auto it = report.quotes.find(theme); it != report.quotes.end() && !it->second.empty())
    return quotes_json(it->second, limit);
  auto f = week;
  f.theme = theme;
  auto page = store.query_feedback(f, 20, std::nullopt);
  if (!page) return page.error();
  auto items = page->items;
  std::stable_sort(items.begin(), items.end(), [](const FeedbackRecord& a, const FeedbackRecord& b) {
    return std::abs(a.sentiment_compound) > std::abs(b.sentiment_compound);
  });
  std::vector<Quote> quotes;
  for (const auto& r : items)
    quotes.push_back(Quote{r.unique_identifier, r.text.substr(0, 400), r.url, r.sentiment_type, r.sentiment_compound,
                           r.source_id, r.timestamp});
  return quotes_json(quotes, limit);
}

json::object totals_json(const store::Totals& t) {
  json::object by;
  for (const auto& [k, v] : t.by_sentiment) by[k] = v;
  return json::object{
      {"count", t.count}, {"avg_compound", std::round(t.avg_compound * 10000) / 10000}, {"by_sentiment", by}};
}

// Movers up and down (every theme of either week, by the change in its count) and the themes new this week
// (seen in it and not in the 28 days before).
Result<std::pair<json::object, json::array>> movers_json(store::Store& store, const store::FeedbackFilter& week,
                                                         const store::FeedbackFilter& previous,
                                                         const InsightReport& report, const DigestOptions& options) {
  const TimeMs week_start = *week.from;
  auto now_counts = store.top_themes(week, 500);
  if (!now_counts) return now_counts.error();
  auto prev_counts = store.top_themes(previous, 500);
  if (!prev_counts) return prev_counts.error();
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> both;
  for (const auto& t : *now_counts) both[t.theme].first = t.count;
  for (const auto& t : *prev_counts) both[t.theme].second = t.count;
  std::vector<std::pair<std::string, std::pair<std::int64_t, std::int64_t>>> moves(both.begin(), both.end());
  auto delta = [](const auto& m) { return m.second.first - m.second.second; };
  std::stable_sort(moves.begin(), moves.end(), [&](const auto& a, const auto& b) { return delta(a) > delta(b); });
  auto entry = [&](const auto& m) -> Result<json::object> {
    auto q = theme_quotes(store, week, report, m.first, options.quotes);
    if (!q) return q.error();
    return json::object{{"theme", m.first},
                        {"count", m.second.first},
                        {"previous_count", m.second.second},
                        {"change", delta(m)},
                        {"quotes", std::move(*q)}};
  };
  json::array up, down;
  for (const auto& m : moves)
    if (delta(m) > 0 && m.second.second > 0 && up.size() < options.movers) {
      auto e = entry(m);
      if (!e) return e.error();
      up.push_back(std::move(*e));
    }
  for (auto it = moves.rbegin(); it != moves.rend(); ++it)
    if (delta(*it) < 0 && down.size() < options.movers) {
      auto e = entry(*it);
      if (!e) return e.error();
      down.push_back(std::move(*e));
    }
  json::array fresh;
  for (const auto& t : *now_counts) {
    if (fresh.size() >= options.movers || t.count < 2) break;
    store::FeedbackFilter earlier = week;
    earlier.theme = t.theme;
    earlier.from = week_start - 28 * kDayMs;
    earlier.to = week_start;
    auto seen = store.totals(earlier);
    if (!seen) return seen.error();
    if (seen->count > 0) continue;
    auto q = theme_quotes(store, week, report, t.theme, options.quotes);
    if (!q) return q.error();
    fresh.push_back(json::object{{"theme", t.theme}, {"count", t.count}, {"quotes", std::move(*q)}});
  }
  return std::make_pair(json::object{{"up", std::move(up)}, {"down", std::move(down)}}, std::move(fresh));
}

}  // namespace

std::optional<TimeMs> parse_iso_week(std::string_view text) {
  int year = 0, week = 0;
  if (text.size() < 7 || text.size() > 8 || text[4] != '-' || (text[5] != 'W' && text[5] != 'w')) return std::nullopt;
  auto [p, ec] = std::from_chars(text.data(), text.data() + 4, year);
  if (ec != std::errc() || p != text.data() + 4 || year < 1970 || year > 9998) return std::nullopt;
  auto [q, ec2] = std::from_chars(text.data() + 6, text.data() + text.size(), week);
  if (ec2 != std::errc() || q != text.data() + text.size() || week < 1) return std::nullopt;
  TimeMs start = week1_monday(year) + static_cast<TimeMs>(week - 1) * kWeek;
  if (start >= week1_monday(year + 1)) return std::nullopt;  // W53 only in years that have one
  return start;
}

std::string iso_week_of(TimeMs t) {
  std::int64_t days = t >= 0 ? t / kDayMs : (t - kDayMs + 1) / kDayMs;
  // The ISO year is the year of the week's Thursday.
  std::int64_t thursday = days - weekday_monday0(days) + 3;
  int y;
  unsigned m, d;
  civil_from_days(thursday, y, m, d);
  TimeMs start = (days - weekday_monday0(days)) * kDayMs;
  int week = static_cast<int>((start - week1_monday(y)) / kWeek) + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", y, week);
  return buf;
}

Result<json::object> build_weekly_digest(store::Store& store, Id workspace_id, TimeMs week_start,
                                         const DigestOptions& options) {
  const TimeMs now = options.now ? options.now : now_ms();
  store::FeedbackFilter week;
  week.workspace_id = workspace_id;
  week.from = week_start;
  week.to = week_start + kWeek;
  store::FeedbackFilter previous = week;
  previous.from = week_start - kWeek;
  previous.to = week_start;

  InsightOptions io;
  io.top_themes = options.top_themes;
  io.now = std::min(now, week_start + kWeek);
  auto report = build_insights(store, week, io);
  if (!report) return report.error();
  auto before = store.totals(previous);
  if (!before) return before.error();

  json::object digest;
  digest["workspace_id"] = std::to_string(workspace_id);
  digest["week"] = iso_week_of(week_start);
  digest["from"] = format_time(week_start);
  digest["to"] = format_time(week_start + kWeek);
  digest["complete"] = now >= week_start + kWeek;
  json::object volume{{"count", report->totals.count}, {"previous_count", before->count}};
  volume["change"] = before->count ? json::value(std::round(1000.0 * (static_cast<double>(report->totals.count) /
                                                                          static_cast<double>(before->count) -
                                                                      1.0)) /
                                                 1000.0)
                                   : json::value(nullptr);
  digest["volume"] = std::move(volume);
  digest["sentiment"] =
      json::object{{"this_week", totals_json(report->totals)}, {"previous_week", totals_json(*before)}};

  json::array top;
  for (const auto& t : report->top_themes) {
    auto q = theme_quotes(store, week, *report, t.theme, options.quotes);
    if (!q) return q.error();
    top.push_back(json::object{{"theme", t.theme},
                               {"count", t.count},
                               {"previous_count", t.previous_count.value_or(0)},
                               {"share", std::round(t.share * 1000) / 1000},
                               {"avg_compound", std::round(t.avg_compound * 10000) / 10000},
                               {"quotes", std::move(*q)}});
  }
  digest["top_themes"] = std::move(top);

  auto movers = movers_json(store, week, previous, *report, options);
  if (!movers) return movers.error();
  digest["movers"] = std::move(movers->first);
  digest["new_themes"] = std::move(movers->second);

  json::array emerging;
  for (const auto& e : report->emerging) {
    if (e.spike.end <= week_start || e.spike.start >= week_start + kWeek) continue;
    emerging.push_back(json::object{{"theme", e.theme},
                                    {"start", format_time(e.spike.start)},
                                    {"end", format_time(e.spike.end)},
                                    {"count", e.spike.count},
                                    {"baseline", std::round(e.spike.baseline * 100) / 100},
                                    {"score", std::round(e.spike.score * 10) / 10},
                                    {"sentiment_type", e.sentiment_type},
                                    {"quotes", quotes_json(e.quotes, options.quotes)}});
  }
  digest["emerging"] = std::move(emerging);
  return digest;
}

namespace {

std::string themed_line(const json::value& t) {
  std::string line = "  ";
  line.append(get_string(t, "theme").value_or("")).append(": ").append(std::to_string(get_int(t, "count").value_or(0)));
  if (auto p = get_int(t, "previous_count")) line.append(" (previous week ").append(std::to_string(*p)).append(")");
  return line.append("\n");
}

void append_quotes(std::string& out, const json::value& t) {
  const auto* qs = find_path(t, "quotes");
  if (!qs || !qs->is_array()) return;
  for (const auto& q : qs->as_array()) {
    out.append("      \"").append(get_string(q, "text").value_or("")).append("\"");
    if (auto url = get_string(q, "url")) out.append(" <").append(*url).append(">");
    out += "\n";
  }
}

void section(std::string& out, const json::value& digest, std::string_view path, std::string_view title) {
  const auto* list = find_path(digest, path);
  out += std::string(title) + "\n";
  if (!list || !list->is_array() || list->as_array().empty()) {
    out += "  none\n\n";
    return;
  }
  for (const auto& t : list->as_array()) {
    out += themed_line(t);
    append_quotes(out, t);
  }
  out += "\n";
}

}  // namespace

std::string digest_text(const json::object& d) {
  json::value v = d;
  std::string out = "Weekly digest " + get_string(v, "week").value_or("") + " (" + get_string(v, "from").value_or("") +
                    " to " + get_string(v, "to").value_or("") + ")\n\n";
  // A part the answer lacks reads as zero: the text is made from whatever a server sent, never from what it
  // should have sent.
  static const json::value kNothing = json::object{};
  auto part = [&](std::string_view path) -> const json::value& {
    const json::value* p = find_path(v, path);
    return p ? *p : kNothing;
  };
  auto count = get_int(part("volume"), "count").value_or(0);
  auto prev = get_int(part("volume"), "previous_count").value_or(0);
  out += "Feedback: " + std::to_string(count) + " (previous week " + std::to_string(prev) + ")\n";
  double avg = get_double(part("sentiment.this_week"), "avg_compound").value_or(0);
  double pavg = get_double(part("sentiment.previous_week"), "avg_compound").value_or(0);
  out += "Average sentiment: " + fixed(avg, 2) + " (previous week " + fixed(pavg, 2) + ")\n";
  if (const auto* by = find_path(v, "sentiment.this_week.by_sentiment"); by && by->is_object()) {
    out += "Sentiment mix:";
    for (const auto& kv : by->as_object())
      out.append(" ").append(kv.key()).append(" ").append(json::serialize(kv.value()));
    out += "\n";
  }
  out += "\n";
  section(out, v, "top_themes", "Top themes");
  section(out, v, "movers.up", "Moving up");
  section(out, v, "movers.down", "Moving down");
  section(out, v, "new_themes", "New themes");
  section(out, v, "emerging", "Emerging issues");
  return out;
}

}  // namespace chorus::insights
