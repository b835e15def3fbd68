// Reddit: a subreddit's new posts (and, by choice, its new comments) through the OAuth API, newest first
// with `after` paging. Raw items are listing children ({"kind":"t3"|"t1","data":{...}}).
#pragma once

#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::reddit {

class RedditConnector final : public Connector {
 public:
  std::string_view type() const override { return "reddit"; }
  std::string_view description() const override;
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override;
  std::span<const std::string_view> webhook_schemes() const override { return {}; }

  Result<std::string> sync(SyncContext& ctx, PageSink& sink) const override;
  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  std::optional<std::string> skip_reason(const json::value& raw, const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;
};

const Connector& connector();

inline constexpr std::string_view kPublicApi = "https://oauth.reddit.com";

// "r/Tallybook/" or "/r/tallybook" -> "Tallybook"; "" when it is not a subreddit name.
std::string subreddit_name(std::string_view configured);

}  // namespace chorus::connectors::reddit
