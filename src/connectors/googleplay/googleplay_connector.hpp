// Google Play reviews through the Android Publisher API (reviews.list): newest first with token
// pagination, OAuth access token. Raw items are Review objects. The API returns only reviews with text
// from about the last week, so a schedule of a day or less keeps up.
#pragma once

#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::googleplay {

class GooglePlayConnector final : public Connector {
 public:
  std::string_view type() const override { return "googleplay"; }
  std::string_view description() const override;
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override;
  std::span<const std::string_view> webhook_schemes() const override { return {}; }

  Result<std::string> sync(SyncContext& ctx, PageSink& sink) const override;
  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;
};

const Connector& connector();

inline constexpr std::string_view kPublicApi = "https://androidpublisher.googleapis.com";

// The customer's comment of a review (comments[].userComment), nullptr when there is none.
const json::value* user_comment(const json::value& review);
// userComment.lastModified as milliseconds ({"seconds":"1443676826","nanos":713000000}).
std::optional<TimeMs> last_modified(const json::value& comment);

}  // namespace chorus::connectors::googleplay
