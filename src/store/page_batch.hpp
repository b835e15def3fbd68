// Shared by the stores' record writes: how a page's records get their duplicate_of, and their themes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace chorus::store {

// The store's answer for one record: its near-duplicate among the records stored so far (find_near_duplicate).
using NearDuplicateLookup = std::function<Result<std::optional<std::int64_t>>(const FeedbackRecord&)>;

// Sets duplicate_of on each record of a page, in order: the stored near-duplicate when there is one, else
// the first earlier record of the page within max_distance bits that is also earlier in (timestamp, id)
// order, through to what that record duplicates. Every lookup sees the store as it was before the page.
Status mark_near_duplicates(std::vector<FeedbackRecord>& records, int max_distance, const NearDuplicateLookup& stored);

// A theme counts once per record, however often the analyser named it: the first of each, in order.
std::vector<std::string> unique_themes(std::vector<std::string> themes);

}  // namespace chorus::store
