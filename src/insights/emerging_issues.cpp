// Emerging issues from the store: daily theme series per source (one for the theme's whole volume, one
// for its negative records), each source watched from the first day it has items for (item time, so
// imported history counts like live feedback), through the spike detector; then each spike's tone from
// the window's own sentiment mix.
#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <set>

#include "insights/insight_report.hpp"

namespace chorus::insights {

namespace {

constexpr std::string_view kNegative = "negative";
constexpr double kToneTurn = 1.5;  // negatives growing this much faster than the volume are news of their own

TimeMs ceil_day(TimeMs t) {
  TimeMs r = ((t % kDayMs) + kDayMs) % kDayMs;
  return r == 0 ? t : t - r + kDayMs;
}

struct WatchedSource {
  Id id = 0;
  TimeMs watched_from = 0;
};

// A truncated backfill: many APIs list only their newest items, so a source connected on day C brings a
// dense stretch just before C after a sparse (or empty) history. Judged in item time, that stretch would
// look like a burst "now". Returns the first day of such a stretch (it then starts the source's history,
// so it is baseline, never a window), or nothing when the history before C is as dense as the stretch, as a
// full import of last year's tickets is.
std::optional<TimeMs> truncated_backfill_start(const store::ReportSeries& daily, TimeMs connected_day) {
  constexpr int kLookBackDays = 60;
  constexpr int kMinHistoryDays = 28;
  constexpr double kDensityJump = 4.0;
  constexpr double kMinStretch = 20.0;
  if (daily.points.empty() || daily.points.front().t >= connected_day) return std::nullopt;
  const TimeMs first = daily.points.front().t;
  auto sum_between = [&](TimeMs from, TimeMs to) {
    double n = 0;
    for (const auto& p : daily.points)
      if (p.t >= from && p.t < to) n += static_cast<double>(p.count);
    return n;
  };
  // The stretch that stands out most against the history before it.
  std::optional<TimeMs> best;
  double best_jump = kDensityJump;
  for (TimeMs d = std::max(first, connected_day - kLookBackDays * kDayMs); d < connected_day; d += kDayMs) {
    double history_days = static_cast<double>(d - first) / kDayMs;
    double stretch_days = static_cast<double>(connected_day - d) / kDayMs;
    double stretch = sum_between(d, connected_day);
    if (history_days < kMinHistoryDays || stretch < kMinStretch) continue;
    double before = std::max(sum_between(first, d) / history_days, 0.1);
    double jump = stretch / stretch_days / before;
    if (jump >= best_jump) best = d, best_jump = jump;
  }
  return best;
}

// The sources with records in the span, each with the day its history starts to count: the first day it
// delivered anything, in item time, so a workspace that imports last year's tickets on its first day sees
// last spring's bursts as it would have then (alerts, not reports, are where the time of arrival counts).
// The one use of a source's connection time is to recognise a truncated backfill (above).
Result<std::vector<WatchedSource>> watched_sources(store::Store& store, const store::FeedbackFilter& span) {
  auto present = store.report(span, store::Bucket::day, store::GroupBy::source);
  if (!present) return present.error();
  auto before = span;
  before.from.reset();
  before.to = span.from;
  auto earlier = store.report(before, store::Bucket::month, store::GroupBy::source);
  if (!earlier) return earlier.error();
  auto listed = store.list_sources(span.workspace_id);
  if (!listed) return listed.error();
  std::vector<WatchedSource> out;
  for (const auto& series : *present) {
    Id id = 0;
    auto [p, ec] = std::from_chars(series.key.data(), series.key.data() + series.key.size(), id);
    if (ec != std::errc() || p != series.key.data() + series.key.size() || series.points.empty()) continue;
    WatchedSource w{id, std::numeric_limits<TimeMs>::min() / 2};
    bool delivered_before = std::any_of(earlier->begin(), earlier->end(),
                                        [&](const store::ReportSeries& e) { return e.key == series.key; });
    if (!delivered_before) w.watched_from = series.points.front().t;
    for (const auto& s : *listed) {
      if (s.id != id) continue;
      if (auto start = truncated_backfill_start(series, ceil_day(s.created_at)))
        w.watched_from = std::max(w.watched_from, *start);
    }
    out.push_back(w);
  }
  return out;
}

// Daily counts per theme over the span, into series[theme].sources[slot] (zero-filled as needed).
Status add_counts(store::Store& store, const store::FeedbackFilter& f, std::size_t slot,
                  std::map<std::string, DailySeries>& out, const std::vector<TimeMs>& watched) {
  auto series = store.report(f, store::Bucket::day, store::GroupBy::theme);
  if (!series) return series.error();
  const TimeMs first = *f.from;
  const auto days = static_cast<std::size_t>((ceil_day(*f.to) - first) / kDayMs);
  for (const auto& s : *series) {
    auto& daily = out[s.key];
    if (daily.sources.empty()) {
      daily.first_day = first;
      daily.sources.resize(watched.size());
      for (std::size_t k = 0; k < watched.size(); ++k) {
        daily.sources[k].watched_from = watched[k];
        daily.sources[k].counts.assign(days, 0);
      }
    }
    for (const auto& p : s.points) {
      auto index = (p.t - first) / kDayMs;
      if (index >= 0 && static_cast<std::size_t>(index) < days)
        daily.sources[slot].counts[static_cast<std::size_t>(index)] += p.count;
    }
  }
  return {};
}

// theme -> its daily series. Sources whose history starts on the same day (in particular all those
// watched through the whole span) are judged together, as one series; the largest such group is read
// as all sources less the others, so a workspace whose sources are all long connected costs one query.
Result<std::map<std::string, DailySeries>> theme_series(store::Store& store, const store::FeedbackFilter& span,
                                                        const std::vector<WatchedSource>& sources,
                                                        const std::optional<std::string>& sentiment) {
  auto base = span;
  if (sentiment) base.sentiment = sentiment;
  std::map<TimeMs, std::vector<Id>> groups;
  for (const auto& s : sources) groups[std::max(s.watched_from, *span.from)].push_back(s.id);
  auto largest = std::max_element(groups.begin(), groups.end(),
                                  [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
  std::vector<TimeMs> watched{largest == groups.end() ? ceil_day(*span.to) : largest->first};
  std::vector<std::pair<std::size_t, Id>> separate;  // (slot, source)
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    if (it == largest) continue;
    watched.push_back(it->first);
    for (Id id : it->second) separate.emplace_back(watched.size() - 1, id);
  }
  std::map<std::string, DailySeries> out;
  if (auto s = add_counts(store, base, 0, out, watched); !s) return s.error();
  for (const auto& [slot, id] : separate) {
    auto f = base;
    f.source_id = id;
    if (auto s = add_counts(store, f, slot, out, watched); !s) return s.error();
  }
  for (auto& [theme, daily] : out)
    for (std::size_t k = 1; k < daily.sources.size(); ++k)
      for (std::size_t d = 0; d < daily.sources[0].counts.size(); ++d)
        daily.sources[0].counts[d] -= daily.sources[k].counts[d];

  // Each slot's whole volume on the same days, so that a theme is judged against the rest of the feedback.
  const TimeMs first = *span.from;
  const auto days = static_cast<std::size_t>((ceil_day(*span.to) - first) / kDayMs);
  std::vector<std::vector<std::int64_t>> volume(watched.size(), std::vector<std::int64_t>(days, 0));
  auto add_volume = [&](const store::FeedbackFilter& f, std::size_t slot) -> Status {
    auto totals = store.report(f, store::Bucket::day, store::GroupBy::none);
    if (!totals) return totals.error();
    for (const auto& s : *totals)
      for (const auto& p : s.points) {
        auto index = (p.t - first) / kDayMs;
        if (index >= 0 && static_cast<std::size_t>(index) < days)
          volume[slot][static_cast<std::size_t>(index)] += p.count;
      }
    return {};
  };
  if (auto s = add_volume(base, 0); !s) return s.error();
  for (const auto& [slot, id] : separate) {
    auto f = base;
    f.source_id = id;
    if (auto s = add_volume(f, slot); !s) return s.error();
  }
  for (std::size_t k = 1; k < volume.size(); ++k)
    for (std::size_t d = 0; d < days; ++d) volume[0][d] -= volume[k][d];
  std::vector<std::shared_ptr<const std::vector<std::int64_t>>> shared;
  for (auto& v : volume) shared.push_back(std::make_shared<const std::vector<std::int64_t>>(std::move(v)));
  for (auto& [theme, daily] : out)
    for (std::size_t k = 0; k < daily.sources.size(); ++k) daily.sources[k].volume = shared[k];
  return out;
}

std::int64_t count_in(const DailySeries& s, TimeMs from, TimeMs to) {
  std::int64_t n = 0;
  for (const auto& src : s.sources)
    for (std::size_t i = 0; i < src.counts.size(); ++i) {
      TimeMs day = s.first_day + static_cast<TimeMs>(i) * kDayMs;
      if (day >= from && day < to) n += src.counts[i];
    }
  return n;
}

bool overlaps(const Spike& a, const Spike& b) { return a.start < b.end && b.start < a.end; }

}  // namespace

Result<std::vector<EmergingIssue>> find_emerging(store::Store& store, const store::FeedbackFilter& filter,
                                                 TimeMs from_day, TimeMs to, const InsightOptions& options) {
  const auto& detector = options.detector;
  store::FeedbackFilter span = filter;
  span.from = from_day - static_cast<TimeMs>(detector.baseline_days) * kDayMs;
  span.to = to;
  if (*span.from >= to) return std::vector<EmergingIssue>{};
  // Only the months that hold records can hold a spike, and every source's history starts with its first
  // record: a range of a century costs what its data costs, not 36,500 empty days per theme.
  auto months = store.report(span, store::Bucket::month, store::GroupBy::none);
  if (!months) return months.error();
  TimeMs first = std::numeric_limits<TimeMs>::max(), last = std::numeric_limits<TimeMs>::min();
  for (const auto& series : *months)
    for (const auto& p : series.points)
      if (p.count > 0) first = std::min(first, p.t), last = std::max(last, p.t);
  if (first > last) return std::vector<EmergingIssue>{};
  constexpr TimeMs kLongestMonth = 31 * kDayMs;
  span.from = std::max(*span.from, first);
  to = std::min(to, ceil_day(last + kLongestMonth));
  span.to = to;
  from_day = std::max(from_day, first);
  if (from_day >= to) return std::vector<EmergingIssue>{};
  auto sources = watched_sources(store, span);
  if (!sources) return sources.error();

  // The theme's whole volume, and its negative records alone (a theme can turn sour without growing).
  std::vector<std::optional<std::string>> slices;
  if (filter.sentiment)
    slices.push_back(filter.sentiment);
  else
    slices = {std::nullopt, std::string(kNegative)};
  std::vector<EmergingIssue> found;
  for (const auto& slice : slices) {
    auto series = theme_series(store, span, *sources, slice);
    if (!series) return series.error();
    for (const auto& [theme, daily] : *series) {
      if (count_in(daily, from_day, to) < detector.min_count) continue;
      for (const auto& spike : detect_spikes(daily, from_day, ceil_day(to), detector)) {
        EmergingIssue issue;
        issue.theme = theme;
        issue.spike = spike;
        issue.slice = slice ? *slice : "all";
        found.push_back(std::move(issue));
      }
    }
  }

  // Each spike's tone: the slice's sentiment, or the most common one in the window.
  for (auto& issue : found) {
    auto f = filter;
    f.theme = issue.theme;
    f.from = issue.spike.start;
    f.to = std::min(issue.spike.end, to);
    if (issue.slice != "all") f.sentiment = issue.slice;
    auto t = store.totals(f);
    if (!t) return t.error();
    issue.avg_compound = t->avg_compound;
    issue.sentiment_type = issue.slice != "all" ? issue.slice : "neutral";
    if (issue.slice == "all") {
      std::int64_t best = -1;
      for (const auto& [s, n] : t->by_sentiment)
        if (n > best) best = n, issue.sentiment_type = s;
    }
  }
  // A negative spike inside a volume spike of the same theme says the same thing twice, unless the
  // negative records grew much faster than the volume (the tone turned as well) and the volume spike
  // is not itself mostly negative.
  auto ratio = [](const Spike& s) { return s.expected > 0 ? static_cast<double>(s.count) / s.expected : 0.0; };
  std::vector<EmergingIssue> out;
  for (const auto& issue : found) {
    bool repeated =
        issue.slice == kNegative && std::any_of(found.begin(), found.end(), [&](const EmergingIssue& other) {
          return other.slice == "all" && other.theme == issue.theme && overlaps(other.spike, issue.spike) &&
                 (other.sentiment_type == kNegative || ratio(issue.spike) < kToneTurn * ratio(other.spike));
        });
    if (!repeated) out.push_back(issue);
  }
  std::stable_sort(out.begin(), out.end(), [](const EmergingIssue& a, const EmergingIssue& b) {
    if (a.spike.score != b.spike.score) return a.spike.score > b.spike.score;
    if (a.spike.start != b.spike.start) return a.spike.start > b.spike.start;
    return a.theme < b.theme;
  });
  if (out.size() > options.max_emerging) out.resize(options.max_emerging);
  return out;
}

}  // namespace chorus::insights
