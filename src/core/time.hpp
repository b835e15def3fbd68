// Time stamps: milliseconds since the Unix epoch, UTC, and their ISO-8601 form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chorus {

using TimeMs = std::int64_t;

TimeMs now_ms();

// 9999-12-31T23:59:59.999Z, the last time parse_time accepts.
inline constexpr TimeMs kLatestTime = 253402300799999;

// Parses ISO-8601 / RFC 3339 date-times ("2026-03-10T00:00:00Z", "2021-01-11T03:24:05.977Z",
// "2026-03-10T01:00:00+01:00", "2026-03-10") into UTC milliseconds. Also accepts a bare integer of
// epoch seconds (10 digits or fewer) or milliseconds (more), up to kLatestTime. Dates that do not exist
// ("2026-02-30") are refused, not moved on to the next month.
std::optional<TimeMs> parse_time(std::string_view text);

// "2026-03-10T00:00:00Z", or with milliseconds when they are not zero ("...:05.977Z").
std::string format_time(TimeMs t);

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
std::int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d);

}  // namespace chorus
