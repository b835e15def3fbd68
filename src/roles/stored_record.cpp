#include "roles/stored_record.hpp"

namespace chorus::roles {

Result<FeedbackRecord> read_counted_record(std::string_view payload) {
  unsigned char buffer[16384];
  json::monotonic_resource scratch(buffer, sizeof buffer);
  auto v = parse_json(payload, &scratch);
  if (!v) return v.error();
  return record_counts_from_json(*v);
}

}  // namespace chorus::roles
