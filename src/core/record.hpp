// FeedbackRecord: the one uniform shape every item from every source becomes (CONTRACT section 4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"

namespace chorus {

using Id = std::int64_t;

// What a connector's mapping yields for one raw item, before NLP.
struct MappedItem {
  std::string external_id;             // the id in the third-party system; required
  std::string text;                    // body as the source gives it
  enum class Format { plain, html, markdown } format = Format::plain;
  std::optional<std::string> title;
  std::optional<double> rating;
  std::optional<std::string> url;
  std::optional<std::string> username;
  std::optional<std::string> user_id;  // the platform's user id
  std::optional<std::string> email;
  std::optional<TimeMs> timestamp;     // when the customer said it
  std::string source_info;             // e.g. "DiscoursePost", "GitHubIssue"
  json::object extra;                  // source-specific metadata users filter on (tags, state, ...)
};

struct FeedbackRecord {
  std::int64_t unique_identifier = 0;
  Id workspace_id = 0;
  Id source_id = 0;
  Id customer_id = 0;       // core_attributes.tenant_info
  std::string source_type;  // "discourse", ...

  // core_attributes
  std::string language = "Unknown";
  std::string language_code = "un";
  std::string source_info;

  // review_attributes
  std::optional<double> rating;
  std::optional<std::string> title;

  // conversation_attributes
  std::string text;  // plain text after cleaning
  std::string sentiment_type = "neutral";
  int sentiment_score = 0;
  double sentiment_compound = 0.0;
  std::string category = "other";
  double category_confidence = 0.0;
  double sentiment_confidence = 0.0;
  json::object evidence;  // {"sentiment":[{term, weight}], "category":[...]}: what moved each label
  std::vector<std::string> themes;
  // Level-2 themes: (level-1 theme, key phrase beneath it).
  std::vector<std::pair<std::string, std::string>> sub_themes;
  std::optional<std::int64_t> duplicate_of;

  // metadata_attributes
  std::string external_id;
  std::optional<std::string> url;
  std::string raw_ref;  // where the raw payload is kept (bus topic/offset or store key)
  json::object extra;

  // user_attributes
  std::optional<std::string> email;
  std::optional<std::string> platform_user_id;
  std::optional<std::string> username;

  // context_info
  TimeMs timestamp = 0;
  TimeMs received_at = 0;
  std::string nlp_version;
  std::int64_t taxonomy_version = 0;  // the workspace taxonomy the themes were assigned under
  std::int64_t revision = 0;  // bumped by the store on every upsert; rollups apply each revision once

  // Near-duplicate fingerprint (not part of the public shape).
  std::uint64_t simhash = 0;
  // The raw item as the source sent it (JSON text), stored beside the record so that its payload stays
  // retrievable whatever the bus keeps; not part of record_to_json.
  std::string raw_item;
};

// The contract's stable id: a 64-bit FNV-1a hash of (workspace, source type, external id), as signed.
std::int64_t make_unique_identifier(Id workspace_id, std::string_view source_type, std::string_view external_id);

// The record as the API returns it (CONTRACT section 4). Ids are decimal strings.
json::object record_to_json(const FeedbackRecord& r);

// The same document as serialising record_to_json, written straight into a string without building the tree:
// what the store keeps and the bus carries, written for every record on the parser's one thread. Numbers are
// in their shortest decimal form ("0.65", where the tree's serialiser writes "6.5E-1"), the keys in the same order.
std::string record_json(const FeedbackRecord& r);

// The inverse, for stores that keep the record as a JSON document.
Result<FeedbackRecord> record_from_json(const json::value& v);
// Only what the rollups and alerts count: the ids, timestamp, time received, revision, language code,
// sentiment, category, themes and rating; the rest keeps its defaults. Cheaper than record_from_json, which
// copies text, evidence and metadata.
Result<FeedbackRecord> record_counts_from_json(const json::value& v);

}  // namespace chorus
