// Intercom: customer conversations found with the conversation search API, optionally with the customer's
// later replies (conversation parts), and conversation webhooks. Raw items are Intercom conversation
// objects, or conversation parts carrying their conversation_id.
#pragma once

#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::intercom {

class IntercomConnector final : public Connector {
 public:
  std::string_view type() const override { return "intercom"; }
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

// config.base_url without trailing slashes (https://api.intercom.io by default).
std::string base_url(const SourceSettings& source);

// True when a customer (user, lead or contact) wrote it: the conversation's opening message, or a part.
// Teammates' and bots' messages are not feedback.
bool written_by_customer(const json::value& message);

// A conversation's opening message: `source` in the REST API and in deliveries of apps on API 2.x,
// `conversation_message` in deliveries of apps still on the 1.x webhook model. Null when neither is there.
const json::value* opening_message(const json::value& conversation);

// The customer's own replies among a full conversation's parts, each with its conversation_id added.
std::vector<json::value> customer_parts(const json::value& conversation);

}  // namespace chorus::connectors::intercom
