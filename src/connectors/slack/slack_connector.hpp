// Slack: messages posted in chosen channels, delivered by the Events API (push only). Raw items are
// Slack message events carrying their channel.
#pragma once

#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::slack {

class SlackConnector final : public Connector {
 public:
  std::string_view type() const override { return "slack"; }
  std::string_view description() const override;
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override;
  std::span<const std::string_view> webhook_schemes() const override;
  bool pulls() const override { return false; }

  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  Result<WebhookItems> from_webhook(const http::Headers& headers, const json::value& body,
                                    const SourceSettings& source) const override;
  std::optional<std::string> skip_reason(const json::value& raw, const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;
};

const Connector& connector();

// Slack's message markup as plain text: <@U024BE7LH> -> @U024BE7LH, <#C024BE7LR|general> -> #general,
// <https://example.com|the docs> -> the docs, <!here> -> @here, and &amp; &lt; &gt; decoded.
std::string plain_text(std::string_view mrkdwn);

}  // namespace chorus::connectors::slack
