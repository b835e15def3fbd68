// The values the store keeps for alerts (src/alerts): rules, the outbox of deliveries, and the live items
// that rules are judged on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/record.hpp"
#include "core/time.hpp"

namespace chorus::store {

// A record is a live item only when it arrived within this long of its own time (a week).
inline constexpr TimeMs kLiveItemMaxLag = 168 * 3600000LL;

struct AlertRule {
  Id id = 0;
  Id workspace_id = 0;
  std::string name;
  std::string kind;  // emerging | negative_share | new_theme | source_stale | weekly_digest
  json::object params;
  std::string channel_type;    // slack | webhook | email
  json::object channel;        // the channel's settings that are not secret
  std::string sealed_secrets;  // SecretBox-sealed JSON of the channel's secret settings
  bool enabled = true;
  std::optional<std::string> disabled_reason;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// One message of one rule in the outbox. dedup_key is unique per rule: the rule, its subject and the window.
struct AlertDelivery {
  Id id = 0;
  Id rule_id = 0;
  Id workspace_id = 0;
  std::string dedup_key;
  std::string subject;            // the theme, "source:<id>", "workspace", "test"
  std::string payload;            // the alert event as JSON
  std::string state = "pending";  // pending | sending | delivered | failed
  std::int64_t attempts = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  TimeMs next_attempt_at = 0;  // pending: when to try; sending: when a crashed sender's claim lapses
  TimeMs window_end = 0;       // until when the same subject counts as the same episode
  std::optional<TimeMs> delivered_at;
  std::optional<std::int64_t> last_status;  // the endpoint's HTTP (or SMTP) status
  std::optional<std::string> last_error;
};

// A record as alert rules see it, one row per theme (and one with theme "" for the record itself).
struct LiveItem {
  Id workspace_id = 0;
  std::int64_t uid = 0;
  Id source_id = 0;
  TimeMs timestamp = 0;
  TimeMs received_at = 0;
  std::string sentiment;
  double compound = 0.0;
  std::vector<std::string> themes;
};

// Items in a window that arrived within the lag of their own time: per theme ("" for all items).
struct LiveThemeCount {
  std::string theme;
  std::int64_t count = 0;
  std::int64_t negative = 0;
  TimeMs first_timestamp = 0;
};

// When live items of one source arrived: the hours (received_at floored to the hour) that saw any, oldest
// first, and the newest arrival. A source without a schedule is judged stale on these.
struct SourceArrivals {
  std::vector<TimeMs> hours;
  std::optional<TimeMs> last;
};

struct LiveWindow {
  Id workspace_id = 0;
  TimeMs from = 0, to = 0;  // on the items' own time
  TimeMs max_lag = 0;       // received_at - timestamp at most this
};

}  // namespace chorus::store
