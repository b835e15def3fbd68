// The weekly digest of a workspace: one ISO week against the week before — volume and sentiment, top
// themes, the biggest movers up and down, themes new this week, emerging issues, three quotes each.
// The same document is printed by `chorus digest` and sent by a weekly_digest alert.
#pragma once

#include <optional>
#include <string>

#include "core/json.hpp"
#include "store/store.hpp"

namespace chorus::insights {

// "2026-W10" -> the Monday 00:00 UTC that starts it; nullopt for anything else (W01 to W52 or W53).
std::optional<TimeMs> parse_iso_week(std::string_view text);
// The ISO week that contains t, as "2026-W10".
std::string iso_week_of(TimeMs t);

struct DigestOptions {
  std::size_t top_themes = 10;
  std::size_t movers = 5;
  std::size_t quotes = 3;
  TimeMs now = 0;  // 0: the clock (emerging issues are judged as of the week's end or now, whichever is first)
};

Result<json::object> build_weekly_digest(store::Store& store, Id workspace_id, TimeMs week_start,
                                         const DigestOptions& options = {});

// The digest as plain text: the terminal's view and the body of a digest message.
std::string digest_text(const json::object& digest);

}  // namespace chorus::insights
