// The spike detector on generated years: steady and noisy backgrounds with injected bursts (each burst
// found with its theme and window, nothing else anywhere), a newly connected source's backfill, and
// the minimum volume.
#include "insights/spike_detector.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace chorus::insights {
namespace {

const TimeMs kYear = *parse_time("2025-01-01T00:00:00Z");
constexpr int kDays = 365;

TimeMs day(int i) { return kYear + static_cast<TimeMs>(i) * kDayMs; }

struct Burst {
  int first_day;
  int days;
  double extra_per_day;
};

struct Theme {
  std::string name;
  double rate;        // background items per day
  double dispersion;  // 0 for Poisson; else the shape of a gamma day-to-day multiplier (lower is noisier)
  bool weekly;        // weekends at half the weekday rate
  std::vector<Burst> bursts;
};

std::vector<std::int64_t> generate(const Theme& t, std::mt19937& rng) {
  std::vector<std::int64_t> counts(kDays);
  for (int d = 0; d < kDays; ++d) {
    double rate = t.rate;
    if (t.weekly && (d % 7 == 5 || d % 7 == 6)) rate *= 0.5;
    if (t.dispersion > 0) rate *= std::gamma_distribution<double>(t.dispersion, 1.0 / t.dispersion)(rng);
    for (const auto& b : t.bursts)
      if (d >= b.first_day && d < b.first_day + b.days) rate += b.extra_per_day;
    counts[static_cast<std::size_t>(d)] = rate > 0 ? std::poisson_distribution<std::int64_t>(rate)(rng) : 0;
  }
  return counts;
}

DailySeries single_source(std::vector<std::int64_t> counts, TimeMs watched_from = 0) {
  DailySeries s;
  s.first_day = kYear;
  s.sources.push_back(SourceSeries{watched_from, std::move(counts)});
  return s;
}

std::vector<Theme> year_of_themes() {
  return {
      {"checkout crash", 1.0, 0, true, {{100, 3, 15.0}}},
      {"sync", 10.0, 20, true, {{200, 2, 45.0}}},
      {"dark mode", 0.0, 0, false, {{300, 4, 12.0}}},
      {"login", 40.0, 20, true, {{150, 1, 120.0}, {280, 7, 70.0}}},
      {"billing", 3.0, 0, false, {}},
      {"export", 0.3, 0, false, {}},
      {"search", 25.0, 12, true, {}},
      {"notifications", 6.0, 8, false, {}},
      {"onboarding", 0.05, 0, false, {}},
  };
}

// Each theme alone, and each theme beside the workspace's whole volume (every theme's records together, the
// other themes' bursts included): a burst of one theme is found either way.
class SpikeDetectorYears : public testing::TestWithParam<bool> {};

TEST_P(SpikeDetectorYears, FindsEveryInjectedBurstWithItsWindowAndNothingInTheQuietMonths) {
  const bool with_volume = GetParam();
  int bursts = 0, exact = 0;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<std::int64_t>> counts;
    std::vector<std::int64_t> volume(kDays, 0);
    for (const auto& theme : year_of_themes()) {
      counts.push_back(generate(theme, rng));
      for (int d = 0; d < kDays; ++d) volume[static_cast<std::size_t>(d)] += counts.back()[static_cast<std::size_t>(d)];
    }
    std::size_t index = 0;
    for (const auto& theme : year_of_themes()) {
      auto series = single_source(counts[index++]);
      if (with_volume) series.sources[0].volume = std::make_shared<const std::vector<std::int64_t>>(volume);
      // Detection from day 28 on, so every window has a full baseline before it.
      auto spikes = detect_spikes(series, day(28), day(kDays));
      std::size_t found = 0;
      for (const auto& burst : theme.bursts) {
        // A day next to a burst can be high by chance: the window may reach one day further, no more.
        bool hit = false;
        for (const auto& s : spikes) {
          TimeMs start = day(burst.first_day), end = day(burst.first_day + burst.days);
          if (std::abs(s.start - start) <= kDayMs && std::abs(s.end - end) <= kDayMs) hit = true;
          if (s.start == start && s.end == end) ++exact;
        }
        ++bursts;
        std::string seen;
        for (const auto& s : spikes) {
          seen += ' ';
          seen += format_time(s.start);
          seen += "..";
          seen += format_time(s.end);
        }
        EXPECT_TRUE(hit) << theme.name << " burst on day " << burst.first_day << " ("
                         << format_time(day(burst.first_day)) << ") seed " << seed << "; found:" << seen;
        found += hit ? 1 : 0;
      }
      for (const auto& s : spikes) {
        bool inside = false;
        for (const auto& b : theme.bursts)
          if (s.start < day(b.first_day + b.days) && s.end > day(b.first_day)) inside = true;
        EXPECT_TRUE(inside) << theme.name << ": a spike in a quiet stretch " << format_time(s.start) << " .. "
                            << format_time(s.end) << " count " << s.count << " expected " << s.expected << " score "
                            << s.score << " seed " << seed;
      }
      EXPECT_EQ(spikes.size(), found) << theme.name << " seed " << seed;
      for (const auto& s : spikes) {
        EXPECT_GE(s.score, 6.0);
        EXPECT_GE(s.z, 4.0);
        EXPECT_GE(static_cast<double>(s.count), 2.0 * s.expected);
      }
    }
  }
  EXPECT_EQ(bursts, 20 * 5);
  EXPECT_GE(exact, bursts * 9 / 10) << "most windows are found to the day";
}

INSTANTIATE_TEST_SUITE_P(ThemeAloneAndBesideTheVolume, SpikeDetectorYears, testing::Bool());

