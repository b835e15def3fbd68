// The opaque cursor of feedback pages, the same on both store backends: "<timestamp>:<unique_identifier>"
// of the last record of the page, since pages run newest first by (timestamp, unique_identifier).
#include <charconv>

#include "store/store.hpp"

namespace chorus::store {

std::string feedback_cursor(TimeMs ts, std::int64_t uid) { return std::to_string(ts) + ":" + std::to_string(uid); }

Result<std::pair<TimeMs, std::int64_t>> parse_feedback_cursor(const std::string& c) {
  auto bad = [] { return make_error(ErrorCode::bad_request, "cursor is not one this server issued; start without it"); };
  auto colon = c.find(':');
  if (colon == std::string::npos) return bad();
  TimeMs ts = 0;
  std::int64_t uid = 0;
  auto a = std::from_chars(c.data(), c.data() + colon, ts);
  auto b = std::from_chars(c.data() + colon + 1, c.data() + c.size(), uid);
  if (a.ec != std::errc() || a.ptr != c.data() + colon || b.ec != std::errc() || b.ptr != c.data() + c.size())
    return bad();
  return std::make_pair(ts, uid);
}

}  // namespace chorus::store
