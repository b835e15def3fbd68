// Apple App Store customer reviews from the public RSS feed in its JSON form: up to 10 pages of the most
// recent reviews for one app in one country. Raw items are feed entries (every value wrapped in
// {"label": ...}). No credentials.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector.hpp"

namespace chorus::connectors::appstore {

class AppStoreConnector final : public Connector {
 public:
  std::string_view type() const override { return "appstore"; }
  std::string_view description() const override;
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override { return {}; }
  std::span<const std::string_view> webhook_schemes() const override { return {}; }

  Result<std::string> sync(SyncContext& ctx, PageSink& sink) const override;
  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;
};

const Connector& connector();

inline constexpr std::string_view kPublicApi = "https://itunes.apple.com";
inline constexpr int kFeedPageLimit = 10;  // the feed serves pages 1 to 10 and no further

// The storefronts' two-letter country codes, lowercase and sorted (storefronts.cpp says where they come from).
std::vector<std::string> storefront_countries();

// The text of a feed value: {"label": "..."} -> "...".
std::optional<std::string> label_of(const json::value& entry, std::string_view key);

}  // namespace chorus::connectors::appstore
