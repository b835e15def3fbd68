// SourceSpec: parsing and validating a source definition from the API, and a Source's public view.
#pragma once

#include "api/context.hpp"
#include "connectors/connector.hpp"

namespace chorus::api {

// Validates a SourceSpec against its connector's declared fields; secrets come back sealed.
// Errors are 400s naming the field, prefixed by `where` ("sources[1].") when the spec is nested.
Result<store::Source> parse_source_spec(const json::object& spec, const std::string& where, AppContext& ctx);

// A PATCH of a source: the fields sent (name, config, credentials, schedule, webhook, paused) replace the stored
// ones, validated as on create; anything else is a 400 and nothing changes. Secrets come back sealed.
struct SourceChange {
  store::Source source;              // as it is to be stored
  bool reset_cursor = false;         // the config changed: the next sync starts from the beginning
  std::vector<std::string> changed;  // the names of the fields sent, for the audit log
};
Result<SourceChange> patch_source(const store::Source& current, const json::object& body, AppContext& ctx);

// The public shape: never credentials or webhook secrets.
json::object source_view(const store::Source& source);
json::object workspace_view(const store::Workspace& ws, const std::vector<store::Source>& sources);
json::object sync_view(const store::Sync& sync);
// Skipped items by reason: {"no_text": 3, "pull_request": 7}.
json::object skipped_view(const std::map<std::string, std::int64_t>& reasons);

// The decrypted settings the connector sees, and the webhook secret.
struct SourceSecrets {
  json::object credentials;
  std::string webhook_secret;
};
Result<SourceSecrets> open_source_secrets(const store::Source& source, const SecretBox& box);
connectors::SourceSettings source_settings(const store::Source& source, json::object credentials);

// "15m" -> 900; accepts s, m, h, d; at least 10 seconds, at most a year.
inline constexpr std::int64_t kMaxEverySeconds = 365LL * 86400;
Result<std::int64_t> parse_every(std::string_view text);
std::string format_every(std::int64_t seconds);

}  // namespace chorus::api
