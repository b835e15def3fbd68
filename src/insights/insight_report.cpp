// The insight report: aggregates from the store, then emerging issues, then the evidence behind them.
#include "insights/insight_report.hpp"

#include <limits>

#include "insights/statistics.hpp"
#include "insights/theme_naming.hpp"

namespace chorus::insights {

namespace {

constexpr std::int64_t kNewThemeMinimum = 5;
constexpr std::size_t kVocabularySample = 1000;  // records read to learn what a workspace always says
constexpr double kTrendZ = 3.0;
constexpr double kTrendRatio = 1.5;

TimeMs floor_day(TimeMs t) { return t - (((t % kDayMs) + kDayMs) % kDayMs); }

// New, growing or fading only when the change is both large and unlikely to be chance.
std::string trend_of(std::int64_t count, std::int64_t previous) {
  if (previous == 0) return count >= kNewThemeMinimum ? "new" : "steady";
  double z = change_z(count, previous);
  double c = static_cast<double>(count), p = static_cast<double>(previous);
  if (z >= kTrendZ && c >= kTrendRatio * p) return "growing";
  if (z <= -kTrendZ && c * kTrendRatio <= p) return "fading";
  return "steady";
}

// Theme variants merged under their merge key and shown by their most used form; themes the workspace's
// vocabulary hides are left out.
std::vector<store::ThemeStat> merge_variants(const std::vector<store::ThemeStat>& themes,
                                             const WorkspaceVocabulary& vocabulary) {
  struct Group {
    store::ThemeStat total;
    std::int64_t shown_count = -1;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  for (const auto& t : themes) {
    if (vocabulary.hides(t.theme)) continue;
    std::string key = theme_merge_key(t.theme);
    auto [it, fresh] = groups.try_emplace(key);
    Group& g = it->second;
    if (fresh) order.push_back(key);
    double sum = g.total.avg_compound * static_cast<double>(g.total.count) + t.avg_compound * static_cast<double>(t.count);
    g.total.count += t.count;
    g.total.avg_compound = g.total.count ? sum / static_cast<double>(g.total.count) : 0.0;
    if (t.count > g.shown_count) g.shown_count = t.count, g.total.theme = t.theme;
  }
  std::vector<store::ThemeStat> out;
  for (const auto& key : order) out.push_back(groups[key].total);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  return out;
}

Result<std::vector<ThemeInsight>> top_themes(store::Store& store, const store::FeedbackFilter& filter,
                                             const store::Totals& totals, std::size_t limit,
                                             const WorkspaceVocabulary& vocabulary) {
  constexpr std::size_t kCandidates = 8;  // per theme shown: variants and hidden themes fall out
  auto fetched = store.top_themes(filter, limit * kCandidates + 20);
  if (!fetched) return fetched.error();
  std::vector<store::ThemeStat> themes = merge_variants(*fetched, vocabulary);
  if (themes.size() > limit) themes.resize(limit);
  std::map<std::string, std::int64_t> previous;  // by merge key
  bool bounded = filter.from && filter.to;
  if (bounded) {
    auto before = filter;
    before.to = filter.from;
    before.from = *filter.from - (*filter.to - *filter.from);
    auto prev = store.top_themes(before, std::numeric_limits<std::size_t>::max());
    if (!prev) return prev.error();
    for (const auto& t : *prev) previous[theme_merge_key(t.theme)] += t.count;
  }
  std::vector<ThemeInsight> out;
  for (const auto& t : themes) {
    ThemeInsight ti;
    ti.theme = t.theme;
    ti.count = t.count;
    ti.share = totals.count ? static_cast<double>(t.count) / static_cast<double>(totals.count) : 0.0;
    ti.avg_compound = t.avg_compound;
    if (bounded) {
      auto it = previous.find(theme_merge_key(t.theme));
      ti.previous_count = it == previous.end() ? 0 : it->second;
      ti.trend = trend_of(ti.count, *ti.previous_count);
    }
    out.push_back(std::move(ti));
  }
  return out;
}

}  // namespace

Result<InsightReport> build_insights(store::Store& store, const store::FeedbackFilter& filter,
                                     const InsightOptions& options) {
  InsightReport report;
  auto totals = store.totals(filter);
  if (!totals) return totals.error();
  report.totals = std::move(totals.value());
  auto ratings = store.rating_counts(filter);
  if (!ratings) return ratings.error();
  report.ratings = summarize_ratings(*ratings);
  // The workspace's own vocabulary, from its newest records in the range.
  auto vocabulary_filter = filter;
  vocabulary_filter.theme.reset();
  auto vocabulary_sample = store.query_feedback(vocabulary_filter, kVocabularySample, std::nullopt);
  if (!vocabulary_sample) return vocabulary_sample.error();
  WorkspaceVocabulary vocabulary(vocabulary_sample->items);
  auto themes = top_themes(store, filter, report.totals, options.top_themes, vocabulary);
  if (!themes) return themes.error();
  report.top_themes = std::move(themes.value());

  TimeMs to = filter.to.value_or(options.now ? options.now : now_ms());
  TimeMs from = filter.from.value_or(to - options.default_range);
  report.detection_from = floor_day(from);
  report.detection_to = to;
  report.baseline_days = options.detector.baseline_days;
  report.window_days = options.detector.window_days;
  auto emerging = find_emerging(store, filter, report.detection_from, to, options);
  if (!emerging) return emerging.error();
  report.emerging = std::move(emerging.value());
  std::erase_if(report.emerging, [&](const EmergingIssue& e) { return vocabulary.hides(e.theme); });

  if (auto s = gather_evidence(store, filter, report, options); !s) return s.error();
  return report;
}

}  // namespace chorus::insights
