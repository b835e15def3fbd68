// Bucket arithmetic and query-parameter names shared by both store backends.
#include "store/store.hpp"

namespace chorus::store {

namespace {
constexpr TimeMs kHour = 3600000;
constexpr TimeMs kDay = 24 * kHour;

TimeMs floor_to(TimeMs t, TimeMs unit) {
  TimeMs r = t % unit;
  if (r < 0) r += unit;
  return t - r;
}
}  // namespace

TimeMs bucket_start(TimeMs t, Bucket bucket) {
  switch (bucket) {
    case Bucket::hour: return floor_to(t, kHour);
    case Bucket::day: return floor_to(t, kDay);
    case Bucket::week: {
      // 1970-01-05 was a Monday: weeks are counted from there.
      constexpr TimeMs kMonday = 4 * kDay;
      return floor_to(t - kMonday, 7 * kDay) + kMonday;
    }
    case Bucket::month: {
      TimeMs day = floor_to(t, kDay);
      int y;
      unsigned m, d;
      civil_from_days(day / kDay, y, m, d);
      return days_from_civil(y, m, 1) * kDay;
    }
  }
  return t;
}

std::optional<Bucket> parse_bucket(std::string_view s) {
  if (s == "hour") return Bucket::hour;
  if (s == "day") return Bucket::day;
  if (s == "week") return Bucket::week;
  if (s == "month") return Bucket::month;
  return std::nullopt;
}

std::optional<GroupBy> parse_group_by(std::string_view s) {
  if (s.empty() || s == "none") return GroupBy::none;
  if (s == "source") return GroupBy::source;
  if (s == "sentiment") return GroupBy::sentiment;
  if (s == "category") return GroupBy::category;
  if (s == "theme") return GroupBy::theme;
  if (s == "language") return GroupBy::language;
  return std::nullopt;
}

}  // namespace chorus::store
