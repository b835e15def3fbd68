// Discourse forums: posts found through /search.json, fetched whole from /posts/{id}.json, and post
// webhooks. The raw item is always a Discourse post object.
#pragma once

#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::discourse {

class DiscourseConnector final : public Connector {
 public:
  std::string_view type() const override { return "discourse"; }
  std::string_view description() const override;
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override;
  std::span<const std::string_view> webhook_schemes() const override;

  Result<std::string> sync(SyncContext& ctx, PageSink& sink) const override;
  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  Result<WebhookItems> from_webhook(const http::Headers& headers, const json::value& body,
                                   const SourceSettings& source) const override;
  std::optional<std::string> skip_reason(const json::value& raw, const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;
};

const Connector& connector();

// config.base_url without trailing slashes ("" when unset).
std::string base_url(const SourceSettings& source);

}  // namespace chorus::connectors::discourse
