// Typeform: the responses to one form, read with the Responses API (since / before paging) or delivered
// by form_response webhooks. Raw items are Typeform response objects (an API item or a webhook's
// form_response).
#pragma once

#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::typeform {

class TypeformConnector final : public Connector {
 public:
  std::string_view type() const override { return "typeform"; }
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

// config.base_url without trailing slashes (https://api.typeform.com by default).
std::string base_url(const SourceSettings& source);

// Whether a response says anything Chorus can use: an open-text answer or a score.
bool has_feedback(const json::value& response);

}  // namespace chorus::connectors::typeform
