// chorus report: a workspace's feedback over a period as readable tables (totals, sentiment mix, top
// themes, emerging issues, volume per bucket), or the API's raw JSON with --json.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"
#include "core/time.hpp"

namespace chorus::cli {

namespace {

constexpr TimeMs kDay = 86400000;
constexpr std::size_t kMaxColumns = 6;  // series shown side by side; the rest are summed as "other"

struct ReportOptions {
  ApiOptions api;
  std::string workspace, from, to, source, language;
  std::string bucket = "day";
  std::string group_by = "sentiment";
  bool json = false;
};

bool utf8_terminal() {
  for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"})
    if (const char* v = std::getenv(var); v && *v) {
      std::string s(v);
      return s.find("UTF-8") != std::string::npos || s.find("utf8") != std::string::npos;
    }
  return false;
}

std::string bar(double fraction, int width) {
  static const bool fancy = utf8_terminal();
  int n = static_cast<int>(fraction * width + 0.5);
  std::string out;
  for (int i = 0; i < n; ++i) out += fancy ? "\u2588" : "#";
  return out;
}

std::string mood(double c) {
  if (c >= 0.35) return "positive";
  if (c >= 0.05) return "slightly positive";
  if (c > -0.05) return "neutral";
  if (c > -0.35) return "slightly negative";
  return "negative";
}

std::string day_of(std::string_view iso) { return std::string(iso.substr(0, std::min<std::size_t>(10, iso.size()))); }

std::string query_string(const ReportOptions& o, TimeMs from, TimeMs to) {
  std::string q = "from=" + url_encode(format_time(from)) + "&to=" + url_encode(format_time(to));
  if (!o.source.empty()) q += "&source=" + url_encode(o.source);
  if (!o.language.empty()) q += "&language=" + url_encode(o.language);
  return q;
}

void print_totals(const json::value& insights, TimeMs from, TimeMs to) {
  const auto* totals = find_path(insights, "totals");
  std::int64_t count = totals ? get_int(*totals, "count").value_or(0) : 0;
  double avg = totals ? get_double(*totals, "avg_compound").value_or(0) : 0;
  std::printf("  %-18s %8lld\n", "Feedback", static_cast<long long>(count));
  std::printf("  %-18s %+8.2f  %s\n", "Average sentiment", avg, count ? mood(avg).c_str() : "no data");
  std::printf("  %-18s %8lld days, %s to %s (exclusive)\n\n", "Period", static_cast<long long>((to - from) / kDay),
              day_of(format_time(from)).c_str(), day_of(format_time(to)).c_str());
  if (!count) return;
  std::printf("%-20s %8s  %7s\n", "Sentiment", "count", "share");
  for (const char* s : {"positive", "neutral", "mixed", "negative"}) {
    std::int64_t n = 0;
    if (const auto* v = find_path(*totals, std::string("by_sentiment.") + s); v && v->is_int64()) n = v->as_int64();
    double share = static_cast<double>(n) / static_cast<double>(count);
    std::printf("  %-18s %8lld  %6.1f%%  %s\n", s, static_cast<long long>(n), share * 100, bar(share, 30).c_str());
  }
  std::printf("\n");
}

// "+25%" against the previous period; "new" when the theme was absent then.
std::string change_since(std::int64_t before, std::int64_t now) {
  if (before == 0) return "new";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.0f%%", 100.0 * static_cast<double>(now - before) / static_cast<double>(before));
  return buf;
}

void print_themes(const json::value& insights) {
  const auto* themes = find_path(insights, "top_themes");
  if (!themes || !themes->is_array() || themes->as_array().empty()) return;
  std::printf("%-26s %6s  %7s  %9s  %9s  %7s\n", "Top themes", "count", "share", "sentiment", "previous", "change");
  for (const auto& t : themes->as_array()) {
    std::string name = get_string(t, "theme").value_or("?");
    if (name.size() > 24) name = name.substr(0, 23) + "~";
    std::int64_t n = get_int(t, "count").value_or(0);
    auto prev = get_int(t, "previous_count");
    std::string change = prev ? change_since(*prev, n) : "";
    std::printf("  %-24s %6lld  %6.1f%%  %+9.2f  %9s  %7s\n", name.c_str(), static_cast<long long>(n),
                get_double(t, "share").value_or(0) * 100, get_double(t, "avg_compound").value_or(0),
                prev ? std::to_string(*prev).c_str() : "-", change.c_str());
  }
  std::printf("\n");
}

void print_emerging(const json::value& insights) {
  const auto* emerging = find_path(insights, "emerging");
  if (!emerging || !emerging->is_array() || emerging->as_array().empty()) return;
  std::printf("Emerging issues\n");
  for (const auto& e : emerging->as_array())
    std::printf("  %-24s %s to %s  %lld items vs a baseline of %.1f a day  (score %.1f, %s)\n",
                get_string(e, "theme").value_or("?").c_str(), day_of(get_string(e, "start").value_or("")).c_str(),
                day_of(get_string(e, "end").value_or("")).c_str(),
                static_cast<long long>(get_int(e, "count").value_or(0)), get_double(e, "baseline").value_or(0),
                get_double(e, "score").value_or(0), get_string(e, "sentiment_type").value_or("-").c_str());
  std::printf("\n");
}

// Rows are buckets, columns the largest series of the grouping (source ids shown by name).
void print_volume(const json::value& report, const ReportOptions& o, const std::map<std::string, std::string>& names) {
  const auto* series = find_path(report, "series");
  if (!series || !series->is_array() || series->as_array().empty()) return;
  std::vector<std::pair<std::int64_t, std::string>> keys;
  std::map<std::string, std::map<std::string, std::int64_t>> cells;  // bucket -> key -> count
  for (const auto& s : series->as_array()) {
    std::string key = get_string(s, "key").value_or("");
    std::int64_t total = 0;
    if (const auto* points = find_path(s, "points"); points && points->is_array())
      for (const auto& p : points->as_array()) {
        std::int64_t n = get_int(p, "count").value_or(0);
        cells[get_string(p, "t").value_or("")][key] += n;
        total += n;
      }
    keys.emplace_back(total, key);
  }
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  bool grouped = !o.group_by.empty() && o.group_by != "none";
  bool other = keys.size() > kMaxColumns;
  if (other) keys.resize(kMaxColumns - 1);
  std::printf("%-22s %6s", ("Volume by " + o.bucket).c_str(), "total");
  if (grouped)
    for (const auto& [_, key] : keys) {
      std::string label = o.group_by == "source" && names.contains(key) ? names.at(key) : key;
      if (label.size() > 12) label = label.substr(0, 11) + "~";
      std::printf("  %12s", label.c_str());
    }
  if (grouped && other) std::printf("  %12s", "other");
  std::printf("\n");
  for (const auto& [t, row] : cells) {
    std::int64_t total = 0, shown = 0;
    for (const auto& [_, n] : row) total += n;
    std::string when = o.bucket == "hour" ? t.substr(0, 16) : day_of(t);
    std::printf("  %-20s %6lld", when.c_str(), static_cast<long long>(total));
    if (grouped)
      for (const auto& [_, key] : keys) {
        auto it = row.find(key);
        std::int64_t n = it == row.end() ? 0 : it->second;
        shown += n;
        std::printf("  %12lld", static_cast<long long>(n));
      }
    if (grouped && other) std::printf("  %12lld", static_cast<long long>(total - shown));
    std::printf("\n");
  }
}

int run_report(const ReportOptions& o) {
  if (o.api.key.empty()) return fail("no API key: pass --key or set CHORUS_API_KEY", 2);
  TimeMs today = now_ms() / kDay * kDay;
  TimeMs to = today + kDay, from = to - 30 * kDay;
  if (!o.to.empty()) {
    auto t = parse_time(o.to);
    if (!t) return fail("--to must be a date or time such as 2026-03-31 or 2026-03-31T00:00:00Z", 2);
    to = *t;
    if (o.from.empty()) from = to - 30 * kDay;
  }
  if (!o.from.empty()) {
    auto f = parse_time(o.from);
    if (!f) return fail("--from must be a date or time such as 2026-03-01 or 2026-03-01T00:00:00Z", 2);
    from = *f;
  }
  if (from >= to) return fail("--from must be earlier than --to", 2);

  ApiClient client(o.api);
  const std::string base = "/v1/workspaces/" + url_encode(o.workspace);
  const std::string q = query_string(o, from, to);
  // The workspace first: its name titles the report, its sources name the volume's columns, and a --source it
  // does not hold is an error, not an empty report.
  auto ws = client.get(base);
  if (!ws) return fail(ws.error().message);
  std::map<std::string, std::string> source_names;
  if (const auto* sources = find_path(*ws, "sources"); sources && sources->is_array())
    for (const auto& s : sources->as_array())
      source_names[get_string(s, "id").value_or("")] = get_string(s, "name").value_or("");
  if (!o.source.empty() && !source_names.contains(o.source)) {
    std::string known;
    for (const auto& [id, name] : source_names) known += (known.empty() ? "" : ", ") + id + " (" + name + ")";
    return fail("workspace " + o.workspace + " has no source " + o.source + "; its sources are " +
                    (known.empty() ? "none yet" : known),
                2);
  }
  auto insights = client.get(base + "/insights?" + q);
  if (!insights) return fail(insights.error().message);
  std::string report_q = q + "&bucket=" + url_encode(o.bucket);
  if (o.group_by != "none") report_q += "&group_by=" + url_encode(o.group_by);
  auto report = client.get(base + "/reports?" + report_q);
  if (!report) return fail(report.error().message);
  if (o.json) {
    std::printf("%s\n", json::serialize(json::object{{"insights", *insights}, {"report", *report}}).c_str());
    return 0;
  }
  std::string title = "Workspace " + o.workspace;
  if (auto name = get_string(*ws, "name")) title += " \"" + *name + "\"";
  std::printf("%s\n\n", title.c_str());
  print_totals(*insights, from, to);
  print_themes(*insights);
  print_emerging(*insights);
  print_volume(*report, o, source_names);
  return 0;
}

}  // namespace

void add_report(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("report", "Summarise a workspace's feedback over a period");
  auto o = std::make_shared<ReportOptions>();
  cmd->add_option("workspace", o->workspace, "Workspace id")->required();
  cmd->add_option("--from", o->from,
                  "Start, inclusive: a date (2026-03-01) or ISO time (default: 30 days before --to)");
  cmd->add_option("--to", o->to, "End, exclusive: a date or ISO time (default: the end of today, UTC)");
  cmd->add_option("--bucket", o->bucket, "Rows of the volume table")
      ->check(CLI::IsMember({"hour", "day", "week", "month"}))
      ->capture_default_str();
  cmd->add_option("--group-by", o->group_by, "Columns of the volume table")
      ->check(CLI::IsMember({"none", "source", "sentiment", "category", "theme", "language"}))
      ->capture_default_str();
  cmd->add_option("--source", o->source, "Only this source id");
  cmd->add_option("--language", o->language, "Only this language code (en, de, ...)");
  cmd->add_flag("--json", o->json, "Print {\"insights\": ..., \"report\": ...} as the API returns them, for scripts");
  add_api_options(*cmd, o->api);
  cmd->footer(
      "\nExamples:\n  CHORUS_API_KEY=chk_... chorus report 1\n"
      "  chorus report 1 --from 2026-03-01 --to 2026-04-01 --bucket week --group-by source\n"
      "  chorus report 1 --from 2026-03-01 --json | jq '.insights.top_themes[0]'");
  cmd->callback(
      [cmd, o, &commands] { commands.exit_code = with_config(*cmd, o->api, [&] { return run_report(*o); }); });
}

}  // namespace chorus::cli
