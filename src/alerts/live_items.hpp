// Which stored records alert rules see: a record becomes a live item (one row per theme) when it arrived
// within a week of its own time and is recent; each rule then applies its own lag (live_lag_hours) to them.
#pragma once

#include <optional>

#include "core/record.hpp"
#include "store/alert_types.hpp"

namespace chorus::alerts {

constexpr TimeMs kHourMs = 3600000;
constexpr TimeMs kMaxLiveLag = store::kLiveItemMaxLag;  // the largest live_lag_hours a rule may set
constexpr TimeMs kLiveRetention = 36 * 24 * kHourMs;  // the longest window plus the longest lag, with room

std::optional<store::LiveItem> live_item_of(const FeedbackRecord& record, TimeMs now);

}  // namespace chorus::alerts
