// The jsonl source type: JSON items of any shape, read through config.fields.
#include "connectors/jsonl/field_mapping.hpp"

namespace chorus::connectors::jsonl {

const Connector& connector() {
  static const FieldMappedConnector instance(
      "jsonl",
      "Any JSON items, mapped by a declared field mapping (config.fields): pushed as a JSON array or JSON lines, "
      "imported with `chorus import`, or sent by webhook (Standard Webhooks or a shared token).",
      "JsonlItem");
  return instance;
}

}  // namespace chorus::connectors::jsonl
