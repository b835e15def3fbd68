// The generic rating aggregate: counts ratings by paging through the matching records. Backends with
// rating rollups override Store::rating_counts.
#include <map>

#include "store/store.hpp"

namespace chorus::store {

Result<std::vector<RatingCount>> Store::rating_counts(const FeedbackFilter& filter) {
  constexpr std::size_t kPage = 1000;
  std::map<std::pair<Id, double>, std::int64_t> counts;
  std::optional<std::string> cursor;
  do {
    auto page = query_feedback(filter, kPage, cursor);
    if (!page) return page.error();
    for (const auto& r : page->items)
      if (r.rating) ++counts[{r.source_id, *r.rating}];
    cursor = page->next_cursor;
  } while (cursor);
  std::vector<RatingCount> out;
  out.reserve(counts.size());
  for (const auto& [key, n] : counts) out.push_back(RatingCount{key.first, key.second, n});
  return out;
}

}  // namespace chorus::store
