// Connector: everything that is specific to one source type. Pagination, retries, rate limits, cursors
// and signatures are core machinery (src/ingest) that connectors use, never re-implement.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/record.hpp"
#include "core/result.hpp"
#include "http/message.hpp"

namespace chorus::ingest {
class Fetcher;
}

namespace chorus::connectors {

// One declared config or credential field: drives validation, GET /v1/connectors and redaction.
struct FieldSpec {
  std::string name;
  std::string type;  // "string" | "integer" | "boolean" | "string[]" | "object" | "time"
  bool required = false;
  std::string default_value;  // JSON text of the default, empty for none
  std::string description;
  // The values an enum field may take (listed as "enum" by GET /v1/connectors); empty for a free field.
  // A value that differs from one only in case is taken as that one.
  std::vector<std::string> choices = {};
  // For an enum too long to quote in full: the values a refusal names as examples.
  std::vector<std::string> examples = {};
};

// What a connector sees of one configured source.
struct SourceSettings {
  Id workspace_id = 0;
  Id source_id = 0;
  std::string type;
  json::object config;       // validated, defaults applied
  json::object credentials;  // decrypted; never logged
};

// A batch of raw items from one sync. The cursor, when set, covers every item of this and earlier pages
// and is stored atomically with them.
struct RawPage {
  std::vector<json::value> items;
  std::optional<std::string> cursor;
};

class PageSink {
 public:
  virtual ~PageSink() = default;
  // Durably hands the page on (to raw.items). A failure aborts the sync without advancing the cursor.
  virtual Status emit(RawPage page) = 0;
};

struct SyncContext {
  const SourceSettings& source;
  std::string cursor;  // empty on the first sync
  ingest::Fetcher& fetcher;
  std::function<bool()> cancelled = [] { return false; };
};

// What a verified webhook body becomes.
struct WebhookItems {
  std::vector<json::value> items;  // raw items in the connector's own shape, mapped by map()
  bool fetch = false;              // a notice that new data exists: queue a sync of the source
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string_view type() const = 0;
  virtual std::string_view description() const = 0;
  virtual std::span<const FieldSpec> config_fields() const = 0;
  virtual std::span<const FieldSpec> credential_fields() const = 0;
  virtual std::span<const std::string_view> webhook_schemes() const = 0;
  // False for push-only sources (webhooks or pushed items only).
  virtual bool pulls() const { return true; }

  // Fetches everything after ctx.cursor, emitting pages in order. Returns the cursor to keep when the
  // sync completes (already emitted with the last page).
  virtual Result<std::string> sync(SyncContext& ctx, PageSink& sink) const;

  // Maps one raw item (as fetched, pushed or delivered by webhook) to the uniform shape.
  virtual Result<MappedItem> map(const json::value& raw, const SourceSettings& source) const = 0;

  // Splits a verified webhook delivery into raw items, or marks it as a notice to fetch.
  virtual Result<WebhookItems> from_webhook(const http::Headers& headers, const json::value& body,
                                           const SourceSettings& source) const;

  // Why an item is left out under the source's settings, or nullopt to keep it: a pull request while
  // include_pull_requests is off, a bot's message, a channel not listened to, a deleted post. Every path
  // asks it (sync, push and webhook, through admit_item), so a setting means the same on each. Reasons
  // are short snake_case words ("pull_request", "bot"), counted by reason in a sync's skipped_reasons.
  virtual std::optional<std::string> skip_reason(const json::value& raw, const SourceSettings& source) const;

  // Rules that span fields or go beyond a type ("credentials.api_username is required with api_key"),
  // run by validate_fields after the declared types and defaults. Default: none.
  virtual Status check_settings(const json::object& config, const json::object& credentials) const;
};

// What becomes of one raw item: a mapped item to analyse and store, or the reason it is left out.
struct Admission {
  std::optional<MappedItem> item;
  std::string skipped;  // set when item is empty: "no_text", "pull_request", "bot", ...
};

// The reason every connector shares: after markup is stripped, nothing is left to analyse.
inline constexpr std::string_view kNoText = "no_text";

// The one way an item is taken in, on every path: the connector's skip_reason, then map(), then the text
// check (an item whose text is empty once HTML, markdown, embeds, quotes and links are stripped is never a
// record). An error is an item that cannot be read at all.
Result<Admission> admit_item(const Connector& connector, const json::value& raw, const SourceSettings& source);

// Whether a mapped item has words to analyse once its markup is stripped.
bool has_text_to_analyse(const MappedItem& item);

// The registry: one line per connector in registry.cpp.
const Connector* find_connector(std::string_view type);
std::span<const Connector* const> all_connectors();

// Checks a source spec's config and credentials against the connector's declared fields, applies
// defaults, and names the offending field ("config.base_url is required").
Status validate_fields(const Connector& connector, json::object& config, json::object& credentials);

// The connector's description for GET /v1/connectors.
json::object describe_connector(const Connector& connector);

}  // namespace chorus::connectors
