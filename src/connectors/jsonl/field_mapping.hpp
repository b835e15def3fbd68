// Generic sources (jsonl, csv): items of any shape, read through a declared field mapping
// (config.fields: record field -> dotted path in the item), pushed, imported or sent by webhook.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "connectors/connector.hpp"

namespace chorus::connectors::jsonl {

// The connector both generic types share; they differ in name, description and default source_info.
class FieldMappedConnector final : public Connector {
 public:
  FieldMappedConnector(std::string_view type, std::string_view description, std::string_view default_source_info)
      : type_(type), description_(description), default_source_info_(default_source_info) {}

  std::string_view type() const override { return type_; }
  std::string_view description() const override { return description_; }
  std::span<const FieldSpec> config_fields() const override;
  std::span<const FieldSpec> credential_fields() const override { return {}; }
  std::span<const std::string_view> webhook_schemes() const override;
  bool pulls() const override { return false; }

  Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const override;
  Result<WebhookItems> from_webhook(const http::Headers& headers, const json::value& body,
                                    const SourceSettings& source) const override;
  Status check_settings(const json::object& config, const json::object& credentials) const override;

 private:
  std::string_view type_;
  std::string_view description_;
  std::string_view default_source_info_;
};

// The value at `path` in `item`: a key spelled exactly like the path first (CSV headers may contain
// dots), then the dotted path ("user.name", "answers.0.text"). nullptr when absent or JSON null.
const json::value* value_at(const json::value& item, std::string_view path);

const Connector& connector();

}  // namespace chorus::connectors::jsonl
