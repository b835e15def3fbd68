// Emerging-issue detection over daily counts: a window of days whose count is far above what the days
// before it lead one to expect. The expectation is the trailing baseline's mean and its day-to-day
// spread: a count is scored by its negative binomial tail (the Poisson tail when the baseline varies no
// more than chance), so themes that are noisy by nature need a larger jump. Pure functions over
// series; the insight report feeds them from rollups.
//
// The series are bucketed by the items' own timestamps (so a connector catching up after an outage fills
// the days it missed instead of piling onto the day it recovered, and imported history is judged as if it
// had been live), and each source is judged only from the first day of its history: the first day it has
// items for, or the start of a truncated backfill's dense stretch (emerging_issues.cpp), so the newest
// items an API lists at connection cannot look like a spike.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/time.hpp"

namespace chorus::insights {

constexpr TimeMs kDayMs = 86400000;

// One source's daily counts for one theme (or theme and sentiment).
struct SourceSeries {
  TimeMs watched_from = 0;           // the first day of the source's history: it counts from here
  std::vector<std::int64_t> counts;  // counts[i] is the day first_day + i * kDayMs
  // All the source's records on the same days, when known (else null), shared by the series of every theme.
  // A theme is expected to grow with the rest of the volume: when everything else doubles (a launch, an
  // import of a busy month, a store feature), the theme's expected count doubles with it, so a surge of all
  // feedback is no theme's spike.
  std::shared_ptr<const std::vector<std::int64_t>> volume;
};

struct DailySeries {
  TimeMs first_day = 0;  // UTC midnight
  std::vector<SourceSeries> sources;
};

struct DetectorOptions {
  int baseline_days = 28;      // the trailing period a window is compared with
  int min_baseline_days = 14;  // a source watched for fewer days before a window sits that window out
  int spread_days = 56;        // the stretch a theme's day-to-day variation is measured over
  std::vector<int> window_days{1, 3, 7};
  std::int64_t min_count = 8;   // fewer items than this are never an issue, however rare the theme
  double min_ratio = 2.0;       // count must be at least this multiple of the expected count
  double min_score = 6.0;       // and this surprising: -log10 of its tail probability (below)
  double min_z = 4.0;           // and this many standard deviations above, with the baseline's own spread
  double rate_floor = 0.1;      // per day: a theme never seen before is expected this often
  double min_variation = 0.25;  // day-to-day variation assumed at least, as a fraction of the rate
  double edge_score = 2.0;      // each day of an episode must be this surprising alone
};

struct Spike {
  TimeMs start = 0, end = 0;  // [start, end), whole UTC days
  std::int64_t count = 0;     // items in the window from watched sources
  double baseline = 0.0;      // items per day in the trailing baseline
  double expected = 0.0;  // expected items in the window: the baseline x days, grown with the rest of the volume, and
                          // at least the rate floor
  double score = 0.0;         // -log10 P(X >= count), X negative binomial with the baseline's mean and spread
  double z = 0.0;
};

// The expectation for one window [start, end) from the `baseline_days` before it.
struct WindowEvaluation {
  bool judged = false;  // at least one source had enough watched history
  std::int64_t count = 0;
  double baseline = 0.0, expected = 0.0, variance = 0.0;
  double score = 0.0, z = 0.0;
};

WindowEvaluation evaluate_window(const DailySeries& series, TimeMs start, TimeMs end, const DetectorOptions& options);

// Spikes whose windows lie in [from_day, to_day), merged where windows overlap and trimmed to the days
// that are themselves elevated; ordered by start. `series` must cover from_day - baseline_days onwards.
std::vector<Spike> detect_spikes(const DailySeries& series, TimeMs from_day, TimeMs to_day,
                                 const DetectorOptions& options = {});

}  // namespace chorus::insights
