// Channel: everything that is specific to one way of telling a team (Slack, a signed webhook, e-mail).
// The outbox, retries, URL checks and signing are core machinery (src/alerts) that channels use.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_event.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include "ingest/egress.hpp"

namespace chorus::alerts {

// One declared channel setting: drives validation, defaults, the API's view (secrets never shown) and sealing.
struct ChannelField {
  std::string name;
  std::string type;  // "url" | "string" | "integer" | "boolean" | "string[]"
  bool required = false;
  bool secret = false;        // sealed at rest, never returned
  std::string default_value;  // JSON text of the default, empty for none
  std::string description;
};

// A channel's settings with secrets opened; never logged.
struct ChannelSettings {
  json::object config;   // validated, defaults applied
  json::object secrets;  // the secret fields
};

// What one attempt came to.
struct DeliveryOutcome {
  bool delivered = false;
  std::optional<std::int64_t> status;       // the endpoint's HTTP status, or the SMTP reply code
  std::string error;                        // in words, without secrets
  bool permanent = false;                   // retrying cannot help (a 4xx other than 408/429)
  std::optional<std::string> disable_rule;  // the endpoint says it is gone: the rule is disabled for this reason
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string_view type() const = 0;
  virtual std::string_view description() const = 0;
  virtual std::span<const ChannelField> fields() const = 0;
  // Checks beyond the declared types (URLs, ports); settings have their defaults applied. Destinations are
  // checked against the operator's egress policy, as deliver() will meet it.
  virtual Status validate(const ChannelSettings& settings, const ingest::EgressPolicy& egress) const = 0;
  // Fills secrets the channel makes itself when the caller gave none; returns their names (shown once).
  virtual std::vector<std::string> complete(ChannelSettings& /*settings*/) const { return {}; }
  // Sends one event. `message_id` is stable across retries of one delivery; every connection opened goes
  // through the operator's egress policy (--egress-allow).
  virtual DeliveryOutcome deliver(const AlertEvent& event, const ChannelSettings& settings, const std::string& message_id,
                                  const ingest::EgressPolicy& egress) const = 0;
};

const Channel* find_channel(std::string_view type);
std::vector<const Channel*> all_channels();

// The registrations, one line each in channel_registry.cpp.
const Channel& slack_channel();
const Channel& webhook_channel();
const Channel& email_channel();

}  // namespace chorus::alerts
