// Hacker News through Algolia's search API: stories and comments matching a query, newest first from
// /search_by_date, incremental on created_at_i. Raw items are Algolia hits. No credentials.
#pragma once

#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::hackernews {

class HackerNewsConnector final : public Connector {
 public:
  std::string_view type() const override { return "hackernews"; }
  std::string_view description() const override;
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override { return {}; }
  std::span<const std::string_view> webhook_schemes() const override { return {}; }

  Result<std::string> sync(SyncContext& ctx, PageSink& sink) const override;
  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  std::optional<std::string> skip_reason(const json::value& raw, const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;
};

const Connector& connector();

inline constexpr std::string_view kPublicApi = "https://hn.algolia.com/api/v1";

}  // namespace chorus::connectors::hackernews
