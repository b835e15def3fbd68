// Settings many connectors share (base_url, since, max_pages, concurrency), declared once so their names,
// types and wording agree everywhere, and typed readers for validated settings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/connector.hpp"
#include "core/time.hpp"

namespace chorus::connectors {

// config.base_url, defaulting to the service's public API ("https://api.github.com").
FieldSpec base_url_field(std::string_view public_api, std::string_view other_hosts);
// config.since: the backfill window of the first sync. Later syncs continue from the cursor.
FieldSpec since_field();
// config.max_pages: how far one sync reads; `page` says what a page holds ("100 issues").
FieldSpec max_pages_field(int default_pages, std::string_view page);
// config.concurrency: pages fetched at once where the API allows it.
FieldSpec concurrency_field(int default_requests);

// config.base_url is an http(s) address without a user name or password (`example` ends the message when set).
Status check_base_url(std::string_view url, std::string_view example = {});
// Checks of the shared fields for check_settings: base_url as above, max_pages >= 1, concurrency 1..32.
Status check_common_fields(const json::object& config);

// Readers of validated settings (defaults already applied by validate_fields).
std::string setting_string(const SourceSettings& source, std::string_view key, std::string_view fallback = "");
std::int64_t setting_int(const SourceSettings& source, std::string_view key, std::int64_t fallback);
bool setting_bool(const SourceSettings& source, std::string_view key, bool fallback);
// config.base_url without trailing slashes, or `fallback` when unset.
std::string setting_base_url(const SourceSettings& source, std::string_view fallback);
// A credential's value, "" when absent.
std::string credential(const SourceSettings& source, std::string_view key);
// Reads an ISO-8601 time field of an item into `out`; false when it is absent or not a time.
bool read_time(const json::value& item, std::string_view key, TimeMs& out);

// config.since, parsed; nullopt when not set.
std::optional<TimeMs> backfill_since(const SourceSettings& source);

}  // namespace chorus::connectors