TEST(SpikeDetector, ReportsCountBaselineAndScoreOfTheWindow) {
  std::vector<std::int64_t> counts(60, 2);
  counts[40] = 30;
  counts[41] = 28;
  auto spikes = detect_spikes(single_source(counts), day(28), day(60));
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].start, day(40));
  EXPECT_EQ(spikes[0].end, day(42));
  EXPECT_EQ(spikes[0].count, 58);
  EXPECT_DOUBLE_EQ(spikes[0].baseline, 2.0);
  EXPECT_DOUBLE_EQ(spikes[0].expected, 4.0);
  EXPECT_GT(spikes[0].score, 20.0);
}

// A theme that grows with everything else (the workspace's volume tripled: a launch, a featured week) is no
// issue of its own; the same theme tripling while the rest stays flat is.
TEST(SpikeDetector, AThemeGrowingWithAllTheFeedbackIsNoSpike) {
  std::vector<std::int64_t> theme(60, 4), volume(60, 40);
  for (int d = 45; d < 52; ++d) {
    theme[static_cast<std::size_t>(d)] = 14;
    volume[static_cast<std::size_t>(d)] = 140;  // the rest, 36 a day, tripled as well
  }
  DailySeries with_volume = single_source(theme);
  with_volume.sources[0].volume = std::make_shared<const std::vector<std::int64_t>>(volume);
  EXPECT_TRUE(detect_spikes(with_volume, day(28), day(60)).empty());
  // Without the volume, or with the rest flat, the same counts are a spike.
  EXPECT_EQ(detect_spikes(single_source(theme), day(28), day(60)).size(), 1u);
  for (int d = 45; d < 52; ++d) volume[static_cast<std::size_t>(d)] = 36 + 14;
  with_volume.sources[0].volume = std::make_shared<const std::vector<std::int64_t>>(volume);
  auto spikes = detect_spikes(with_volume, day(28), day(60));
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].start, day(45));
  EXPECT_EQ(spikes[0].end, day(52));
}

// A theme never seen before is expected at the rate floor, and in a week of a hundred times the feedback at a
// hundred times the floor: fourteen mentions among 4,000 records are no issue; among 40 they are.
TEST(SpikeDetector, ANewThemeInASurgeOfAllTheFeedbackIsExpectedMoreOften) {
  std::vector<std::int64_t> theme(60, 0), volume(60, 5);
  theme[50] = 14;
  volume[50] = 4000;
  DailySeries s = single_source(theme);
  s.sources[0].volume = std::make_shared<const std::vector<std::int64_t>>(volume);
  EXPECT_TRUE(detect_spikes(s, day(28), day(60)).empty());
  volume[50] = 40;
  s.sources[0].volume = std::make_shared<const std::vector<std::int64_t>>(volume);
  auto spikes = detect_spikes(s, day(28), day(60));
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].baseline, 0.0);  // the usual rate; the expectation grew beside it
}

TEST(SpikeDetector, SmallCountsOfARareThemeAreNotAnIssue) {
  std::vector<std::int64_t> counts(90, 0);
  counts[60] = 5;  // five mentions of a theme never seen before: unusual, but not enough to act on
  EXPECT_TRUE(detect_spikes(single_source(counts), day(28), day(90)).empty());
  counts[60] = 12;
  EXPECT_EQ(detect_spikes(single_source(counts), day(28), day(90)).size(), 1u);
}

// A source connected on day 200 backfills what its API still lists: the newest 200 items, ten days'
// worth, and nothing older. Judged from its connection on, it raises nothing; judged naively, its
// history seems to start with a jump, and the same counts make a spike.
TEST(SpikeDetector, ABackfilledNewSourceIsNotASpike) {
  std::mt19937 rng(9);
  Theme old_source{"sync", 4.0, 0, false, {}};
  DailySeries s;
  s.first_day = kYear;
  s.sources.push_back(SourceSeries{kYear - 400 * kDayMs, generate(old_source, rng)});
  std::vector<std::int64_t> fresh(kDays, 0);
  const int connected = 200;
  for (int d = connected - 10; d < kDays; ++d)
    fresh[static_cast<std::size_t>(d)] = d < connected ? 20 : std::poisson_distribution<std::int64_t>(6.0)(rng);
  s.sources.push_back(SourceSeries{day(connected), fresh});
  EXPECT_TRUE(detect_spikes(s, day(28), day(kDays)).empty());

  auto naive = s;
  naive.sources[1].watched_from = kYear - 400 * kDayMs;
  EXPECT_FALSE(detect_spikes(naive, day(28), day(kDays)).empty()) << "the control should see the backfill as a spike";

  // Once watched long enough, a real burst on the new source is found.
  for (int d = 300; d < 303; ++d) s.sources[1].counts[static_cast<std::size_t>(d)] += 40;
  auto spikes = detect_spikes(s, day(28), day(kDays));
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].start, day(300));
  EXPECT_EQ(spikes[0].end, day(303));
}

TEST(SpikeDetector, ASourceWatchedTooBrieflySitsWindowsOut) {
  std::vector<std::int64_t> counts(60, 1);
  counts[50] = 40;
  // Connected on day 45: five days of history are not enough to judge day 50.
  auto spikes = detect_spikes(single_source(counts, day(45)), day(28), day(60));
  EXPECT_TRUE(spikes.empty());
  auto ev = evaluate_window(single_source(counts, day(45)), day(50), day(51), {});
  EXPECT_FALSE(ev.judged);
  ev = evaluate_window(single_source(counts, day(20)), day(50), day(51), {});
  EXPECT_TRUE(ev.judged);
  EXPECT_EQ(ev.count, 40);
  EXPECT_DOUBLE_EQ(ev.baseline, 1.0);
}

}  // namespace
}  // namespace chorus::insights
