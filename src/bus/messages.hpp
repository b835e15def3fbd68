// The payloads that travel on each topic, as JSON documents, and their parsing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/record.hpp"

namespace chorus::bus {

// fetch.requests: "sync this source now".
struct FetchRequest {
  Id workspace_id = 0;
  Id source_id = 0;
  Id sync_id = 0;
};

// raw.items: what a sync fetched, what a customer pushed, or a verified webhook delivery.
struct RawItems {
  enum class Kind { page, push, webhook };
  Kind kind = Kind::push;
  Id workspace_id = 0;
  Id source_id = 0;
  std::string source_type;
  std::optional<Id> sync_id;
  std::optional<std::string> cursor;  // page: the source cursor that commits with these items
  bool final = false;                 // page: the last page of its sync
  json::array items;                  // page and push
  json::object headers;               // webhook: the delivery's headers (no signature material needed)
  std::string body;                   // webhook: the raw body exactly as received
  TimeMs received_at = 0;
};

std::string encode(const FetchRequest& m);
Result<FetchRequest> decode_fetch_request(std::string_view payload);
std::string encode(const RawItems& m);
Result<RawItems> decode_raw_items(std::string_view payload);

// The partition key: every topic is keyed by workspace so a workspace stays ordered.
inline std::string workspace_key(Id workspace_id) { return std::to_string(workspace_id); }

}  // namespace chorus::bus
