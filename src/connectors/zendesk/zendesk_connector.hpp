// Zendesk Support: tickets from the incremental ticket export, customer comments from satisfaction ratings,
// and ticket webhooks. Raw items are Zendesk ticket or satisfaction rating objects.
#pragma once

#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::zendesk {

class ZendeskConnector final : public Connector {
 public:
  std::string_view type() const override { return "zendesk"; }
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

// config.base_url without trailing slashes, or https://{subdomain}.zendesk.com when it is not set.
std::string base_url(const SourceSettings& source);

// A satisfaction rating, as opposed to a ticket: it names the ticket it rates.
bool is_satisfaction_rating(const json::value& raw);

// "good" -> 5, "bad" -> 1 (also "good_with_comment" / "bad_with_comment"); nullopt for "offered",
// "unoffered" and anything else, which carry no verdict.
std::optional<double> rating_of_score(std::string_view score);

}  // namespace chorus::connectors::zendesk
