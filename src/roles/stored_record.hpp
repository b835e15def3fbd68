// Reading the stored records the parser publishes on feedback.records, for the roles that count them.
#pragma once

#include <string_view>

#include "core/record.hpp"

namespace chorus::roles {

// record_counts_from_json of one published record. Those roles read a few fields of each record and drop the
// rest at once, so the parse lives in a buffer on the stack (a larger record spills to the heap and is freed
// with it).
Result<FeedbackRecord> read_counted_record(std::string_view payload);

}  // namespace chorus::roles
