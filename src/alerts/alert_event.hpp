// AlertEvent: what one alert says, whichever channel carries it. Stored in the outbox as JSON, so a
// retry sends exactly what was decided when the alert fired.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/record.hpp"
#include "core/time.hpp"

namespace chorus::alerts {

struct AlertQuote {
  std::string unique_identifier;
  std::string text;
  std::optional<std::string> url;
  std::string sentiment_type;
};

struct AlertEvent {
  std::string type = "alert.fired";  // alert.fired | alert.updated | alert.test | digest.weekly
  Id rule_id = 0;
  std::string rule_name;
  std::string kind;
  Id workspace_id = 0;
  std::string workspace_name;
  std::string subject;               // theme, or "source:<id>", or "workspace"
  std::optional<std::string> theme;  // emerging, new_theme
  std::string title;                 // one line: what happened
  std::string summary;               // a sentence or two with the numbers
  std::int64_t count = 0;            // items in the window
  std::optional<double> baseline;    // expected in such a window
  std::optional<double> score;
  std::optional<double> share;  // negative_share
  std::string sentiment_type;   // the window's prevailing tone
  TimeMs window_start = 0, window_end = 0;
  std::vector<AlertQuote> quotes;
  std::string dashboard_url;
  TimeMs fired_at = 0;
  json::object details;  // kind-specific extras (the digest's sections)
  // alert.updated: the one follow-up of an alert whose count grew materially after it was sent.
  std::optional<std::int64_t> previous_count;  // the count the first message said
  TimeMs first_fired_at = 0;                   // when the first message fired
};

json::object event_to_json(const AlertEvent& e);
Result<AlertEvent> event_from_json(std::string_view text);
// Plain text of the event, for e-mail bodies and Slack's notification fallback.
std::string event_text(const AlertEvent& e);

}  // namespace chorus::alerts
