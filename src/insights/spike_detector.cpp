// Sliding windows of 1, 3 and 7 days against a trailing baseline, per source, from prefix sums.
#include "insights/spike_detector.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "insights/statistics.hpp"

namespace chorus::insights {

namespace {

// Growth of the rest of the volume within this many standard deviations of chance is no growth.
constexpr double kVolumeChanceSds = 2.0;

TimeMs ceil_day(TimeMs t) {
  TimeMs r = ((t % kDayMs) + kDayMs) % kDayMs;
  return r == 0 ? t : t - r + kDayMs;
}

// Sums of counts and of their squares over day ranges of one source.
class Prefix {
 public:
  explicit Prefix(const std::vector<std::int64_t>& counts)
      : sum_(counts.size() + 1, 0), squares_(counts.size() + 1, 0) {
    for (std::size_t i = 0; i < counts.size(); ++i) {
      sum_[i + 1] = sum_[i] + counts[i];
      squares_[i + 1] = squares_[i] + static_cast<double>(counts[i]) * static_cast<double>(counts[i]);
    }
  }
  // Days [a, b) as indices, clamped to the series; days beyond it count zero.
  std::int64_t sum(std::int64_t a, std::int64_t b) const { return sum_[clamp(b)] - sum_[clamp(a)]; }
  double squares(std::int64_t a, std::int64_t b) const { return squares_[clamp(b)] - squares_[clamp(a)]; }

