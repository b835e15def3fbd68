// Alert rules as the API takes and shows them: kinds and their parameters (declared once, defaults
// applied, unknown names refused), the channel and its settings (secrets sealed, never shown).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alerts/channel.hpp"
#include "core/json.hpp"
#include "core/secrets.hpp"
#include "store/store.hpp"

namespace chorus::alerts {

struct ParamSpec {
  std::string name;
  std::string type;           // "number" | "integer" | "string[]"
  double min = 0, max = 0;    // numbers: the allowed range, inclusive
  std::string default_value;  // JSON text, empty for none (then required unless `optional`)
  bool optional = false;
  std::string description;
};

struct RuleKind {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
};

std::span<const RuleKind> rule_kinds();
const RuleKind* find_rule_kind(std::string_view name);

// A rule from a POST body (existing empty) or a PATCH body over an existing rule. `shown_once` holds
// secrets the server made (a webhook's signing secret), for the one response that may show them. Channel
// destinations are checked against `egress`, the operator's policy.
struct RuleChange {
  store::AlertRule rule;
  json::object shown_once;
};
Result<RuleChange> rule_from_body(const json::object& body, const SecretBox& box, const ingest::EgressPolicy& egress,
                                  store::Store& store, Id workspace_id,
                                  const std::optional<store::AlertRule>& existing);

// The rule as the API shows it: never a secret, only which secrets are set.
json::object rule_to_json(const store::AlertRule& rule);

// The channel settings of a stored rule, secrets opened.
Result<ChannelSettings> open_channel(const store::AlertRule& rule, const SecretBox& box);

// Typed parameter reads (defaults are stored with the rule).
double param_number(const store::AlertRule& rule, std::string_view name, double fallback);
std::vector<std::string> param_strings(const store::AlertRule& rule, std::string_view name);

}  // namespace chorus::alerts
