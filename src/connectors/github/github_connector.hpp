// GitHub: the issues and issue comments of one repository, read incrementally by update time with Link
// pagination, and issues / issue_comment webhooks. Raw items are GitHub's own issue and comment objects.
#pragma once

#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::github {

class GitHubConnector final : public Connector {
 public:
  std::string_view type() const override { return "github"; }
  std::string_view description() const override;
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override;
  std::span<const std::string_view> webhook_schemes() const override;

  Result<std::string> sync(SyncContext& ctx, PageSink& sink) const override;
  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  Result<WebhookItems> from_webhook(const http::Headers& headers, const json::value& body,
                                    const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;
  std::optional<std::string> skip_reason(const json::value& raw, const SourceSettings& source) const override;
};

const Connector& connector();

inline constexpr std::string_view kPublicApi = "https://api.github.com";

// A comment object (it points at its issue) rather than an issue (which has a number and a title).
bool is_comment(const json::object& item);
// Whether an issue is a pull request, or a comment was written on one.
bool on_pull_request(const json::object& item);

}  // namespace chorus::connectors::github