 private:
  std::size_t clamp(std::int64_t i) const {
    return static_cast<std::size_t>(std::clamp<std::int64_t>(i, 0, static_cast<std::int64_t>(sum_.size()) - 1));
  }
  std::vector<std::int64_t> sum_;
  std::vector<double> squares_;
};

struct Prepared {
  const DailySeries& series;
  std::vector<Prefix> prefixes;
  std::vector<std::optional<Prefix>> volumes;  // each source's whole volume, where known
  explicit Prepared(const DailySeries& s) : series(s) {
    prefixes.reserve(s.sources.size());
    for (const auto& src : s.sources) {
      prefixes.emplace_back(src.counts);
      volumes.push_back(src.volume ? std::optional<Prefix>(*src.volume) : std::nullopt);
    }
  }
  std::int64_t index(TimeMs day) const { return (day - series.first_day) / kDayMs; }
};

// Baseline from the days before `reference`; counted over [start, end) for the sources judged there.
WindowEvaluation evaluate(const Prepared& p, TimeMs reference, TimeMs start, TimeMs end, const DetectorOptions& o) {
  WindowEvaluation ev;
  const double days = static_cast<double>((end - start) / kDayMs);
  double expected = 0.0, usual = 0.0;             // with the rest of the volume's growth, and without
  double floor_growth = 0.0, floor_weight = 0.0;  // the sources' growth, weighted by their usual volume
  for (std::size_t i = 0; i < p.series.sources.size(); ++i) {
    TimeMs watched = std::max(ceil_day(p.series.sources[i].watched_from), p.series.first_day);
    TimeMs base_start = std::max(reference - static_cast<TimeMs>(o.baseline_days) * kDayMs, watched);
    std::int64_t base_days = (reference - base_start) / kDayMs;
    if (base_days < o.min_baseline_days) continue;
    ev.judged = true;
    const auto& prefix = p.prefixes[i];
    double n = static_cast<double>(base_days);
    double sum = static_cast<double>(prefix.sum(p.index(base_start), p.index(reference)));
    double rate = sum / n;
    // How much the counts vary beyond chance (variance over mean), from a longer stretch: it is a
    // steadier property of a theme than its level, and a short baseline underestimates it.
    TimeMs spread_start = std::max(reference - static_cast<TimeMs>(o.spread_days) * kDayMs, watched);
    double m = static_cast<double>((reference - spread_start) / kDayMs);
    double spread_sum = static_cast<double>(prefix.sum(p.index(spread_start), p.index(reference)));
    double spread_mean = spread_sum / m;
    // Only the part beyond what chance alone gives a Poisson sample counts (its standard error is
    // sqrt(2 / (m - 1))): a quiet theme's sample variance is mostly noise.
    double dispersion = 1.0;
    if (m > 1 && spread_mean > 0) {
      double index = (prefix.squares(p.index(spread_start), p.index(reference)) - m * spread_mean * spread_mean) /
                     (m - 1) / spread_mean;
      dispersion = 1.0 + std::max(0.0, index - 1.0 - std::sqrt(2.0 / (m - 1)));
    }
    const std::int64_t count = prefix.sum(p.index(start), p.index(end));
    ev.count += count;
    // The rest of the source's records (the theme's own left out, so its burst does not scale itself):
    // grown beyond chance in the window, they scale what the theme is expected to do.
    double growth = 1.0;
    if (const auto& volume = p.volumes[i]) {
      const double rest_rate = (static_cast<double>(volume->sum(p.index(base_start), p.index(reference))) - sum) / n;
      const double rest_expected = rest_rate * days;
      const double rest = static_cast<double>(volume->sum(p.index(start), p.index(end)) - count);
      // Chance, as the detector has it for a theme: Poisson and at least min_variation from day to day.
      const double rest_spread =
          std::sqrt(days * (rest_rate + o.min_variation * o.min_variation * rest_rate * rest_rate));
      if (rest_expected > 0.0) {
        growth = std::max(1.0, (rest - kVolumeChanceSds * rest_spread) / rest_expected);
        floor_growth += rest_expected * growth;
        floor_weight += rest_expected;
      }
    }
    expected += rate * days * growth;
    usual += rate * days;
    ev.variance += std::max(rate * dispersion, rate + o.min_variation * o.min_variation * rate * rate) * days * growth;
  }
  if (!ev.judged) return ev;
  ev.baseline = usual / days;
  // A theme never seen before grows with the volume too: in a week of ten times the feedback, ten times
  // the rate floor.
  const double growth = floor_weight > 0.0 ? floor_growth / floor_weight : 1.0;
  ev.expected = std::max(expected, o.rate_floor * days * growth);
  ev.variance = std::max(ev.variance, ev.expected);
  ev.score = negative_binomial_surprise(ev.count, ev.expected, ev.variance);
  ev.z = (static_cast<double>(ev.count) - ev.expected) / std::sqrt(ev.variance);
  return ev;
}

bool fires(const WindowEvaluation& ev, const DetectorOptions& o) {
  return ev.judged && ev.count >= o.min_count && static_cast<double>(ev.count) >= o.min_ratio * ev.expected &&
         ev.score >= o.min_score && ev.z >= o.min_z;
}

Spike spike_of(TimeMs start, TimeMs end, const WindowEvaluation& ev) {
  return Spike{start, end, ev.count, ev.baseline, ev.expected, ev.score, ev.z};
}

}  // namespace

WindowEvaluation evaluate_window(const DailySeries& series, TimeMs start, TimeMs end, const DetectorOptions& options) {
  Prepared p(series);
  return evaluate(p, start, start, end, options);
}

std::vector<Spike> detect_spikes(const DailySeries& series, TimeMs from_day, TimeMs to_day,
                                 const DetectorOptions& options) {
  Prepared p(series);
  std::vector<Spike> firing;
  for (int length : options.window_days) {
    const TimeMs span = static_cast<TimeMs>(length) * kDayMs;
    for (TimeMs s = from_day; s + span <= to_day; s += kDayMs) {
      // Most windows of most themes hold too few records to fire: that is known from the counts alone,
      // before the baseline and its surprise are worked out.
      std::int64_t count = 0;
      for (const auto& prefix : p.prefixes) count += prefix.sum(p.index(s), p.index(s + span));
      if (count < options.min_count) continue;
      auto ev = evaluate(p, s, s, s + span, options);
      if (fires(ev, options)) firing.push_back(spike_of(s, s + span, ev));
    }
  }
  std::sort(firing.begin(), firing.end(),
            [](const Spike& a, const Spike& b) { return a.start != b.start ? a.start < b.start : a.end < b.end; });

  std::vector<Spike> out;
  for (std::size_t i = 0; i < firing.size();) {
    // Windows that overlap or touch describe one episode.
    TimeMs start = firing[i].start, end = firing[i].end;
    const Spike* best = &firing[i];
    std::size_t j = i + 1;
    for (; j < firing.size() && firing[j].start <= end; ++j) {
      end = std::max(end, firing[j].end);
      if (firing[j].score > best->score) best = &firing[j];
    }
    i = j;
    // The episode is the run of individually elevated days around its most surprising day, each judged
    // against the rate before the episode; the days a long window merely dragged in fall away.
    std::vector<double> surprise;
    for (TimeMs d = start; d < end; d += kDayMs) {
      const auto day = evaluate(p, start, d, d + kDayMs, options);
      surprise.push_back(negative_binomial_surprise(day.count, day.expected, day.variance));
    }
    auto peak = static_cast<std::size_t>(std::max_element(surprise.begin(), surprise.end()) - surprise.begin());
    // A single day that dips (still above usual) between elevated days does not end the episode.
    auto dip = [&](std::size_t i) { return surprise[i] >= options.edge_score / 2; };
    std::size_t a = peak, b = peak + 1;
    for (;;) {
      if (a > 0 && surprise[a - 1] >= options.edge_score)
        a -= 1;
      else if (a > 1 && dip(a - 1) && surprise[a - 2] >= options.edge_score)
        a -= 2;
      else
        break;
    }
    for (;;) {
      if (b < surprise.size() && surprise[b] >= options.edge_score)
        b += 1;
      else if (b + 1 < surprise.size() && dip(b) && surprise[b + 1] >= options.edge_score)
        b += 2;
      else
        break;
    }
    TimeMs run_start = start + static_cast<TimeMs>(a) * kDayMs, run_end = start + static_cast<TimeMs>(b) * kDayMs;
    WindowEvaluation run;
    if (surprise[peak] >= options.edge_score) run = evaluate(p, run_start, run_start, run_end, options);
    out.push_back(fires(run, options) ? spike_of(run_start, run_end, run) : *best);
  }
  return out;
}

}  // namespace chorus::insights
